using System.Collections.Concurrent;
using System.Diagnostics;
using Smartspace.Durable.Placement;

namespace Smartspace.Durable.Tests.Placement;

/// <summary>
/// The placement port as the tests see it: every call (with the time it ran), and the effect applied once per wamid — as
/// the product's Tables implementation must (idempotent by wamid).
/// </summary>
public sealed class RecordingPlacement : IInboundPlacement
{
    private readonly ConcurrentDictionary<string, PlaceInboundInput> placed = new(StringComparer.Ordinal);

    /// <summary>Every call, in the order they ran, with <see cref="Stopwatch.GetTimestamp"/> at the call and whether it placed.</summary>
    public ConcurrentQueue<(PlaceInboundInput Input, long Timestamp, bool PlacedNow)> Calls { get; } = new();

    /// <summary>The effect: each wamid once, with the conversation it went into.</summary>
    public IReadOnlyDictionary<string, PlaceInboundInput> Placed => placed;

    public int CallsFor(string wamid) => Calls.Count(c => c.Input.Wamid == wamid);

    /// <summary>The calls for <paramref name="wamid"/> that had an effect (exactly one when placement works).</summary>
    public int EffectsFor(string wamid) => Calls.Count(c => c.Input.Wamid == wamid && c.PlacedNow);

    private readonly ConcurrentDictionary<string, int> failures = new(StringComparer.Ordinal);

    /// <summary>The next <paramref name="times"/> calls for <paramref name="wamid"/> fail like a store that is down.</summary>
    public void FailNext(string wamid, int times) => failures[wamid] = times;

    /// <summary>Wamids an erasure removed before they were placed: their calls answer <see cref="PlacementOutcome.Gone"/>.</summary>
    public ConcurrentDictionary<string, bool> Erased { get; } = new(StringComparer.Ordinal);

    public Task<PlacementOutcome> PlaceAsync(PlaceInboundInput placement, CancellationToken ct)
    {
        if (failures.TryGetValue(placement.Wamid, out var left) && left > 0 && failures.TryUpdate(placement.Wamid, left - 1, left))
        {
            Calls.Enqueue((placement, Stopwatch.GetTimestamp(), false));
            throw new InvalidOperationException("The store is down (simulated).");
        }

        if (Erased.ContainsKey(placement.Wamid) && !placed.ContainsKey(placement.Wamid))
        {
            Calls.Enqueue((placement, Stopwatch.GetTimestamp(), false));
            return Task.FromResult(PlacementOutcome.Gone);
        }

        var now = placed.TryAdd(placement.Wamid, placement);
        Calls.Enqueue((placement, Stopwatch.GetTimestamp(), now));
        return Task.FromResult(now ? PlacementOutcome.Placed : PlacementOutcome.AlreadyPlaced);
    }
}
