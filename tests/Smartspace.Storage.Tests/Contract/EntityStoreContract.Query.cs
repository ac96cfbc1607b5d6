namespace Smartspace.Storage.Tests.Contract;

public abstract partial class EntityStoreContract
{
    private async Task SeedRows(int count)
    {
        foreach (var chunk in Enumerable.Range(0, count).Chunk(StoreLimits.MaxBatchOperations))
        {
            var result = await Submit(chunk.Select(i => EntityOperation.Insert(E($"r{i:D5}",
                ("N", i), ("Kind", i % 3 == 0 ? "a" : "b"), ("Big", (long)i * 1_000_000_000L)))).ToArray());
            Assert.True(result.Succeeded);
        }
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(7)]
    public async Task Query_2500RowsInPages_ReturnsAllInRowKeyOrder(int pageSize)
    {
        await SeedRows(2500);

        var all = await QueryAll(new EntityQuery(Pk) { PageSize = pageSize });

        Assert.Equal(2500, all.Count);
        Assert.Equal(Enumerable.Range(0, 2500).Select(i => $"r{i:D5}"), all.Select(e => e.RowKey));
        Assert.All(all, e => Assert.Equal(Pk, e.PartitionKey));
        Assert.All(all, e => Assert.NotNull(e.ETag));
    }

    [Fact]
    public async Task Query_PageSize1000_FirstPageIsFullAndCarriesToken()
    {
        await SeedRows(1500);

        var first = await Store.QueryAsync(Table, new EntityQuery(Pk) { PageSize = 1000 });

        Assert.Equal(1000, first.Items.Count);
        Assert.NotNull(first.ContinuationToken);
        Assert.Equal("r00999", first.Items[^1].RowKey);
    }

    [Fact]
    public async Task Query_RowKeyRange_IncludesFromAndExcludesTo()
    {
        await SeedRows(50);

        var rows = await QueryAll(new EntityQuery(Pk) { RowKeyFrom = "r00010", RowKeyTo = "r00020", PageSize = 3 });

        Assert.Equal(Enumerable.Range(10, 10).Select(i => $"r{i:D5}"), rows.Select(e => e.RowKey));
    }

    [Fact]
    public async Task Query_Prefix_ReturnsOnlyRowsStartingWithIt()
    {
        await Submit(EntityOperation.Insert(E("msg-1")), EntityOperation.Insert(E("msg-2")), EntityOperation.Insert(E("msh")), EntityOperation.Insert(E("dedupe-1")), EntityOperation.Insert(E("msg")));

        var rows = await QueryAll(EntityQuery.Prefix(Pk, "msg-"));

        Assert.Equal(["msg-1", "msg-2"], rows.Select(e => e.RowKey));
    }

    [Fact]
    public async Task Query_OtherPartition_IsNotReturned()
    {
        await Submit(EntityOperation.Insert(E("mine")));
        await Store.SubmitAsync(Table, [EntityOperation.Insert(Ent(Pk + "x", "theirs"))]);

        var rows = await QueryAll(new EntityQuery(Pk));

        Assert.Equal(["mine"], rows.Select(e => e.RowKey));
    }

    [Fact]
    public async Task Query_FiltersWithSmallPages_ReturnsExactlyMatchingRowsInOrder()
    {
        await SeedRows(600);
        var query = new EntityQuery(Pk)
        {
            PageSize = 7,
            Filters =
            [
                new PropertyFilter("Kind", FilterOperator.Equal, "a"),
                new PropertyFilter("N", FilterOperator.GreaterThanOrEqual, 100),
                new PropertyFilter("Big", FilterOperator.LessThan, 500L * 1_000_000_000L),
            ],
        };

        var rows = await QueryAll(query);

        var expected = Enumerable.Range(100, 400).Where(i => i % 3 == 0).Select(i => $"r{i:D5}");
        Assert.Equal(expected, rows.Select(e => e.RowKey));
    }

    [Fact]
    public async Task Query_FilterOnEveryComparableType_Matches()
    {
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var id = Guid.NewGuid();
        await Submit(
            EntityOperation.Insert(E("a", ("S", "x"), ("B", true), ("D", 1.5), ("T", at), ("G", id))),
            EntityOperation.Insert(E("b", ("S", "y"), ("B", false), ("D", 2.5), ("T", at.AddDays(1)), ("G", Guid.NewGuid()))),
            EntityOperation.Insert(E("c")));

        async Task<string[]> Rows(PropertyFilter f) => (await QueryAll(new EntityQuery(Pk) { Filters = [f] })).Select(e => e.RowKey).ToArray();

        Assert.Equal(["b"], await Rows(new("S", FilterOperator.NotEqual, "x")));
        Assert.Equal(["a"], await Rows(new("B", FilterOperator.Equal, true)));
        Assert.Equal(["b"], await Rows(new("D", FilterOperator.GreaterThan, 2.0)));
        Assert.Equal(["a"], await Rows(new("T", FilterOperator.LessThanOrEqual, at)));
        Assert.Equal(["a"], await Rows(new("G", FilterOperator.Equal, id)));
    }

    [Fact]
    public async Task Query_FilterNothingMatches_EndsWithNullToken()
    {
        await SeedRows(30);

        var rows = await QueryAll(new EntityQuery(Pk) { PageSize = 5, Filters = [new PropertyFilter("Kind", FilterOperator.Equal, "none")] });

        Assert.Empty(rows);
    }
}
