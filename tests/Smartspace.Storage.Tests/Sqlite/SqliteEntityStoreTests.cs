using Microsoft.Data.Sqlite;
using Smartspace.Storage.Sqlite;

namespace Smartspace.Storage.Tests.Sqlite;

/// <summary>What only the SQLite adapter has: group commit, the file's durability, and the file going away.</summary>
public sealed class SqliteEntityStoreTests
{
    private const string Table = "things";

    private static Entity E(string pk, string rk, int v = 0) => new(pk, rk, new Dictionary<string, object?> { ["V"] = v });

    [Fact]
    public async Task GroupCommit_ManyConcurrentBatchesSomeFailingConditions_FailingOnesReportFailureAndAllOthersCommit()
    {
        var store = TempSqlite.Open(groupCommit: true);
        try
        {
            // Every 4th batch inserts, as its 2nd operation, a row that already exists.
            for (var i = 0; i < 400; i += 4)
            {
                Assert.True((await store.SubmitAsync(Table, [EntityOperation.Insert(E($"p{i}", "taken"))])).Succeeded);
            }

            var submissions = Enumerable.Range(0, 400).Select(i => Task.Run(() => store.SubmitAsync(Table,
            [
                EntityOperation.Insert(E($"p{i}", "a", i)),
                EntityOperation.Insert(E($"p{i}", i % 4 == 0 ? "taken" : "b", i)),
                EntityOperation.Upsert(E($"p{i}", "c", i)),
            ]))).ToArray();
            var results = await Task.WhenAll(submissions);

            for (var i = 0; i < 400; i++)
            {
                var rows = (await store.QueryAsync(Table, new EntityQuery($"p{i}"))).Items.Select(e => e.RowKey).ToArray();
                if (i % 4 == 0)
                {
                    Assert.Equal(StoreFailure.AlreadyExists, results[i].Failure);
                    Assert.Equal(1, results[i].FailedIndex);
                    Assert.Equal(["taken"], rows);
                }
                else
                {
                    Assert.True(results[i].Succeeded, $"batch {i}: {results[i].Failure}");
                    Assert.Equal(["a", "b", "c"], rows);
                    Assert.Equal(i, (await store.GetAsync(Table, $"p{i}", "b"))!.GetInt32("V"));
                }
            }
        }
        finally
        {
            await TempSqlite.DestroyAsync(store);
        }
    }

    [Fact]
    public async Task GroupCommit_ConcurrentReplacesOfOneEntityInOneGroup_ExactlyOneWinsPerETag()
    {
        var store = TempSqlite.Open(groupCommit: true);
        try
        {
            await store.SubmitAsync(Table, [EntityOperation.Insert(E("p", "hot"))]);
            var etag = (await store.GetAsync(Table, "p", "hot"))!.ETag;

            var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => store.SubmitAsync(Table, [EntityOperation.Replace(E("p", "hot", i), etag)])));

            Assert.Equal(1, results.Count(r => r.Succeeded));
            Assert.Equal(49, results.Count(r => r.Failure == StoreFailure.PreconditionFailed));
        }
        finally
        {
            await TempSqlite.DestroyAsync(store);
        }
    }

    [Fact]
    public async Task Durability_AcknowledgedBatch_IsVisibleAfterReopeningTheFile()
    {
        var path = TempSqlite.NewPath();
        var first = TempSqlite.Open(path: path);
        var written = await first.SubmitAsync(Table, [EntityOperation.Insert(E("p", "a", 42)), EntityOperation.Insert(E("p", "b", 43))]);
        Assert.True(written.Succeeded);
        await first.DisposeAsync();

        var reopened = TempSqlite.Open(path: path);
        try
        {
            var a = await reopened.GetAsync(Table, "p", "a");
            Assert.Equal(42, a!.GetInt32("V"));
            Assert.Equal(written.ETags[0], a.ETag);
            Assert.Equal(43, (await reopened.GetAsync(Table, "p", "b"))!.GetInt32("V"));
        }
        finally
        {
            await TempSqlite.DestroyAsync(reopened);
        }
    }

    [Fact]
    public async Task Durability_ETagsAfterReopening_NeverRepeatOneIssuedBefore()
    {
        var path = TempSqlite.NewPath();
        var first = TempSqlite.Open(path: path);
        var old = (await first.SubmitAsync(Table, [EntityOperation.Insert(E("p", "a"))])).ETags[0];
        Assert.True((await first.SubmitAsync(Table, [EntityOperation.Delete(E("p", "a"), old)])).Succeeded);
        await first.DisposeAsync();

        var reopened = TempSqlite.Open(path: path);
        try
        {
            var recreated = (await reopened.SubmitAsync(Table, [EntityOperation.Insert(E("p", "a"))])).ETags[0];
            Assert.NotEqual(old, recreated);
            var stale = await reopened.SubmitAsync(Table, [EntityOperation.Replace(E("p", "a", 1), old)]);
            Assert.Equal(StoreFailure.PreconditionFailed, stale.Failure);
        }
        finally
        {
            await TempSqlite.DestroyAsync(reopened);
        }
    }

    [Fact]
    public async Task StoreDown_PathUnderAFileNotADirectory_ThrowsStoreUnavailableAndIsNotReachable()
    {
        // Tests run as root here, so a chmod'ed read-only directory would not stop SQLite; a file where the
        // directory should be is refused for every user.
        var blocker = Path.Combine(Path.GetTempPath(), "smartspace-tests", "blocker-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.GetDirectoryName(blocker)!);
        await File.WriteAllTextAsync(blocker, "not a directory");
        var store = TempSqlite.Open(path: Path.Combine(blocker, "store.db"));
        try
        {
            await Assert.ThrowsAsync<StoreUnavailableException>(() => store.SubmitAsync(Table, [EntityOperation.Insert(E("p", "a"))]));
            await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetAsync(Table, "p", "a"));
            await Assert.ThrowsAsync<StoreUnavailableException>(() => store.QueryAsync(Table, new EntityQuery("p")));
            Assert.False(await store.IsReachableAsync());
        }
        finally
        {
            await store.DisposeAsync();
            File.Delete(blocker);
        }
    }

    [Fact]
    public async Task StoreDown_FileIsNotADatabase_ThrowsStoreUnavailable()
    {
        var path = TempSqlite.NewPath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, Enumerable.Repeat((byte)0x5A, 8192).ToArray());
        var store = TempSqlite.Open(path: path);
        try
        {
            await Assert.ThrowsAsync<StoreUnavailableException>(() => store.SubmitAsync(Table, [EntityOperation.Insert(E("p", "a"))]));
            Assert.False(await store.IsReachableAsync());
        }
        finally
        {
            await TempSqlite.DestroyAsync(store);
        }
    }

    [Fact]
    public async Task StoreDown_DisposedStore_ThrowsStoreUnavailableForReadsAndWrites()
    {
        var store = TempSqlite.Open();
        await store.SubmitAsync(Table, [EntityOperation.Insert(E("p", "a"))]);
        await TempSqlite.DestroyAsync(store);

        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.SubmitAsync(Table, [EntityOperation.Insert(E("p", "b"))]));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetAsync(Table, "p", "a"));
        Assert.False(await store.IsReachableAsync());
    }

    [Fact]
    public async Task Reachable_HealthyStore_ReturnsTrueAndCreatesTheFile()
    {
        var store = TempSqlite.Open();
        try
        {
            Assert.True(await store.IsReachableAsync());
            Assert.True(File.Exists(store.DatabasePath));
            await using var connection = new SqliteConnection($"Data Source={store.DatabasePath};Mode=ReadOnly;Pooling=false");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode";
            Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        }
        finally
        {
            await TempSqlite.DestroyAsync(store);
        }
    }

    [Fact]
    public async Task Submit_CancelledBeforeTheWriterTakesIt_IsNotWritten()
    {
        var store = TempSqlite.Open();
        try
        {
            using var cancelled = new CancellationTokenSource();
            await cancelled.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.SubmitAsync(Table, [EntityOperation.Insert(E("p", "a"))], cancelled.Token));
            Assert.Null(await store.GetAsync(Table, "p", "a"));
        }
        finally
        {
            await TempSqlite.DestroyAsync(store);
        }
    }
}
