// Durable entities on the local runtime (DTFx + Azure Storage provider) against an Azurite this program starts on free
// loopback ports and stops: see bench/README.md. Usage: dotnet run -c Release --project bench/DurableBench -- [--polling-ms 1000] [--starts 100] [--idle-seconds 20]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Smartspace.Core.Conversations;
using Smartspace.Durable.Entities;
using Smartspace.Durable.Orchestrations;
using Smartspace.Durable.Runtime;

var pollingMs = Arg("--polling-ms", 1000);
var starts = Arg("--starts", 100);
var idleSeconds = Arg("--idle-seconds", 20);
var root = FindRoot();
var ports = new[] { FreePort(), FreePort(), FreePort() };
var workspace = Directory.CreateTempSubdirectory("durablebench-").FullName;
var azurite = new ProcessStartInfo(Path.Combine(root, "node_modules", ".bin", "azurite"))
{
    WorkingDirectory = workspace,
    RedirectStandardOutput = true,
    RedirectStandardError = true,
};
foreach (var a in new[] { "--inMemoryPersistence", "--blobHost", "127.0.0.1", "--blobPort", S(ports[0]), "--queueHost", "127.0.0.1", "--queuePort", S(ports[1]),
             "--tableHost", "127.0.0.1", "--tablePort", S(ports[2]), "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry" })
{
    azurite.ArgumentList.Add(a);
}

using var process = Process.Start(azurite)!;
try
{
    await WaitForPortsAsync(ports);
    const string key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    var options = new DurableOptions
    {
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};BlobEndpoint=http://127.0.0.1:{ports[0]}/devstoreaccount1;" +
            $"QueueEndpoint=http://127.0.0.1:{ports[1]}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{ports[2]}/devstoreaccount1;",
        TaskHub = "bench",
        MaxQueuePollingInterval = TimeSpan.FromMilliseconds(pollingMs),
        CompletionTimeout = TimeSpan.FromSeconds(120),
    };
    await using var runtime = await LocalDurableRuntime.StartAsync(options);
    var client = runtime.Client;
    Console.WriteLine($"MaxQueuePollingInterval {pollingMs} ms, {Environment.ProcessorCount} cores");

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
        await client.SignalEntityAsync(entity, nameof(AgentCapacity.Configure), new AgentConfiguration(3, true));
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
    await client.SignalEntityAsync(EntityKeys.Agent("bench", "cap"), nameof(AgentCapacity.Configure), new AgentConfiguration(3, true));
    var capped = await Task.WhenAll(Enumerable.Range(0, 23).Select(i => StartOnceAsync(client, "cap", "capc" + i, configure: false)));
    Console.WriteLine($"one agent (max 3), 23 starts: {capped.Count(o => o.Kind == StartKind.Created)} created, {capped.Count(o => o.Refusal == RefusalCode.AgentAtCapacity)} agent_at_capacity, {race.Elapsed.TotalSeconds:0.00} s");

    // 4. Idle CPU: this process (the runtime's pollers) and Azurite, over idleSeconds with nothing to do.
    await Task.Delay(5000);
    var self = Process.GetCurrentProcess();
    var selfBefore = self.TotalProcessorTime;
    var azuriteBefore = CpuOf(process.Id);
    var idle = Stopwatch.StartNew();
    await Task.Delay(TimeSpan.FromSeconds(idleSeconds));
    self.Refresh();
    var selfCpu = (self.TotalProcessorTime - selfBefore).TotalSeconds / idle.Elapsed.TotalSeconds * 100;
    var azuriteCpu = (CpuOf(process.Id) - azuriteBefore).TotalSeconds / idle.Elapsed.TotalSeconds * 100;
    Console.WriteLine($"idle {idleSeconds} s: runtime process {selfCpu:0.0}% of one core, Azurite {azuriteCpu:0.0}% of one core");
}
finally
{
    process.Kill(entireProcessTree: true);
    await process.WaitForExitAsync();
    Directory.Delete(workspace, recursive: true);
}

static async Task<StartConversationOutcome> StartOnceAsync(DurableClient client, string agent, string customer, bool configure = true)
{
    if (configure)
    {
        await client.SignalEntityAsync(EntityKeys.Agent("bench", agent), nameof(AgentCapacity.Configure), new AgentConfiguration(3, true));
    }

    return await client.RunAsync<StartConversationOutcome>(StartConversationOrchestration.Name,
        new StartConversationInput("bench", agent, "100200300400500", customer, Guid.NewGuid().ToString("N"), true, DateTimeOffset.UtcNow), default);
}

static void Report(string what, List<double> ms)
{
    ms.Sort();
    double P(double p) => ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(p * ms.Count) - 1)];
    Console.WriteLine($"{what}: n={ms.Count} p50 {P(0.5):0} ms, p90 {P(0.9):0} ms, p99 {P(0.99):0} ms, max {ms[^1]:0} ms");
}

static TimeSpan CpuOf(int pid)
{
    // utime + stime of the process and its reaped children, in clock ticks (100 Hz on Linux).
    var total = TimeSpan.Zero;
    foreach (var dir in Directory.GetDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(dir, "stat"));
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var id = int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture);
            var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
            if (id == pid || parent == pid)
            {
                total += TimeSpan.FromSeconds((long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0);
            }
        }
        catch (IOException)
        {
        }
    }

    return total;
}

static async Task WaitForPortsAsync(int[] ports)
{
    var watch = Stopwatch.StartNew();
    foreach (var port in ports)
    {
        while (true)
        {
            try
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync(IPAddress.Loopback, port);
                break;
            }
            catch (SocketException) when (watch.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100);
            }
        }
    }
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static string S(int value) => value.ToString(CultureInfo.InvariantCulture);

static string FindRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Smartspace.sln")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? throw new InvalidOperationException("Run from inside the repository.");
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
