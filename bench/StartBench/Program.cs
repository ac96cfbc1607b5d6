using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

// StartBench: start-conversation latency against the real handler. Starts an Azurite (BenchAzurite) and the Release local
// host (HandlerProcess: tables, media and the Durable task hub on that Azurite, Meta sandbox on and pointed at the host's own
// /sandbox/graph, hosted timers on), creates bench agents with maxConcurrent 100 through the admin API (as supervisor
// carla), waits until the template is listed, then measures POST /api/agent/conversations with a template for fresh
// customer numbers (each start: the start orchestration locking the customer's and the agent's entities, its activity
// writing the rows, the outbox send to the sandbox):
//   1. sequential — one start at a time (uncontended), --starts of them;
//   2. after quiet — one start after --quiet-seconds of idling, --quiet times (idle queues back off their polling);
//   3. concurrent — --concurrent agents each starting --concurrent-starts sequentially, all at once (optional).
// Reported per phase: p50/p90/p99/max, non-201 answers, starts/s, the handler's and Azurite's CPU. Bounded in time; the
// handler and Azurite are stopped by their PIDs; the exit code is non-zero on any answer other than 201. See bench/README.md.
var options = StartOptions.Parse(args);
var repo = RepoRoot.Find();
if (Build.LocalHost(repo, options.NoBuild) is not { } handlerDll)
{
    return 2;
}

var work = Build.WorkDirectory("startbench");
using var azurite = await BenchAzurite.StartAsync(repo, work);
var port = BenchLocal.FreePort();
var baseUrl = $"http://127.0.0.1:{port}";
const string appSecret = "bench-app-secret-0123456789";
const string channelId = "100200300400500";

// The whole run is bounded: start-up, the three phases at a generous 3 s per start, the quiet spells, margins.
var budget = TimeSpan.FromSeconds(240 + (3 * (options.Warmup + options.Starts + options.Quiet + (options.Concurrent * options.ConcurrentStarts)))
    + (options.Quiet * options.QuietSeconds) + options.IdleSeconds + options.SettleSeconds);
using var deadline = new CancellationTokenSource(budget);
var extra = new Dictionary<string, string>
{
    // As scripts/run.sh runs it: the Meta sandbox answers the Graph API (templates, sends, status webhooks back to this host).
    ["Meta__SandboxEnabled"] = "true",
    ["Meta__GraphBaseUrl"] = baseUrl + "/sandbox/graph",
    ["Meta__SandboxWebhookUrl"] = baseUrl + "/api/whatsapp/webhook",
    ["Timers__Hosted"] = "true",
    // The per-agent limit (300 per minute) would refuse the bench's agents, not measure them.
    ["AgentApi__RateLimitPermits"] = "1000000",
};
if (options.PollingMs > 0)
{
    extra["Durable__MaxQueuePollingInterval"] = TimeSpan.FromMilliseconds(options.PollingMs).ToString("c", CultureInfo.InvariantCulture);
}

if (options.Partitions > 0)
{
    extra["Durable__PartitionCount"] = options.Partitions.ToString(CultureInfo.InvariantCulture);
}

using var handler = HandlerProcess.Start(handlerDll, work, port, appSecret, azurite, extra, Environment.GetEnvironmentVariable("STARTBENCH_LOG"));
Console.CancelKeyPress += (_, e) => { e.Cancel = true; deadline.Cancel(); };
var agents = new List<BenchAgent>();
try
{
    await handler.WaitReadyAsync(baseUrl, TimeSpan.FromSeconds(90));
    Console.WriteLine($"handler pid {handler.Pid} ready at {baseUrl}; Azurite pid {azurite.Pid}; {Environment.ProcessorCount} CPUs; " +
        $"Durable polling {(options.PollingMs > 0 ? options.PollingMs + " ms" : "product default")}, partitions {(options.Partitions > 0 ? options.Partitions.ToString(CultureInfo.InvariantCulture) : "product default")}; run bounded to {budget.TotalMinutes:F0} min");
    var ct = deadline.Token;
    await using var probe = new AzuriteStallProbe(azurite);
    using var carla = await BenchAgent.LoginAsync(baseUrl, "carla", ct);
    await carla.WaitForTemplateAsync(channelId, options.Template, TimeSpan.FromSeconds(90), ct);
    Console.WriteLine($"template {options.Template} listed for channel {channelId}");

    if (options.IdleSeconds > 0)
    {
        await BenchLocal.IdleCpuAsync(handler, azurite, options.SettleSeconds, options.IdleSeconds, "sandbox on, hosted timers on", ct);
    }

    // Bench agents: maxConcurrent 100 each; a start holds a conversation, so each agent takes at most PerAgent starts.
    var sharedStarts = options.Warmup + options.Starts + options.Quiet;
    var sharedAgents = (sharedStarts + BenchAgent.PerAgent - 1) / BenchAgent.PerAgent;
    for (var i = 0; i < sharedAgents + options.Concurrent; i++)
    {
        var id = "startbench" + (i + 1).ToString("D2", CultureInfo.InvariantCulture);
        await carla.PutAsync($"/api/agent/admin/agents/{id}", new { name = "Start Bench " + (i + 1), role = "agent", maxConcurrent = 100 }, ct);
        agents.Add(await BenchAgent.LoginAsync(baseUrl, id, ct));
    }

    Console.WriteLine($"{agents.Count} bench agents (maxConcurrent 100): {sharedAgents} for the sequential phases, {options.Concurrent} for the concurrent one");
    var numbers = new CustomerNumbers();
    var shared = new AgentRotation(agents.Take(sharedAgents).ToList());
    var template = new { name = options.Template, language = "pt_BR", body = new[] { "Maria", "Smartspace" }, headerImageLink = "https://example.com/retomada.png" };
    var results = new List<PhaseResult>();

    // Warm-up: JIT, connections, the task hub's partitions and queues (not reported; its answers still count).
    var warm = new Phase("warm-up", handler, azurite, probe);
    for (var i = 0; i < options.Warmup; i++)
    {
        warm.Add(await shared.Next().StartAsync(numbers.Next(), template, ct));
    }

    var warmResult = warm.Finish();
    Console.WriteLine(warmResult.Summary());

    // 1. Sequential, uncontended: one start at a time, back to back.
    var sequential = new Phase("sequential", handler, azurite, probe);
    for (var i = 0; i < options.Starts; i++)
    {
        sequential.Add(await shared.Next().StartAsync(numbers.Next(), template, ct));
    }

    results.Add(sequential.Finish());
    Console.WriteLine(results[^1].Summary());

    // 2. After quiet: nothing runs for a while, the idle queues back off their polling up to MaxQueuePollingInterval.
    PhaseResult? afterQuiet = null;
    if (options.Quiet > 0)
    {
        var quiet = new Phase($"after {options.QuietSeconds} s quiet", handler, azurite, probe);
        for (var i = 0; i < options.Quiet; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(options.QuietSeconds), ct);
            quiet.Add(await shared.Next().StartAsync(numbers.Next(), template, ct));
        }

        results.Add(afterQuiet = quiet.Finish());
        Console.WriteLine(afterQuiet.Summary());
    }

    // 3. Concurrent: K agents, each starting sequentially, all at the same time (distinct customers: no lock is shared).
    if (options.Concurrent > 0)
    {
        var concurrent = new Phase($"{options.Concurrent} agents concurrently", handler, azurite, probe);
        await Task.WhenAll(agents.Skip(sharedAgents).Select(agent => Task.Run(async () =>
        {
            for (var i = 0; i < options.ConcurrentStarts; i++)
            {
                concurrent.Add(await agent.StartAsync(numbers.Next(), template, ct));
            }
        }, ct)));
        results.Add(concurrent.Finish());
        Console.WriteLine(results[^1].Summary());
    }

    Console.WriteLine();
    Console.WriteLine("| phase | starts | non-201 | p50 ms | p90 ms | p99 ms | max ms | starts/s | handler CPU % | Azurite CPU % | handler CPU ms/start | Azurite CPU ms/start | Azurite stall probe max ms | load avg before → after |");
    Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    foreach (var r in results)
    {
        Console.WriteLine(r.Row());
    }

    var failures = results.Append(warmResult).Sum(r => r.Failures);
    Console.WriteLine();
    Console.WriteLine(FormattableString.Invariant(
        $"issue 14's budget for an uncontended start: p50 <= 300 ms, p99 <= 1 s; sequential p50 {results[0].P(0.5):F0} ms, p99 {results[0].P(0.99):F0} ms")
        + (afterQuiet is null ? "" : FormattableString.Invariant($"; after quiet p50 {afterQuiet.P(0.5):F0} ms, p99 {afterQuiet.P(0.99):F0} ms")));
    if (failures > 0)
    {
        Console.WriteLine($"{failures} start(s) did not answer 201");
    }

    return failures == 0 ? 0 : 1;
}
catch (OperationCanceledException) when (deadline.IsCancellationRequested)
{
    Console.Error.WriteLine($"StartBench: the run did not finish within its bound ({budget.TotalMinutes:F0} min); stopped.");
    return 3;
}
finally
{
    foreach (var agent in agents)
    {
        agent.Dispose();
    }

    BenchLocal.CleanUp(handler, work);
}

internal sealed record StartOptions(int Starts, int Warmup, int Quiet, int QuietSeconds, int Concurrent, int ConcurrentStarts, int IdleSeconds, int SettleSeconds, int PollingMs, int Partitions, string Template, bool NoBuild)
{
    public static StartOptions Parse(string[] args)
    {
        int Int(string name, int fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        }

        var t = Array.IndexOf(args, "--template");
        var o = new StartOptions(Int("--starts", 200), Int("--warmup", 10), Int("--quiet", 20), Int("--quiet-seconds", 3), Int("--concurrent", 0), Int("--concurrent-starts", 20),
            Int("--idle-seconds", 0), Int("--settle-seconds", 30), Int("--polling-ms", 0), Int("--partitions", 0), t >= 0 && t + 1 < args.Length ? args[t + 1] : "retomada_atendimento", args.Contains("--no-build"));
        if (o.Starts is < 1 or > 5000 || o.Warmup is < 0 or > 500 || o.Quiet is < 0 or > 200 || o.QuietSeconds is < 0 or > 120 || o.Concurrent is < 0 or > 50
            || o.ConcurrentStarts is < 1 or > BenchAgent.PerAgent || o.IdleSeconds is < 0 or > 600 || o.SettleSeconds is < 0 or > 600 || o.PollingMs is < 0 or > 30_000 || o.Partitions is < 0 or > 16)
        {
            throw new ArgumentException($"--starts 1..5000, --warmup 0..500, --quiet 0..200, --quiet-seconds 0..120, --concurrent 0..50, --concurrent-starts 1..{BenchAgent.PerAgent}, " +
                "--idle-seconds 0..600, --settle-seconds 0..600, --polling-ms 0..30000 (0: the product's default), --partitions 0..16 (0: the product's default), --template NAME");
        }

        return o;
    }
}

/// <summary>Fresh Brazilian mobile numbers (11 9XXXX-XXXX), one per start: a new customer each time.</summary>
internal sealed class CustomerNumbers
{
    private int next;

    public string Next() => "119" + (10_000_000 + Interlocked.Increment(ref next)).ToString(CultureInfo.InvariantCulture);
}

/// <summary>The sequential phases' agents in turn, each up to <see cref="BenchAgent.PerAgent"/> starts (below its maximum of 100).</summary>
internal sealed class AgentRotation(List<BenchAgent> agents)
{
    private int used;

    public BenchAgent Next() => agents[used++ / BenchAgent.PerAgent];
}

/// <summary>One answer of POST /api/agent/conversations: status and latency (sent → body read).</summary>
internal readonly record struct StartResult(int Status, double Ms, string? Error, DateTimeOffset SentAt = default);

/// <summary>An agent of the demo contact center through the agent API, with a development token; one keep-alive connection.</summary>
internal sealed class BenchAgent : IDisposable
{
    /// <summary>Starts per bench agent: each holds its conversation, and the agent's maximum is 100.</summary>
    public const int PerAgent = 90;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient http;

    private BenchAgent(HttpClient http) => this.http = http;

    public static async Task<BenchAgent> LoginAsync(string baseUrl, string agentId, CancellationToken ct)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseProxy = false })
        {
            BaseAddress = new Uri(baseUrl),
            Timeout = TimeSpan.FromSeconds(60),
        };
        using var response = await http.PostAsync("/api/dev/token", Body(new { agentId }), ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            http.Dispose();
            throw new InvalidOperationException($"dev token for {agentId}: {(int)response.StatusCode} {text}");
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", JsonDocument.Parse(text).RootElement.GetProperty("accessToken").GetString());
        return new BenchAgent(http);
    }

    public async Task PutAsync(string url, object body, CancellationToken ct)
    {
        using var response = await http.PutAsync(url, Body(body), ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"PUT {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }
    }

    /// <summary>Until GET /api/agent/channels/{channel}/templates lists the template (the start-up sync), bounded.</summary>
    public async Task WaitForTemplateAsync(string channel, string name, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using (var response = await http.GetAsync($"/api/agent/channels/{channel}/templates", ct))
            {
                if (response.IsSuccessStatusCode)
                {
                    using var list = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
                    if (list.RootElement.GetProperty("templates").EnumerateArray().Any(t => t.GetProperty("name").GetString() == name))
                    {
                        return;
                    }
                }
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"template {name} was not listed for channel {channel} within {timeout.TotalSeconds:F0} s.");
            }

            await Task.Delay(250, ct);
        }
    }

    public async Task<StartResult> StartAsync(string number, object template, CancellationToken ct)
    {
        var content = Body(new { number, template });
        var sentAt = DateTimeOffset.UtcNow;
        var sent = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.PostAsync("/api/agent/conversations", content, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            var ms = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
            return new StartResult((int)response.StatusCode, ms, response.StatusCode == HttpStatusCode.Created ? null : text.Length > 300 ? text[..300] : text, sentAt);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return new StartResult(0, Stopwatch.GetElapsedTime(sent).TotalMilliseconds, e.GetType().Name + ": " + e.Message);
        }
    }

    private static StringContent Body(object value) => new(JsonSerializer.Serialize(value, Json), Encoding.UTF8, "application/json");

    public void Dispose() => http.Dispose();
}

/// <summary>One phase's answers and the CPU the handler and Azurite used over its wall time.</summary>
internal sealed class Phase(string name, HandlerProcess handler, BenchAzurite azurite, AzuriteStallProbe probe)
{
    private readonly List<StartResult> results = [];
    private readonly int probesBefore = probe.Take().Probes; // the probe's window starts with the phase
    private readonly Stopwatch wall = Stopwatch.StartNew();
    private readonly TimeSpan handlerCpu0 = handler.CpuTime();
    private readonly TimeSpan azuriteCpu0 = azurite.CpuTime();
    private readonly string load0 = BenchLocal.LoadAverage();

    public void Add(StartResult result)
    {
        lock (results)
        {
            results.Add(result);
            if (result.Status != 201 && results.Count(r => r.Status != 201) <= 3)
            {
                Console.WriteLine($"{name}: answer {result.Status} after {result.Ms:F0} ms: {result.Error}");
            }
            else if (result.Ms > 1000)
            {
                // An outlier, with its UTC send time to find it in the handler's log (STARTBENCH_LOG).
                Console.WriteLine(FormattableString.Invariant($"{name}: slow start, {result.Ms:F0} ms, sent {result.SentAt:HH:mm:ss.fff} UTC"));
            }
        }
    }

    public PhaseResult Finish()
    {
        lock (results)
        {
            var seconds = wall.Elapsed.TotalSeconds;
            var stall = probe.Take();
            return new PhaseResult(name, stall.MaxMs, results.Where(r => r.Status == 201).Select(r => r.Ms).Order().ToArray(),
                results.Where(r => r.Status != 201).GroupBy(r => r.Status).ToDictionary(g => g.Key, g => g.Count()),
                results.Count, seconds, (handler.CpuTime() - handlerCpu0).TotalSeconds, (azurite.CpuTime() - azuriteCpu0).TotalSeconds, load0, BenchLocal.LoadAverage());
        }
    }
}

internal sealed record PhaseResult(string Name, double AzuriteSlowestMs, double[] Ms, Dictionary<int, int> Codes, int Count, double Seconds, double HandlerCpu, double AzuriteCpu, string LoadBefore, string LoadAfter)
{
    public int Failures => Codes.Values.Sum();

    public double P(double q) => Ms.Length == 0 ? double.NaN : Ms[Math.Clamp((int)Math.Ceiling(q * Ms.Length) - 1, 0, Ms.Length - 1)];

    private string Codes201 => Failures == 0 ? "0" : Failures + " (" + string.Join(", ", Codes.Select(c => $"{c.Key}: {c.Value}")) + ")";

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"{Name}: {Count} starts in {Seconds:F1} s, non-201 {Codes201}, p50 {P(0.5):F1} ms, p90 {P(0.9):F1} ms, p99 {P(0.99):F1} ms, max {P(1):F1} ms; Azurite's slowest answer to the stall probe {AzuriteSlowestMs:F0} ms");

    public string Row() => string.Create(CultureInfo.InvariantCulture,
        $"| {Name} | {Count} | {Codes201} | {P(0.5):F1} | {P(0.9):F1} | {P(0.99):F1} | {P(1):F1} | {Count / Seconds:F1} | {100 * HandlerCpu / Seconds:F0} | {100 * AzuriteCpu / Seconds:F0} | {1000 * HandlerCpu / Math.Max(1, Count):F1} | {1000 * AzuriteCpu / Math.Max(1, Count):F1} | {AzuriteSlowestMs:F0} | {LoadBefore} → {LoadAfter} |");
}
