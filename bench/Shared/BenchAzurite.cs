using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

/// <summary>
/// Azurite (blobs and tables in memory, queues on disk in the work directory) that a benchmark starts on free 127.0.0.1
/// ports from the repository's <c>node_modules</c> (<c>npm ci</c> installs it) and stops by its own PIDs: one storage
/// account, each service in its own Node.js process, as scripts/azurite.sh runs it. The local host's one storage system.
/// </summary>
internal sealed class BenchAzurite : IDisposable
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process[] processes;

    private BenchAzurite(Process[] processes, int[] ports)
    {
        this.processes = processes;
        BlobEndpoint = new Uri($"http://127.0.0.1:{ports[0]}/devstoreaccount1/");
        Endpoints = [.. ports.Select(p => new Uri($"http://127.0.0.1:{p}/devstoreaccount1/"))];
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};" +
            $"BlobEndpoint=http://127.0.0.1:{ports[0]}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{ports[1]}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{ports[2]}/devstoreaccount1;";
    }

    /// <summary>The three services' process ids.</summary>
    public string Pid => FormattableString.Invariant($"blob {processes[0].Id}, queue {processes[1].Id}, table {processes[2].Id}");

    /// <summary>The blob service's account URL.</summary>
    public Uri BlobEndpoint { get; }

    /// <summary>The three services' account URLs (the stall probe asks each for something that does not exist).</summary>
    public IReadOnlyList<Uri> Endpoints { get; private init; } = [];

    /// <summary>All three endpoints, for the tables, the media blobs and the Durable runtime alike.</summary>
    public string ConnectionString { get; }

    public TimeSpan CpuTime()
    {
        var total = TimeSpan.Zero;
        foreach (var process in processes)
        {
            process.Refresh();
            total += process.TotalProcessorTime;
        }

        return total;
    }

    public static async Task<BenchAzurite> StartAsync(string repoRoot, string workDirectory)
    {
        var ports = new[] { BenchLocal.FreePort(), BenchLocal.FreePort(), BenchLocal.FreePort() };
        // BENCH_AZURITE_ACCESS_LOG=<file>: Azurite's access log (one line per request, which costs it some CPU) goes there, to
        // count the requests a workload makes; otherwise Azurite runs silent.
        var accessLogPath = Environment.GetEnvironmentVariable("BENCH_AZURITE_ACCESS_LOG");
        var accessLog = string.IsNullOrEmpty(accessLogPath) ? null : new StreamWriter(accessLogPath) { AutoFlush = true };
        // BENCH_AZURITE_DEBUG_LOG=<file>: Azurite's debug log (every request in detail, and its queue and blob garbage
        // collections with their durations) — heavy, for diagnosis only; one file per service (<file>.blob, .queue, .table).
        var debugLog = Environment.GetEnvironmentVariable("BENCH_AZURITE_DEBUG_LOG");
        // Each service in its own Node.js process, as scripts/azurite.sh runs them: one storage account, three event loops
        // (the queue service's garbage collection no longer stops the tables).
        var services = new[] { "blob", "queue", "table" };
        var processes = new Process[services.Length];
        for (var i = 0; i < services.Length; i++)
        {
            var executable = Path.Combine(repoRoot, "node_modules", ".bin", "azurite-" + services[i]);
            if (!File.Exists(executable))
            {
                throw new InvalidOperationException($"{executable} is missing: run `npm ci` in the repository root first.");
            }

            var info = new ProcessStartInfo(executable) { WorkingDirectory = workDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
            // As scripts/azurite.sh: the queue service keeps its messages on disk (in memory, its garbage collection is
            // quadratic in the messages written and stalled it for seconds); blobs and tables stay in memory.
            if (services[i] == "queue")
            {
                var location = Path.Combine(workDirectory, "azurite-" + services[i]);
                Directory.CreateDirectory(location);
                info.ArgumentList.Add("--location");
                info.ArgumentList.Add(location);
            }
            else
            {
                info.ArgumentList.Add("--inMemoryPersistence");
            }

            foreach (var a in new[] { $"--{services[i]}Host", "127.0.0.1", $"--{services[i]}Port", S(ports[i]), "--skipApiVersionCheck", "--loose", "--disableTelemetry" })
            {
                info.ArgumentList.Add(a);
            }

            if (accessLog is null)
            {
                info.ArgumentList.Add("--silent");
            }

            if (!string.IsNullOrEmpty(debugLog))
            {
                info.ArgumentList.Add("--debug");
                info.ArgumentList.Add($"{debugLog}.{services[i]}");
            }

            var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start Azurite's {services[i]} service.");
            var service = services[i];
            process.OutputDataReceived += (_, e) =>
            {
                if (accessLog is not null && e.Data is not null)
                {
                    lock (accessLog)
                    {
                        accessLog.WriteLine(FormattableString.Invariant($"{Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency:F3} {service} {e.Data}"));
                    }
                }
            };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            processes[i] = process;
        }

        var azurite = new BenchAzurite(processes, ports);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        for (var i = 0; i < ports.Length; i++)
        {
            while (true)
            {
                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(IPAddress.Loopback, ports[i]);
                    break;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline && !processes[i].HasExited)
                {
                    await Task.Delay(100);
                }
            }
        }

        return azurite;
    }

    public void Dispose()
    {
        foreach (var process in processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
        }
    }

    private static string S(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Whether Azurite answers at all: every 200 ms a GET of something that does not exist from each of its three services
/// (an error answer from its event loop, no state touched). Each service is one Node.js process; when an event loop is blocked (its queue service's
/// mark-and-sweep of message extents, every 60 s, blocked it for 10–40 s in our runs), every request of the handler waits,
/// and the longest probe of a phase shows it.
/// </summary>
internal sealed class AzuriteStallProbe : IAsyncDisposable
{
    private readonly HttpClient http;
    private readonly Uri[] targets;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private readonly object gate = new();
    private double maxMs;
    private int over1s;
    private int probes;
    private long inFlightSince;

    public AzuriteStallProbe(BenchAzurite azurite)
    {
        http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { Timeout = TimeSpan.FromSeconds(120) };
        targets = [.. azurite.Endpoints.Select(e => new Uri(e, "benchprobe/none"))];
        loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Longest probe (ms), probes over 1 s, probes — since the last call; a probe still waiting counts with the time it has
    /// waited so far (and again, in full, in the next window).
    /// </summary>
    public (double MaxMs, int Over1s, int Probes) Take()
    {
        lock (gate)
        {
            var waiting = inFlightSince == 0 ? 0 : Stopwatch.GetElapsedTime(inFlightSince).TotalMilliseconds;
            var result = (Math.Max(maxMs, waiting), over1s + (waiting > 1000 ? 1 : 0), probes);
            (maxMs, over1s, probes) = (0, 0, 0);
            return result;
        }
    }

    private async Task RunAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            lock (gate)
            {
                inFlightSince = started;
            }

            // Every service at once: the probe waits for the slowest.
            await Task.WhenAll(targets.Select(async target =>
            {
                try
                {
                    using var response = await http.GetAsync(target, stop.Token);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                }
            }));

            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            lock (gate)
            {
                inFlightSince = 0;
                maxMs = Math.Max(maxMs, ms);
                over1s += ms > 1000 ? 1 : 0;
                probes++;
            }

            try
            {
                await Task.Delay(200, stop.Token);
            }
            catch (TaskCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
        }

        http.Dispose();
        stop.Dispose();
    }
}
