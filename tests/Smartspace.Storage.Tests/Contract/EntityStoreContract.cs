namespace Smartspace.Storage.Tests.Contract;

/// <summary>
/// The entity store contract, run against every adapter. Each test gets a fresh store and works in its
/// own partition, so tests never see each other's rows. Split by capability into partial files.
/// </summary>
public abstract partial class EntityStoreContract : IAsyncLifetime
{
    protected const string Table = "contract";
    private IEntityStore? _store;

    protected IEntityStore Store => _store ?? throw new InvalidOperationException("Store not created.");

    /// <summary>A partition of its own for each test.</summary>
    protected string Pk { get; } = "p-" + Guid.NewGuid().ToString("N");

    protected abstract Task<IEntityStore> CreateStoreAsync();

    protected virtual Task DestroyStoreAsync(IEntityStore store) => store is IAsyncDisposable d ? d.DisposeAsync().AsTask() : Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        await _store.EnsureTableAsync(Table);
    }

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await DestroyStoreAsync(_store);
        }
    }

    protected Entity E(string rowKey, params (string Name, object? Value)[] properties) => Ent(Pk, rowKey, properties);

    protected static Entity Ent(string pk, string rowKey, params (string Name, object? Value)[] properties)
    {
        var e = new Entity(pk, rowKey);
        foreach (var (name, value) in properties)
        {
            e[name] = value;
        }

        return e;
    }

    protected Task<BatchResult> Submit(params EntityOperation[] operations) => Store.SubmitAsync(Table, operations);

    protected Task<Entity?> Get(string rowKey) => Store.GetAsync(Table, Pk, rowKey);

    protected async Task<Entity> Inserted(string rowKey, params (string Name, object? Value)[] properties)
    {
        var result = await Submit(EntityOperation.Insert(E(rowKey, properties)));
        Assert.True(result.Succeeded, $"insert of {rowKey} failed: {result.Failure}");
        return (await Get(rowKey))!;
    }

    protected async Task AssertAbsent(params string[] rowKeys)
    {
        foreach (var rk in rowKeys)
        {
            Assert.Null(await Get(rk));
        }
    }

    protected async Task<List<Entity>> QueryAll(EntityQuery query)
    {
        var all = new List<Entity>();
        var pages = 0;
        string? token = null;
        do
        {
            var page = await Store.QueryAsync(Table, query with { ContinuationToken = token });
            Assert.True(page.Items.Count <= query.PageSize, $"page of {page.Items.Count} exceeds {query.PageSize}");
            all.AddRange(page.Items);
            token = page.ContinuationToken;
            Assert.True(++pages < 10_000, "paging does not end");
        }
        while (token is not null);
        return all;
    }
}
