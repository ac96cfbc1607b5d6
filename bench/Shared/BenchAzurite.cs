using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

/// <summary>
/// Azurite (blobs, queues, tables, in memory) that a benchmark starts on free 127.0.0.1 ports from the repository's
/// <c>node_modules</c> (<c>npm ci</c> installs it) and stops by its own PID. The local host's one storage system.
/// </summary>
internal sealed class BenchAzurite : IDisposable
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process process;

    private BenchAzurite(Process process, int[] ports)
    {
        this.process = process;
        BlobEndpoint = new Uri($"http://127.0.0.1:{ports[0]}/devstoreaccount1/");
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};" +
            $"BlobEndpoint=http://127.0.0.1:{ports[0]}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{ports[1]}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{ports[2]}/devstoreaccount1;";
    }

    public int Pid => process.Id;

    /// <summary>The blob service's account URL (the stall probe asks it for a blob that does not exist).</summary>
    public Uri BlobEndpoint { get; }

    /// <summary>All three endpoints, for the tables, the media blobs and the Durable runtime alike.</summary>
    public string ConnectionString { get; }

    public TimeSpan CpuTime()
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }

    public static async Task<BenchAzurite> StartAsync(string repoRoot, string workDirectory)
    {
        var executable = Path.Combine(repoRoot, "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"{executable} is missing: run `npm ci` in the repository root first.");
        }

        var ports = new[] { BenchLocal.FreePort(), BenchLocal.FreePort(), BenchLocal.FreePort() };
        var info = new ProcessStartInfo(executable) { WorkingDirectory = workDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        // BENCH_AZURITE_ACCESS_LOG=<file>: Azurite's access log (one line per request, which costs it some CPU) goes there, to
        // count the requests a workload makes; otherwise Azurite runs silent.
        var accessLogPath = Environment.GetEnvironmentVariable("BENCH_AZURITE_ACCESS_LOG");
        foreach (var a in new[] { "--inMemoryPersistence", "--blobHost", "127.0.0.1", "--blobPort", S(ports[0]), "--queueHost", "127.0.0.1", "--queuePort", S(ports[1]),
                     "--tableHost", "127.0.0.1", "--tablePort", S(ports[2]), "--skipApiVersionCheck", "--loose", "--disableTelemetry" })
        {
            info.ArgumentList.Add(a);
        }

        if (string.IsNullOrEmpty(accessLogPath))
        {
            info.ArgumentList.Add("--silent");
        }

        // BENCH_AZURITE_DEBUG_LOG=<file>: Azurite's debug log (every request in detail, and its queue and blob garbage
        // collections with their durations) — heavy, for diagnosis only.
        if (Environment.GetEnvironmentVariable("BENCH_AZURITE_DEBUG_LOG") is { Length: > 0 } debugLog)
        {
            info.ArgumentList.Add("--debug");
            info.ArgumentList.Add(debugLog);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start Azurite.");
        var accessLog = string.IsNullOrEmpty(accessLogPath) ? null : new StreamWriter(accessLogPath) { AutoFlush = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (accessLog is not null && e.Data is not null)
            {
                lock (accessLog)
                {
                    accessLog.WriteLine(FormattableString.Invariant($"{Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency:F3} {e.Data}"));
                }
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new BenchAzurite(process, ports);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        foreach (var port in ports)
        {
            while (true)
            {
                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(IPAddress.Loopback, port);
                    break;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
                {
                    await Task.Delay(100);
                }
            }
        }

        return azurite;
    }

    public void Dispose()
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

    private static string S(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Whether Azurite answers at all: every 200 ms a GET of a blob that does not exist (an error answer from its event
/// loop, no state touched). Azurite is one Node.js process; when its event loop is blocked (its queue service's
/// mark-and-sweep of message extents, every 60 s, blocked it for 10–40 s in our runs), every request of the handler waits,
/// and the longest probe of a phase shows it.
/// </summary>
internal sealed class AzuriteStallProbe : IAsyncDisposable
{
    private readonly HttpClient http;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private readonly object gate = new();
    private double maxMs;
    private int over1s;
    private int probes;
    private long inFlightSince;

    public AzuriteStallProbe(BenchAzurite azurite)
    {
        http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { BaseAddress = azurite.BlobEndpoint, Timeout = TimeSpan.FromSeconds(120) };
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

            try
            {
                using var response = await http.GetAsync("benchprobe/none", stop.Token);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

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
