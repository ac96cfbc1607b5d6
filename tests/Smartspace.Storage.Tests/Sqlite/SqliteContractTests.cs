using Smartspace.Storage.Sqlite;
using Smartspace.Storage.Tests.Contract;

namespace Smartspace.Storage.Tests.Sqlite;

/// <summary>The contract on a temp SQLite file with group commit (the default).</summary>
public sealed class SqliteGroupCommitContractTests : EntityStoreContract
{
    protected override Task<IEntityStore> CreateStoreAsync() => Task.FromResult<IEntityStore>(TempSqlite.Open(groupCommit: true));

    protected override async Task DestroyStoreAsync(IEntityStore store) => await TempSqlite.DestroyAsync((SqliteEntityStore)store);
}

/// <summary>The contract on a temp SQLite file with one transaction per batch.</summary>
public sealed class SqliteSerialCommitContractTests : EntityStoreContract
{
    protected override Task<IEntityStore> CreateStoreAsync() => Task.FromResult<IEntityStore>(TempSqlite.Open(groupCommit: false));

    protected override async Task DestroyStoreAsync(IEntityStore store) => await TempSqlite.DestroyAsync((SqliteEntityStore)store);
}

internal static class TempSqlite
{
    public static string NewPath() => Path.Combine(Path.GetTempPath(), "smartspace-tests", Guid.NewGuid().ToString("N"), "store.db");

    public static SqliteEntityStore Open(bool groupCommit = true, string? path = null) =>
        new(new StorageOptions { SqlitePath = path ?? NewPath(), GroupCommit = groupCommit });

    public static async Task DestroyAsync(SqliteEntityStore store)
    {
        await store.DisposeAsync();
        try
        {
            Directory.Delete(Path.GetDirectoryName(store.DatabasePath)!, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
