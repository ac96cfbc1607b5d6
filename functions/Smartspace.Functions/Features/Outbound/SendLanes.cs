using System.Collections.Concurrent;
using Smartspace.Meta.Sending;

namespace Smartspace.Functions.Features.Outbound;

/// <summary>
/// Slots for Graph calls: at most <see cref="SendLimits.MaxConcurrentPerNumber"/> per business number and
/// <see cref="SendLimits.MaxConcurrent"/> in all. A hung call holds one slot of its own number only, so other
/// numbers (other contact centers) and the rest of its own number's slots keep sending.
/// </summary>
public sealed class SendLanes(SendLimits limits)
{
    private readonly SemaphoreSlim all = new(limits.MaxConcurrent, limits.MaxConcurrent);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> numbers = new(StringComparer.Ordinal);

    public async Task<IDisposable> EnterAsync(string number, CancellationToken ct)
    {
        var lane = numbers.GetOrAdd(number, _ => new SemaphoreSlim(limits.MaxConcurrentPerNumber, limits.MaxConcurrentPerNumber));
        await lane.WaitAsync(ct);
        try
        {
            await all.WaitAsync(ct);
        }
        catch
        {
            lane.Release();
            throw;
        }

        return new Slot(lane, all);
    }

    private sealed class Slot(SemaphoreSlim lane, SemaphoreSlim all) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                all.Release();
                lane.Release();
            }
        }
    }
}
