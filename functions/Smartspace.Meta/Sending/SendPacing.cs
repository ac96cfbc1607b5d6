namespace Smartspace.Meta.Sending;

/// <summary>
/// Bounds for sending through the Cloud API (reference §11), with Meta's published defaults. Typed, with units.
/// </summary>
public sealed record SendLimits
{
    public static readonly SendLimits Default = new();

    /// <summary>Messages per second one business number may send (Meta: 80 by default; 20 for coexistence numbers).</summary>
    public double NumberMessagesPerSecond { get; init; } = 80;

    /// <summary>Pair rate: one message per this interval to one customer (Meta: 6 s)…</summary>
    public TimeSpan PairInterval { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>…with a burst of up to this many (Meta: 45 in 6 s, borrowing future quota).</summary>
    public int PairBurst { get; init; } = 45;

    /// <summary>
    /// Graph calls in flight per business number. Meta answers in well under a second, so 32 keep up with 80 mps;
    /// hung calls of one number never take another number's slots.
    /// </summary>
    public int MaxConcurrentPerNumber { get; init; } = 32;

    /// <summary>Graph calls in flight in this process, all numbers together.</summary>
    public int MaxConcurrent { get; init; } = 256;

    /// <summary>A send paced for longer than this is put back in the outbox for later instead of holding a slot.</summary>
    public TimeSpan MaxPacingWait { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>The outcome of <see cref="SendPacing.Reserve"/>.</summary>
/// <param name="Reserved">True: send after <paramref name="Wait"/> (zero: at once). False: nothing reserved; try again after <paramref name="Wait"/>.</param>
public readonly record struct PacingDecision(bool Reserved, TimeSpan Wait);

/// <summary>
/// Keeps sends within a business number's throughput and the per-customer pair rate (reference §11) with one
/// generic cell rate algorithm per key: each key remembers the theoretical time of its next send; a send is allowed
/// when that time minus the burst tolerance has come. Thread-safe; time is the caller's.
/// </summary>
public sealed class SendPacing(SendLimits limits)
{
    private const int PruneAbove = 10_000;

    private readonly object gate = new();
    private readonly Dictionary<string, DateTimeOffset> next = new(StringComparer.Ordinal);
    private readonly TimeSpan numberInterval = TimeSpan.FromSeconds(1 / limits.NumberMessagesPerSecond);
    private readonly TimeSpan numberTolerance = TimeSpan.FromSeconds((Math.Max(1, limits.NumberMessagesPerSecond) - 1) / limits.NumberMessagesPerSecond);
    private readonly TimeSpan pairTolerance = limits.PairInterval * (Math.Max(1, limits.PairBurst) - 1);

    /// <summary>
    /// Reserves a send from business number <paramref name="number"/> to <paramref name="recipient"/> at the
    /// earliest moment both limits allow. When that is more than <see cref="SendLimits.MaxPacingWait"/> away nothing is reserved.
    /// </summary>
    public PacingDecision Reserve(string number, string recipient, DateTimeOffset now)
    {
        var numberKey = "n|" + number;
        var pairKey = "p|" + number + "|" + recipient;
        lock (gate)
        {
            var start = Max(now, Max(Earliest(numberKey, numberTolerance, now), Earliest(pairKey, pairTolerance, now)));
            var wait = start - now;
            if (wait > limits.MaxPacingWait)
            {
                return new PacingDecision(false, wait);
            }

            next[numberKey] = Max(next.GetValueOrDefault(numberKey, start), start) + numberInterval;
            next[pairKey] = Max(next.GetValueOrDefault(pairKey, start), start) + limits.PairInterval;
            if (next.Count > PruneAbove)
            {
                foreach (var stale in next.Where(p => p.Value <= now).Select(p => p.Key).ToList())
                {
                    next.Remove(stale);
                }
            }

            return new PacingDecision(true, wait);
        }
    }

    private DateTimeOffset Earliest(string key, TimeSpan tolerance, DateTimeOffset now) =>
        next.TryGetValue(key, out var at) ? at - tolerance : now;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
