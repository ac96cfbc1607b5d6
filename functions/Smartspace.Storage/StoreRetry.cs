namespace Smartspace.Storage;

/// <summary>The outcome of one attempt of a read → decide → conditional-write loop.</summary>
public readonly record struct StoreAttempt<T>(bool IsDone, T? Value)
{
    /// <summary>The attempt finished (committed, or decided there is nothing to do); stop with this value.</summary>
    public static StoreAttempt<T> Done(T value) => new(true, value);
    /// <summary>The conditional write lost a race (conflict); read again and re-decide.</summary>
    public static StoreAttempt<T> Retry => new(false, default);
}

/// <summary>
/// Runs a read → decide → conditional-write loop until it is done, with bounded attempts and
/// full-jitter exponential back-off between them (a few ms; conflicts on one entity clear quickly).
/// Only conflicts are retried; <see cref="StoreUnavailableException"/> and other exceptions propagate.
/// </summary>
public static class StoreRetry
{
    public const int DefaultMaxAttempts = 10;
    private static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(2);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>Returns the value of the first attempt that is done; throws <see cref="StoreConflictException"/> when every attempt asked to retry.</summary>
    public static async Task<T> RunAsync<T>(
        Func<CancellationToken, Task<StoreAttempt<T>>> attempt,
        int maxAttempts = DefaultMaxAttempts,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        for (var i = 1; ; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var outcome = await attempt(cancellationToken).ConfigureAwait(false);
            if (outcome.IsDone)
            {
                return outcome.Value!;
            }

            if (i >= maxAttempts)
            {
                throw new StoreConflictException($"Gave up after {maxAttempts} conflicting attempts.");
            }

            await Task.Delay(Backoff(i), timeProvider ?? TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Variant for attempts that return true when done and false to retry.</summary>
    public static Task RunAsync(
        Func<CancellationToken, Task<bool>> attempt,
        int maxAttempts = DefaultMaxAttempts,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        return RunAsync<bool>(async ct => await attempt(ct).ConfigureAwait(false) ? StoreAttempt<bool>.Done(true) : StoreAttempt<bool>.Retry, maxAttempts, timeProvider, cancellationToken);
    }

    /// <summary>Full jitter: uniform in [0, min(max, base * 2^(attempt-1))].</summary>
    internal static TimeSpan Backoff(int failedAttempts)
    {
        var cap = Math.Min(MaxDelay.Ticks, BaseDelay.Ticks << Math.Min(failedAttempts - 1, 16));
        return TimeSpan.FromTicks(Random.Shared.NextInt64(cap + 1));
    }
}

/// <summary>A read → decide → write loop lost every race it was allowed to try (<see cref="StoreRetry"/>).</summary>
public sealed class StoreConflictException(string message) : Exception(message);
