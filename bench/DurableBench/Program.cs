// Durable entities on the local runtime (DTFx + Azure Storage provider) against an Azurite this program starts on free
// loopback ports and stops: see bench/README.md. Usage: dotnet run -c Release --project bench/DurableBench -- [--polling-ms 1000] [--starts 100] [--idle-seconds 20]
// [--placement-only 1] [--placement-messages 300] [--placement-customers 32] [--placement-rate 20] [--placement-sparse 10] [--placement-hosts 1]
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Smartspace.Core.Conversations;
using Smartspace.Durable.Effects;
using Smartspace.Durable.Entities;
using Smartspace.Durable.Orchestrations;
using Smartspace.Durable.Placement;
using Smartspace.Durable.Runtime;

var pollingMs = Arg("--polling-ms", 1000);
var starts = Arg("--starts", 100);
var idleSeconds = Arg("--idle-seconds", 20);
var placementOnly = Arg("--placement-only", 0) == 1;
var placementMessages = Arg("--placement-messages", 300);
var placementCustomers = Arg("--placement-customers", 32);
var placementRate = Arg("--placement-rate", 20);
var placementSparse = Arg("--placement-sparse", 10);
var placementHosts = Arg("--placement-hosts", 1);
var root = RepoRoot.Find();
var workspace = Directory.CreateTempSubdirectory("durablebench-").FullName;
var azurite = await BenchAzurite.StartAsync(root, workspace);
try
{
    var options = new DurableOptions
    {
        ConnectionString = azurite.ConnectionString,
        TaskHub = "bench",
        MaxQueuePollingInterval = TimeSpan.FromMilliseconds(pollingMs),
        CompletionTimeout = TimeSpan.FromSeconds(120),
    };
    var port = new TimedPlacement();
    var marks = new PlacementMarks();
    await using var runtime = await LocalDurableRuntime.StartAsync(options, marks, new Services(port));
    var client = runtime.Client;
    Console.WriteLine($"MaxQueuePollingInterval {pollingMs} ms, {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}");

    if (placementOnly)
    {
        if (placementHosts == 2)
        {
            // Two workers share the task hub (partitions split between them) and the signals come from a client of its
            // own, as the webhook on another instance would: no hop is woken in-process for free.
            await using var second = await LocalDurableRuntime.StartAsync(new DurableOptions
            {
                ConnectionString = options.ConnectionString,
                TaskHub = options.TaskHub,
                MaxQueuePollingInterval = options.MaxQueuePollingInterval,
                CompletionTimeout = options.CompletionTimeout,
            }, marks, new Services(port));
            var webhook = await LocalDurableRuntime.ConnectClientAsync(options);
            await Task.Delay(TimeSpan.FromSeconds(20)); // partition leases move to the second worker
            Console.WriteLine("two workers on the task hub, signals from a separate client");
            await PlacementAsync(webhook, port, marks, placementMessages, placementCustomers, placementRate, placementSparse);
            return;
        }

        await PlacementAsync(client, port, marks, placementMessages, placementCustomers, placementRate, placementSparse);
        return;
    }

    // Warm-up: JIT, queues and partitions leased.
    for (var i = 0; i < 10; i++)
    {
        await StartOnceAsync(client, "warm" + i, "warmc" + i);
    }

    // 1. Uncontended starts, one after another (each its own agent and customer), some with a pause before (idle queues).
    var startLatencies = new List<double>();
    for (var i = 0; i < starts; i++)
    {
        if (i % 10 == 9)
        {
            await Task.Delay(3000); // the queues back off while idle: the next start pays it
        }

        var watch = Stopwatch.StartNew();
        var outcome = await StartOnceAsync(client, "a" + i, "c" + i);
        startLatencies.Add(watch.Elapsed.TotalMilliseconds);
        if (outcome.Kind != StartKind.Created)
        {
            throw new InvalidOperationException($"start {i}: {outcome.Kind} {outcome.Refusal}");
        }
    }

    Report("start conversation (orchestration locking 2 entities), uncontended", startLatencies);

    // 2. Signal → entity processed (read back until applied).
    var signalLatencies = new List<double>();
    for (var i = 0; i < Math.Min(starts, 50); i++)
    {
        var entity = EntityKeys.Agent("bench", "sig" + i);
        var watch = Stopwatch.StartNew();
        await client.SignalEntityAsync(entity, nameof(AgentCapacity.Update), new AgentUpdate(MaxConcurrent: 3, Available: true));
        while (await client.GetEntityStateAsync<AgentCapacityState>(entity, default) is null)
        {
            await Task.Delay(5);
        }

        signalLatencies.Add(watch.Elapsed.TotalMilliseconds);
    }

    Report("signal -> entity state committed (read back every 5 ms)", signalLatencies);

    // 3. Races: 50 agents for one customer; one agent (max 3) with 23 customers.
    var race = Stopwatch.StartNew();
    var agents = Enumerable.Range(0, 50).Select(i => "r" + i).ToList();
    var raced = await Task.WhenAll(agents.Select(a => StartOnceAsync(client, a, "race-customer")));
    Console.WriteLine($"50 agents for one customer: {raced.Count(o => o.Kind == StartKind.Created)} created, {raced.Count(o => o.Refusal == RefusalCode.CustomerInService)} customer_in_service, {race.Elapsed.TotalSeconds:0.00} s ({50 / race.Elapsed.TotalSeconds:0.0} starts/s)");
    race.Restart();
    await client.SignalEntityAsync(EntityKeys.Agent("bench", "cap"), nameof(AgentCapacity.Update), new AgentUpdate(MaxConcurrent: 3, Available: true));
    var capped = await Task.WhenAll(Enumerable.Range(0, 23).Select(i => StartOnceAsync(client, "cap", "capc" + i, configure: false)));
    Console.WriteLine($"one agent (max 3), 23 starts: {capped.Count(o => o.Kind == StartKind.Created)} created, {capped.Count(o => o.Refusal == RefusalCode.AgentAtCapacity)} agent_at_capacity, {race.Elapsed.TotalSeconds:0.00} s");

    // 4. Inbound placement: signal → entity → PlaceInbound orchestration → PlaceInboundMessage activity → port.
    await PlacementAsync(client, port, marks, placementMessages, placementCustomers, placementRate, placementSparse);

    // 5. Idle CPU: this process (the runtime's pollers) and Azurite, over idleSeconds with nothing to do.
    await Task.Delay(5000);
    var self = Process.GetCurrentProcess();
    var selfBefore = self.TotalProcessorTime;
    var azuriteBefore = azurite.CpuTime();
    var idle = Stopwatch.StartNew();
    await Task.Delay(TimeSpan.FromSeconds(idleSeconds));
    self.Refresh();
    var selfCpu = (self.TotalProcessorTime - selfBefore).TotalSeconds / idle.Elapsed.TotalSeconds * 100;
    var azuriteCpu = (azurite.CpuTime() - azuriteBefore).TotalSeconds / idle.Elapsed.TotalSeconds * 100;
    Console.WriteLine($"idle {idleSeconds} s: runtime process {selfCpu:0.0}% of one core, Azurite {azuriteCpu:0.0}% of one core");
}
finally
{
    azurite.Dispose();
    Directory.Delete(workspace, recursive: true);
}

static async Task<StartConversationOutcome> StartOnceAsync(DurableClient client, string agent, string customer, bool configure = true)
{
    if (configure)
    {
        await client.SignalEntityAsync(EntityKeys.Agent("bench", agent), nameof(AgentCapacity.Update), new AgentUpdate(MaxConcurrent: 3, Available: true));
    }

    return await client.RunAsync<StartConversationOutcome>(StartConversationOrchestration.Name,
        new StartConversationInput("bench", agent, "100200300400500", customer, Guid.NewGuid().ToString("N"), true, DateTimeOffset.UtcNow), default);
}

// Inbound placement as the webhook drives it: a stored message is signalled to the customer's entity (InboundStaged), which
// decides the conversation and calls the placement port itself (inline, one queue hop; the port timestamps the call). Only
// when the port fails does the entity schedule PlaceInbound (orchestration + activity, with retries): then the runtime's
// own logs mark those hops (the entity scheduling the orchestration, the orchestration starting after the control-queue
// hop, the activity starting after the work-item-queue hop) and they are reported too. Steady: `messages` over `customers`
// at `rate` per second (the queues stay busy); sparse: `sparse` messages, each after 3 s of quiet (the queues have backed off).
static async Task PlacementAsync(DurableClient client, TimedPlacement port, PlacementMarks marks, int messages, int customers, int rate, int sparse)
{
    var warm = Enumerable.Range(0, customers).Select(c => Wamid("warm", c)).ToList();
    var sent = new ConcurrentDictionary<string, (long Before, long After)>(StringComparer.Ordinal);
    for (var c = 0; c < customers; c++)
    {
        await SignalInboundAsync(client, "pc" + c, warm[c], sent);
    }

    await UntilPlacedAsync(port, warm);
    var interval = TimeSpan.FromSeconds(1.0 / rate);
    var steady = Enumerable.Range(0, messages).Select(i => (Customer: "pc" + (i % customers), Wamid: Wamid("m", i))).ToList();
    var clock = Stopwatch.StartNew();
    var pending = new List<Task>();
    for (var i = 0; i < steady.Count; i++)
    {
        var due = interval * i;
        if (due > clock.Elapsed)
        {
            await Task.Delay(due - clock.Elapsed);
        }

        pending.Add(SignalInboundAsync(client, steady[i].Customer, steady[i].Wamid, sent));
    }

    await Task.WhenAll(pending);
    var sentFor = clock.Elapsed;
    await UntilPlacedAsync(port, steady.Select(m => m.Wamid));
    Console.WriteLine($"placement, steady: {messages} messages over {customers} customers at {rate}/s (sent in {sentFor.TotalSeconds:0.0} s, all placed after {clock.Elapsed.TotalSeconds:0.0} s); calls {port.Calls}, effects {port.Effects}");
    ReportHops("placement, steady", steady.Select(m => m.Wamid).ToList(), sent, port, marks);

    var quiet = Enumerable.Range(0, sparse).Select(i => Wamid("q", i)).ToList();
    for (var i = 0; i < quiet.Count; i++)
    {
        await Task.Delay(3000);
        await SignalInboundAsync(client, "pc" + (i % customers), quiet[i], sent);
        await UntilPlacedAsync(port, [quiet[i]]);
    }

    ReportHops("placement, each after 3 s quiet", quiet, sent, port, marks);
}

static string Wamid(string kind, int i) => $"wamid.HBgM{kind}{i:D4}{Guid.NewGuid():N}==";

static async Task SignalInboundAsync(DurableClient client, string customer, string wamid, ConcurrentDictionary<string, (long, long)> sent)
{
    var before = Stopwatch.GetTimestamp();
    await client.SignalEntityAsync(EntityKeys.Customer("bench", "100200300400500", customer), nameof(CustomerConversation.InboundStaged),
        new StagedInbound(wamid, DateTimeOffset.UtcNow, "Maria", Guid.NewGuid().ToString("N"), false));
    sent[wamid] = (before, Stopwatch.GetTimestamp());
}

static async Task UntilPlacedAsync(TimedPlacement port, IEnumerable<string> wamids)
{
    var watch = Stopwatch.StartNew();
    foreach (var wamid in wamids)
    {
        while (!port.At.ContainsKey(wamid))
        {
            if (watch.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new TimeoutException($"{wamid} not placed within 3 minutes.");
            }

            await Task.Delay(5);
        }
    }
}

static void ReportHops(string what, List<string> wamids, ConcurrentDictionary<string, (long Before, long After)> sent, TimedPlacement port, PlacementMarks marks)
{
    static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
    var total = new List<double>();
    var enqueue = new List<double>();
    var entity = new List<double>();
    var control = new List<double>();
    var activity = new List<double>();
    foreach (var wamid in wamids)
    {
        var (before, after) = sent[wamid];
        var ran = port.At[wamid];
        total.Add(Ms(before, ran));
        enqueue.Add(Ms(before, after));
        var id = EntityKeys.Placement("bench", "100200300400500", wamid);
        if (marks.Get(id, "SchedulingOrchestration") is { } scheduled && marks.Get(id, "OrchestrationStarted") is { } started && marks.Get(id, "ActivityStarted") is { } activityStarted)
        {
            entity.Add(Ms(after, scheduled));
            control.Add(Ms(scheduled, started));
            activity.Add(Ms(started, activityStarted));
        }
    }

    Report($"{what}: signal -> placement port called", total);
    Report($"{what}:   signal enqueue (client)", enqueue);
    if (entity.Count > 0)
    {
        Report($"{what}:   enqueued -> entity batch scheduled the orchestration", entity);
        Report($"{what}:   scheduled -> orchestration started (control queue)", control);
        Report($"{what}:   orchestration started -> activity started (work-item queue)", activity);
    }
}

static void Report(string what, List<double> ms)
{
    ms.Sort();
    double P(double p) => ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(p * ms.Count) - 1)];
    Console.WriteLine($"{what}: n={ms.Count} p50 {P(0.5):0} ms, p90 {P(0.9):0} ms, p99 {P(0.99):0} ms, max {ms[^1]:0} ms");
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

/// <summary>The placement port for the benchmark: the time each wamid's first call ran; calls and effects counted.</summary>
internal sealed class TimedPlacement : IInboundPlacement
{
    private long calls;
    private long effects;

    public ConcurrentDictionary<string, long> At { get; } = new(StringComparer.Ordinal);

    public long Calls => Interlocked.Read(ref calls);

    public long Effects => Interlocked.Read(ref effects);

    public Task<PlacementOutcome> PlaceAsync(PlaceInboundInput placement, CancellationToken ct)
    {
        Interlocked.Increment(ref calls);
        var placed = At.TryAdd(placement.Wamid, Stopwatch.GetTimestamp());
        if (placed)
        {
            Interlocked.Increment(ref effects);
        }

        return Task.FromResult(placed ? PlacementOutcome.Placed : PlacementOutcome.AlreadyPlaced);
    }
}

/// <summary>
/// The activities' and the customer's entity's ports: the timed placement, and effects that write nothing (the start
/// orchestration's activity still runs — its queue hop is measured, not the product's Tables rows).
/// </summary>
internal sealed class Services(IInboundPlacement placement) : IServiceProvider
{
    private static readonly NoEffects Effects = new();

    public object? GetService(Type serviceType) =>
        serviceType == typeof(IInboundPlacement) ? placement : serviceType == typeof(IConversationEffects) ? Effects : null;
}

internal sealed class NoEffects : IConversationEffects
{
    public Task StartedAsync(ConversationStarted started, CancellationToken ct) => Task.CompletedTask;

    public Task FinishedAsync(ConversationFinished finished, CancellationToken ct) => Task.CompletedTask;

    public Task AssignedAsync(ConversationAssigned assigned, CancellationToken ct) => Task.CompletedTask;

    public Task QueuedAsync(ConversationQueued queued, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>The runtime's logs that mark a placement's hops (by instance id): only three events are looked at.</summary>
internal sealed partial class PlacementMarks : ILoggerFactory, ILogger
{
    private static readonly HashSet<string> Events = ["SchedulingOrchestration", "OrchestrationStarted", "ActivityStarted"];
    private readonly ConcurrentDictionary<(string Id, string Event), long> marks = new();

    public long? Get(string instanceId, string eventName) => marks.TryGetValue((instanceId, eventName), out var at) ? at : null;

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Name is { } name && Events.Contains(name) && Instance().Match(formatter(state, exception)) is { Success: true } match)
        {
            marks.TryAdd((match.Groups[1].Value, name), Stopwatch.GetTimestamp());
        }
    }

    public void Dispose()
    {
    }

    [GeneratedRegex("'(place\\|[^']*)'")]
    private static partial Regex Instance();
}
