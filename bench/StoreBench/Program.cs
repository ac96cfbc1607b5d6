using System.Diagnostics;
using System.Globalization;
using Smartspace.Storage;
using Smartspace.Storage.Sqlite;

// StoreBench: N concurrent writers, each submitting webhook-shaped batches into its own timeline partition
// (insert message row + insert dedupe row + replace the customer profile with If-Match), against a temp
// SQLite file with synchronous=FULL. Runs once with GroupCommit=false (baseline), once with GroupCommit=true.
var seconds = 5.0;
var concurrency = 64;
var warmup = 1.0;
for (var i = 0; i < args.Length - 1; i++)
{
    switch (args[i])
    {
        case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--concurrency": concurrency = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--warmup": warmup = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
    }
}

Console.WriteLine($"StoreBench: {concurrency} writers, {seconds:0.#} s per mode (+{warmup:0.#} s warm-up), SQLite WAL synchronous=FULL, {Environment.ProcessorCount} CPUs");
var baseline = await RunAsync(groupCommit: false);
var grouped = await RunAsync(groupCommit: true);
Console.WriteLine();
Console.WriteLine($"| mode | batches | batches/s | p50 ms | p99 ms | max ms |");
Console.WriteLine($"| --- | ---: | ---: | ---: | ---: | ---: |");
Print("GroupCommit=false", baseline);
Print("GroupCommit=true", grouped);
Console.WriteLine();
Console.WriteLine($"throughput ratio (group / baseline): {grouped.PerSecond / baseline.PerSecond:0.0}x; p99 ratio: {baseline.P99 / grouped.P99:0.0}x lower");
return 0;

static void Print(string mode, Result r) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {mode} | {r.Batches} | {r.PerSecond:0} | {r.P50:0.00} | {r.P99:0.00} | {r.Max:0.00} |"));

async Task<Result> RunAsync(bool groupCommit)
{
    var dir = Directory.CreateTempSubdirectory("storebench-").FullName;
    var store = new SqliteEntityStore(new StorageOptions { SqlitePath = Path.Combine(dir, "bench.db"), GroupCommit = groupCommit });
    try
    {
        const string table = "timeline";
        var etags = new string?[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            var created = await store.SubmitAsync(table, [EntityOperation.Insert(Profile(w, DateTimeOffset.UnixEpoch))]);
            etags[w] = created.ETags[0];
        }

        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup * Stopwatch.Frequency);
        var stopAt = measureFrom + (long)(seconds * Stopwatch.Frequency);
        var latencies = new List<double>[concurrency];
        var failures = 0;
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<double>(100_000);
            var seq = 0L;
            var at = new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);
            var text = new string('m', 160);
            while (true)
            {
                var t0 = Stopwatch.GetTimestamp();
                if (t0 >= stopAt)
                {
                    break;
                }

                seq++;
                var wamid = $"wamid.HBgNNTUxMTk5OTk5{w:D4}{seq:D10}";
                var pk = Partition(w);
                var message = new Entity(pk, $"msg-{seq:D12}", new Dictionary<string, object?>
                {
                    ["Wamid"] = wamid, ["Direction"] = "inbound", ["Type"] = "text", ["Text"] = text,
                    ["At"] = at.AddSeconds(seq), ["Status"] = "received", ["Version"] = seq,
                });
                var dedupe = new Entity(pk, "dedupe-" + wamid, new Dictionary<string, object?> { ["MessageRowKey"] = message.RowKey });
                var result = await store.SubmitAsync(table, [EntityOperation.Insert(message), EntityOperation.Insert(dedupe), EntityOperation.Replace(Profile(w, at.AddSeconds(seq)), etags[w])]);
                var t1 = Stopwatch.GetTimestamp();
                if (!result.Succeeded)
                {
                    Interlocked.Increment(ref failures);
                    continue;
                }

                etags[w] = result.ETags[2];
                if (t0 >= measureFrom)
                {
                    mine.Add((t1 - t0) * 1000.0 / Stopwatch.Frequency);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        if (failures > 0)
        {
            throw new InvalidOperationException($"{failures} batches failed");
        }

        var stats = store.Writer.Stats;
        var ms = 1000.0 / Stopwatch.Frequency;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  GroupCommit={groupCommit}: {stats.Groups} commits, {(double)stats.Batches / Math.Max(1, stats.Groups):0.0} batches/commit, apply {stats.ApplyTicks * ms / Math.Max(1, stats.Groups):0.000} ms/commit, commit+fsync {stats.CommitTicks * ms / Math.Max(1, stats.Groups):0.000} ms/commit"));
        var all = latencies.SelectMany(l => l).OrderBy(x => x).ToArray();
        return new Result(all.Length, all.Length / seconds, Percentile(all, 0.50), Percentile(all, 0.99), all[^1]);
    }
    finally
    {
        await store.DisposeAsync();
        Directory.Delete(dir, recursive: true);
    }
}

static string Partition(int writer) => $"tl-5511999{writer:D6}";

static Entity Profile(int writer, DateTimeOffset lastInbound) => new(Partition(writer), "profile", new Dictionary<string, object?>
{
    ["Name"] = $"Cliente {writer}", ["WaId"] = $"5511999{writer:D6}", ["LastInboundAt"] = lastInbound, ["Channel"] = "demo",
});

static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

internal sealed record Result(int Batches, double PerSecond, double P50, double P99, double Max);
