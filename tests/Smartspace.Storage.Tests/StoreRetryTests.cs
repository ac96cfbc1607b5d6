namespace Smartspace.Storage.Tests;

public sealed class StoreRetryTests
{
    [Fact]
    public async Task Run_ConflictsThenDone_ReturnsTheDoneValue()
    {
        var attempts = 0;

        var value = await StoreRetry.RunAsync(_ => Task.FromResult(++attempts < 3 ? StoreAttempt<string>.Retry : StoreAttempt<string>.Done("ok")));

        Assert.Equal("ok", value);
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task Run_EveryAttemptConflicts_ThrowsStoreConflictAfterMaxAttempts()
    {
        var attempts = 0;

        await Assert.ThrowsAsync<StoreConflictException>(() => StoreRetry.RunAsync(_ => Task.FromResult(++attempts < 0), maxAttempts: 4));

        Assert.Equal(4, attempts);
    }

    [Fact]
    public async Task Run_AttemptThrowsStoreUnavailable_PropagatesWithoutRetrying()
    {
        var attempts = 0;

        await Assert.ThrowsAsync<StoreUnavailableException>(() => StoreRetry.RunAsync(_ =>
        {
            attempts++;
            throw new StoreUnavailableException("down");
        }));

        Assert.Equal(1, attempts);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(40)]
    public void Backoff_IsWithinZeroAndOneHundredMilliseconds(int failedAttempts)
    {
        for (var i = 0; i < 100; i++)
        {
            var delay = StoreRetry.Backoff(failedAttempts);
            Assert.InRange(delay, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
        }
    }
}
