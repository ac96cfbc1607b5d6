namespace Smartspace.Storage.Tests.Contract;

public abstract partial class EntityStoreContract
{
    [Fact]
    public async Task Get_MissingEntity_ReturnsNull() => Assert.Null(await Get("nobody"));

    /// <summary>An id a client sent that is too long or malformed for a key names nothing: not found, never an error.</summary>
    [Theory]
    [InlineData(1025, "")]
    [InlineData(0, "a/b")]
    [InlineData(0, "a#b")]
    [InlineData(0, "a?b")]
    [InlineData(0, "a\u0001b")]
    public async Task Get_KeyThatCannotBeStored_ReturnsNull(int length, string key)
    {
        var rowKey = length > 0 ? new string('k', length) : key;
        Assert.Null(await Store.GetAsync(Table, Pk, rowKey));
        Assert.Null(await Store.GetAsync(Table, rowKey, "r"));
    }

    [Fact]
    public async Task Insert_EveryPropertyType_RoundTripsWithSameTypeAndValue()
    {
        var at = new DateTimeOffset(2026, 11, 24, 1, 2, 3, TimeSpan.FromHours(-3)).AddTicks(1234567);
        var id = Guid.NewGuid();
        await Submit(EntityOperation.Insert(E("all",
            ("Text", "Olá, mundo ✓ \"quoted\" \\ {json}"),
            ("Empty", ""),
            ("Flag", true),
            ("Small", int.MinValue),
            ("Big", long.MaxValue),
            ("Ratio", 3.25),
            ("Whole", 2.0),
            ("Tiny", double.Epsilon),
            ("At", at),
            ("Id", id),
            ("Bytes", new byte[] { 0, 1, 2, 254, 255 }),
            ("Missing", null))));

        var e = await Get("all");

        Assert.NotNull(e);
        Assert.NotNull(e.ETag);
        Assert.Equal("Olá, mundo ✓ \"quoted\" \\ {json}", Assert.IsType<string>(e["Text"]));
        Assert.Equal("", Assert.IsType<string>(e["Empty"]));
        Assert.True(Assert.IsType<bool>(e["Flag"]));
        Assert.Equal(int.MinValue, Assert.IsType<int>(e["Small"]));
        Assert.Equal(long.MaxValue, Assert.IsType<long>(e["Big"]));
        Assert.Equal(3.25, Assert.IsType<double>(e["Ratio"]));
        Assert.Equal(2.0, Assert.IsType<double>(e["Whole"]));
        Assert.Equal(double.Epsilon, Assert.IsType<double>(e["Tiny"]));
        var storedAt = Assert.IsType<DateTimeOffset>(e["At"]);
        Assert.Equal(at.UtcTicks, storedAt.UtcTicks);
        Assert.Equal(TimeSpan.Zero, storedAt.Offset);
        Assert.Equal(id, Assert.IsType<Guid>(e["Id"]));
        Assert.Equal(new byte[] { 0, 1, 2, 254, 255 }, Assert.IsType<byte[]>(e["Bytes"]));
        Assert.False(e.Properties.ContainsKey("Missing"));
        Assert.Equal(11, e.Properties.Count);
    }

    [Fact]
    public async Task Insert_WhenEntityExists_FailsWithAlreadyExistsAndKeepsOriginal()
    {
        await Inserted("a", ("V", 1));

        var result = await Submit(EntityOperation.Insert(E("a", ("V", 2))));

        Assert.Equal(StoreFailure.AlreadyExists, result.Failure);
        Assert.Equal(0, result.FailedIndex);
        Assert.True(result.IsConflict);
        Assert.Equal(1, (await Get("a"))!.GetInt32("V"));
    }

    [Fact]
    public async Task Insert_ReturnsETagThatGuardsTheNextReplace()
    {
        var insert = await Submit(EntityOperation.Insert(E("a", ("V", 1))));
        var etag = Assert.Single(insert.ETags);
        Assert.False(string.IsNullOrEmpty(etag));
        Assert.Equal(etag, (await Get("a"))!.ETag);

        var replace = await Submit(EntityOperation.Replace(E("a", ("V", 2)), etag));

        Assert.True(replace.Succeeded);
        Assert.NotEqual(etag, replace.ETags[0]);
        Assert.Equal(replace.ETags[0], (await Get("a"))!.ETag);
    }

    [Fact]
    public async Task Replace_WithCurrentETag_ReplacesWholeEntity()
    {
        var a = await Inserted("a", ("V", 1), ("Gone", "x"));

        var result = await Submit(EntityOperation.Replace(E("a", ("V", 2)), a.ETag));

        Assert.True(result.Succeeded);
        var stored = (await Get("a"))!;
        Assert.Equal(2, stored.GetInt32("V"));
        Assert.False(stored.Properties.ContainsKey("Gone"));
    }

    [Fact]
    public async Task Replace_WithStaleETag_FailsWithPreconditionFailed()
    {
        var first = await Inserted("a", ("V", 1));
        Assert.True((await Submit(EntityOperation.Replace(E("a", ("V", 2)), first.ETag))).Succeeded);

        var result = await Submit(EntityOperation.Replace(E("a", ("V", 3)), first.ETag));

        Assert.Equal(StoreFailure.PreconditionFailed, result.Failure);
        Assert.Equal(2, (await Get("a"))!.GetInt32("V"));
    }

    [Fact]
    public async Task Delete_WithStaleETag_FailsWithPreconditionFailedAndKeepsEntity()
    {
        var first = await Inserted("a", ("V", 1));
        Assert.True((await Submit(EntityOperation.Replace(E("a", ("V", 2)), first.ETag))).Succeeded);

        var result = await Submit(EntityOperation.Delete(E("a"), first.ETag));

        Assert.Equal(StoreFailure.PreconditionFailed, result.Failure);
        Assert.NotNull(await Get("a"));
    }

    [Fact]
    public async Task Delete_WithCurrentETag_RemovesEntity()
    {
        var a = await Inserted("a", ("V", 1));

        var result = await Submit(EntityOperation.Delete(a));

        Assert.True(result.Succeeded);
        Assert.Null(Assert.Single(result.ETags));
        await AssertAbsent("a");
    }

    [Theory]
    [InlineData("*")]
    [InlineData("W/\"datetime'2026-11-24T01%3A00%3A34.1132919Z'\"")]
    public async Task ReplaceOrDelete_MissingEntity_FailsWithNotFound(string ifMatch)
    {
        var replace = await Submit(EntityOperation.Replace(E("ghost", ("V", 1)), ifMatch));
        var delete = await Submit(EntityOperation.Delete(E("ghost"), ifMatch));

        Assert.Equal(StoreFailure.NotFound, replace.Failure);
        Assert.Equal(StoreFailure.NotFound, delete.Failure);
        await AssertAbsent("ghost");
    }

    [Fact]
    public async Task ReplaceAndDelete_WithStarETag_ApplyToAnyVersion()
    {
        var a = await Inserted("a", ("V", 1));
        Assert.True((await Submit(EntityOperation.Replace(E("a", ("V", 2)), a.ETag))).Succeeded);

        Assert.True((await Submit(EntityOperation.Replace(E("a", ("V", 3)), "*"))).Succeeded);
        Assert.Equal(3, (await Get("a"))!.GetInt32("V"));
        Assert.True((await Submit(EntityOperation.Delete(E("a"), "*"))).Succeeded);
        await AssertAbsent("a");
    }

    [Fact]
    public async Task Upsert_InsertsWhenMissingAndReplacesUnconditionally()
    {
        var first = await Submit(EntityOperation.Upsert(E("u", ("V", 1), ("Old", true))));
        Assert.True(first.Succeeded);
        Assert.Equal(1, (await Get("u"))!.GetInt32("V"));

        var second = await Submit(EntityOperation.Upsert(E("u", ("V", 2))));

        Assert.True(second.Succeeded);
        Assert.NotEqual(first.ETags[0], second.ETags[0]);
        var stored = (await Get("u"))!;
        Assert.Equal(2, stored.GetInt32("V"));
        Assert.False(stored.Properties.ContainsKey("Old"));
    }
}
