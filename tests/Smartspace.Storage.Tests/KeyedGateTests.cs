namespace Smartspace.Storage.Tests;

public sealed class KeyedGateTests
{
    [Fact]
    public async Task Acquire_SameKeyHeld_SecondWaitsUntilFirstReleases()
    {
        var gate = new KeyedGate();
        var first = await gate.AcquireAsync("k");

        var second = gate.AcquireAsync("k").AsTask();
        await Task.Delay(50);
        Assert.False(second.IsCompleted);

        first.Dispose();
        (await second.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        Assert.Equal(0, gate.ActiveKeys);
    }

    [Fact]
    public async Task Acquire_DifferentKeys_DoNotWaitForEachOther()
    {
        var gate = new KeyedGate();
        using var a = await gate.AcquireAsync("a");
        var b = gate.AcquireAsync("b");

        Assert.True(b.IsCompleted);
        (await b).Dispose();
        Assert.Equal(1, gate.ActiveKeys);
    }

    [Fact]
    public async Task Acquire_CancelledWhileWaiting_ThrowsAndLeavesNoEntryBehind()
    {
        var gate = new KeyedGate();
        var held = await gate.AcquireAsync("k");
        using var cts = new CancellationTokenSource();

        var waiting = gate.AcquireAsync("k", cts.Token).AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        held.Dispose();
        Assert.Equal(0, gate.ActiveKeys);
    }

    [Fact]
    public async Task Release_DisposedTwice_ReleasesOnce()
    {
        var gate = new KeyedGate();
        var first = await gate.AcquireAsync("k");
        first.Dispose();
        first.Dispose();

        using var again = await gate.AcquireAsync("k");
        var third = gate.AcquireAsync("k");
        Assert.False(third.IsCompleted);
        again.Dispose();
        (await third).Dispose();
    }

    [Fact]
    public async Task Acquire_ManyContenders_NeverTwoHoldersAtOnce()
    {
        var gate = new KeyedGate();
        var inside = 0;
        var maxInside = 0;

        await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                using (await gate.AcquireAsync("hot"))
                {
                    var now = Interlocked.Increment(ref inside);
                    InterlockedMax(ref maxInside, now);
                    await Task.Yield();
                    Interlocked.Decrement(ref inside);
                }
            }
        })));

        Assert.Equal(1, maxInside);
        Assert.Equal(0, gate.ActiveKeys);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
