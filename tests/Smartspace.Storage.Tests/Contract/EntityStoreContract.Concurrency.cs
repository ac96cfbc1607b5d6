namespace Smartspace.Storage.Tests.Contract;

public abstract partial class EntityStoreContract
{
    private const int Workers = 32;
    private const int IncrementsPerWorker = 25;

    private async Task Increment(string rowKey, CancellationToken cancellationToken)
    {
        await StoreRetry.RunAsync(async ct =>
        {
            var current = (await Store.GetAsync(Table, Pk, rowKey, ct))!;
            var next = E(rowKey, ("N", current.GetInt64("N")!.Value + 1));
            var result = await Store.SubmitAsync(Table, [EntityOperation.Replace(next, current.ETag)], ct);
            Assert.True(result.Succeeded || result.Failure == StoreFailure.PreconditionFailed, $"unexpected {result.Failure}");
            return result.Succeeded;
        }, maxAttempts: 100_000, cancellationToken: cancellationToken);
    }

    [Fact]
    public async Task Concurrency_32WorkersIncrementOneCounterWithIfMatchAndRetry_EndsAtExactly800()
    {
        await Inserted("counter", ("N", 0L));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < IncrementsPerWorker; i++)
            {
                await Increment("counter", timeout.Token);
            }
        })));

        Assert.Equal(Workers * IncrementsPerWorker, (await Get("counter"))!.GetInt64("N"));
    }

    [Fact]
    public async Task Concurrency_32WorkersBehindKeyedGate_EndsAtExactly800()
    {
        await Inserted("counter", ("N", 0L));
        var gate = new KeyedGate();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < IncrementsPerWorker; i++)
            {
                using (await gate.AcquireAsync(Pk + "/counter", timeout.Token))
                {
                    await Increment("counter", timeout.Token);
                }
            }
        })));

        Assert.Equal(Workers * IncrementsPerWorker, (await Get("counter"))!.GetInt64("N"));
        Assert.Equal(0, gate.ActiveKeys);
    }
}
