namespace Smartspace.Storage.Tests.Contract;

public abstract partial class EntityStoreContract
{
    [Fact]
    public async Task Batch_AllOperationsSucceed_ReturnsNewETagPerOperationAndNullForDeletes()
    {
        var existing = await Inserted("x", ("V", 1));
        var doomed = await Inserted("y", ("V", 1));

        var result = await Submit(
            EntityOperation.Insert(E("a", ("V", 1))),
            EntityOperation.Replace(E("x", ("V", 2)), existing.ETag),
            EntityOperation.Upsert(E("u", ("V", 3))),
            EntityOperation.Delete(doomed));

        Assert.True(result.Succeeded);
        Assert.Equal(4, result.ETags.Count);
        Assert.Equal((await Get("a"))!.ETag, result.ETags[0]);
        Assert.Equal((await Get("x"))!.ETag, result.ETags[1]);
        Assert.Equal((await Get("u"))!.ETag, result.ETags[2]);
        Assert.Null(result.ETags[3]);
        await AssertAbsent("y");
    }

    [Fact]
    public async Task Batch_ThirdOperationFails_NothingOfTheBatchIsWrittenAndFailedIndexIsTwo()
    {
        var kept = await Inserted("kept", ("V", 1));
        await Inserted("taken", ("V", 1));

        var result = await Submit(
            EntityOperation.Insert(E("new1", ("V", 1))),
            EntityOperation.Replace(E("kept", ("V", 2)), kept.ETag),
            EntityOperation.Insert(E("taken", ("V", 2))),
            EntityOperation.Insert(E("new2", ("V", 1))));

        Assert.Equal(StoreFailure.AlreadyExists, result.Failure);
        Assert.Equal(2, result.FailedIndex);
        await AssertAbsent("new1", "new2");
        var stored = (await Get("kept"))!;
        Assert.Equal(1, stored.GetInt32("V"));
        Assert.Equal(kept.ETag, stored.ETag);
        Assert.Equal(1, (await Get("taken"))!.GetInt32("V"));
    }

    [Fact]
    public async Task Batch_StaleETagInMiddle_FailsWithPreconditionFailedAtItsIndex()
    {
        var a = await Inserted("a", ("V", 1));
        Assert.True((await Submit(EntityOperation.Replace(E("a", ("V", 2)), a.ETag))).Succeeded);

        var result = await Submit(EntityOperation.Insert(E("b")), EntityOperation.Replace(E("a", ("V", 9)), a.ETag));

        Assert.Equal(StoreFailure.PreconditionFailed, result.Failure);
        Assert.Equal(1, result.FailedIndex);
        await AssertAbsent("b");
    }

    [Fact]
    public async Task Batch_OneHundredOperations_IsAccepted()
    {
        var ops = Enumerable.Range(0, StoreLimits.MaxBatchOperations).Select(i => EntityOperation.Insert(E($"r{i:D3}", ("N", i)))).ToArray();

        var result = await Submit(ops);

        Assert.True(result.Succeeded);
        Assert.Equal(100, (await QueryAll(new EntityQuery(Pk))).Count);
    }

    [Fact]
    public async Task Limit_BatchAcrossTwoPartitions_IsRefusedAndNothingWritten()
    {
        var other = Pk + "-other";
        await AssertRefused(
            EntityOperation.Insert(E("a")),
            EntityOperation.Insert(Ent(other, "b")));
        Assert.Null(await Store.GetAsync(Table, other, "b"));
        await AssertAbsent("a");
    }

    [Fact]
    public async Task Limit_BatchOf101Operations_IsRefusedAndNothingWritten()
    {
        var ops = Enumerable.Range(0, 101).Select(i => EntityOperation.Insert(E($"r{i:D3}"))).ToArray();
        await AssertRefused(ops);
        Assert.Empty((await Store.QueryAsync(Table, new EntityQuery(Pk))).Items);
    }

    [Fact]
    public async Task Limit_SameEntityTwiceInBatch_IsRefusedAndNothingWritten()
    {
        await AssertRefused(EntityOperation.Insert(E("a")), EntityOperation.Upsert(E("b")), EntityOperation.Upsert(E("a")));
        await AssertAbsent("a", "b");
    }

    [Fact]
    public async Task Limit_EmptyBatch_IsRefused() => await AssertRefused();

    [Fact]
    public async Task Limit_EntityOverOneMebibyte_IsRefusedAndNothingWritten()
    {
        // 20 strings of 30,000 chars: about 1.2 MB as UTF-16.
        var props = Enumerable.Range(0, 20).Select(i => ($"S{i}", (object?)new string('x', 30_000))).ToArray();
        await AssertRefused(EntityOperation.Insert(E("small")), EntityOperation.Insert(E("huge", props)));
        await AssertAbsent("small", "huge");
    }

    [Fact]
    public async Task Limit_BatchOverFourMebibytes_IsRefusedAndNothingWritten()
    {
        // 10 entities of about 480 KB each: each entity fits, the batch (about 4.8 MB) does not.
        var props = Enumerable.Range(0, 8).Select(i => ($"S{i}", (object?)new string('y', 30_000))).ToArray();
        var ops = Enumerable.Range(0, 10).Select(i => EntityOperation.Insert(E($"r{i}", props))).ToArray();
        await AssertRefused(ops);
        Assert.Empty((await Store.QueryAsync(Table, new EntityQuery(Pk))).Items);
    }

    [Fact]
    public async Task Limit_StringOver32KChars_IsRefused()
    {
        await AssertRefused(EntityOperation.Insert(E("a", ("S", new string('z', StoreLimits.MaxStringChars + 1)))));
        await AssertAbsent("a");
    }

    [Fact]
    public async Task Limit_MoreThan252Properties_IsRefused()
    {
        var props = Enumerable.Range(0, 253).Select(i => ($"P{i}", (object?)i)).ToArray();
        await AssertRefused(EntityOperation.Insert(E("a", props)));
        await AssertAbsent("a");
    }

    [Fact]
    public async Task Limit_252Properties_AreAccepted()
    {
        var props = Enumerable.Range(0, 252).Select(i => ($"P{i}", (object?)i)).ToArray();
        Assert.True((await Submit(EntityOperation.Insert(E("a", props)))).Succeeded);
        Assert.Equal(252, (await Get("a"))!.Properties.Count);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\u0001b")]
    [InlineData("a\u007fb")]
    [InlineData("a\u0085b")]
    public async Task Limit_ForbiddenCharacterInRowKey_IsRefusedAndNothingWritten(string rowKey)
    {
        await AssertRefused(EntityOperation.Insert(E("fine")), EntityOperation.Insert(E(rowKey)));
        await AssertAbsent("fine");
    }

    [Fact]
    public async Task Limit_ForbiddenCharacterInPartitionKey_IsRefused()
    {
        await AssertRefused(EntityOperation.Insert(Ent("bad/pk", "a")));
    }

    [Fact]
    public async Task Limit_KeyLongerThan1KiB_IsRefused()
    {
        await AssertRefused(EntityOperation.Insert(E(new string('k', StoreLimits.MaxKeyLength + 1))));
        Assert.Empty((await Store.QueryAsync(Table, new EntityQuery(Pk))).Items);
    }

    [Theory]
    [InlineData("PartitionKey")]
    [InlineData("Timestamp")]
    [InlineData("1abc")]
    [InlineData("has space")]
    public async Task Limit_InvalidPropertyName_IsRefused(string name)
    {
        await AssertRefused(EntityOperation.Insert(E("a", (name, 1))));
        await AssertAbsent("a");
    }

    private async Task AssertRefused(params EntityOperation[] operations) =>
        await Assert.ThrowsAsync<StoreLimitException>(() => Store.SubmitAsync(Table, operations));
}
