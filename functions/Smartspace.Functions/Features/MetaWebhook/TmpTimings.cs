using System.Diagnostics;

namespace Smartspace.Functions.Features.MetaWebhook;

// TEMPORARY profiling aid (removed after the bench analysis).
public static class TmpTimings
{
    public static readonly string[] Names = ["read", "verify", "parse", "apply", "gate", "reads", "build", "submit", "publish", "router", "status"];
    private static readonly long[] Ticks = new long[Names.Length];
    private static readonly long[] Counts = new long[Names.Length];
    private static long requests;

    public static void Add(int phase, long start)
    {
        Interlocked.Add(ref Ticks[phase], Stopwatch.GetTimestamp() - start);
        Interlocked.Increment(ref Counts[phase]);
    }

    public static void Request()
    {
        if (Interlocked.Increment(ref requests) % 1000 == 0)
        {
            var parts = Names.Select((n, i) => $"{n}={Ticks[i] * 1_000_000.0 / Stopwatch.Frequency / Math.Max(1, Counts[i]):F0}us/{Counts[i]}");
            Console.Error.WriteLine("TIMINGS " + requests + " " + string.Join(" ", parts));
            Array.Clear(Ticks);
            Array.Clear(Counts);
        }
    }
}
