using System.Diagnostics;
using System.Globalization;

/// <summary>
/// The handler process a benchmark starts (Release DLL, local mode, its tables and media on the benchmark's Azurite, hosted
/// timers off, warnings-only logs to a file); stopped by its own PID, never by name. Shared by the benchmarks.
/// </summary>
internal sealed class HandlerProcess : IDisposable
{
    public const string AccessKey = "bench-webpubsub-access-key-0123456789abcdef";
    public const string SigningKey = "bench-jwt-signing-key-0123456789abcdef0123456789";

    private readonly Process process;
    private readonly StreamWriter log;

    private HandlerProcess(Process process, StreamWriter log)
    {
        this.process = process;
        this.log = log;
    }

    public int Pid => process.Id;

    public TimeSpan CpuTime()
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }

    /// <summary>VmRSS of the handler from /proc/&lt;pid&gt;/status, in KiB (0 when unavailable).</summary>
    public long RssKiB() => StatusValue("VmRSS:");

    public long Threads() => StatusValue("Threads:");

    private long StatusValue(string name)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
            {
                if (line.StartsWith(name, StringComparison.Ordinal))
                {
                    return long.Parse(line[name.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    /// <param name="extra">Settings added to (or overriding) the local defaults, e.g. the baseline endpoint or the GC mode.</param>
    /// <param name="logPath">Where the handler's output goes (default: <c>handler.log</c> in <paramref name="work"/>).</param>
    public static HandlerProcess Start(string dll, string work, int port, string appSecret, BenchAzurite storage, IDictionary<string, string>? extra = null, string? logPath = null)
    {
        var info = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Local__Enabled"] = "true",
            ["Storage__TablesConnectionString"] = storage.ConnectionString,
            ["Storage__BlobsConnectionString"] = storage.ConnectionString,
            ["Meta__AppSecret"] = appSecret,
            ["Meta__VerifyToken"] = "x",
            ["Meta__AccessToken"] = "x",
            ["Meta__GraphBaseUrl"] = "http://127.0.0.1:9/graph",
            ["Meta__SandboxEnabled"] = "false",
            ["WebPubSub__Mode"] = "Embedded",
            ["WebPubSub__Endpoint"] = $"http://127.0.0.1:{port}",
            ["WebPubSub__AccessKey"] = AccessKey,
            ["WebPubSub__Hub"] = "agents",
            ["Auth__Issuer"] = "smartspace-bench",
            ["Auth__Audience"] = "smartspace-agent-api",
            ["Auth__SigningKey"] = SigningKey,
            ["Auth__DevTokensEnabled"] = "true",
            ["Seed__File"] = "seed/demo-contact-center.json",
            ["Timers__Hosted"] = "false",
            ["Telemetry__Exporter"] = "None",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }

        foreach (var (key, value) in env)
        {
            info.Environment[key] = value;
        }

        // Keep the bench's own environment from steering the handler to another address.
        info.Environment.Remove("ASPNETCORE_URLS");

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the handler.");
        var log = new StreamWriter(logPath ?? Path.Combine(work, "handler.log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new HandlerProcess(process, log);
    }

    public async Task WaitReadyAsync(string baseUrl, TimeSpan timeout)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The handler exited with {process.ExitCode}; see its log.");
            }

            try
            {
                if ((await client.GetAsync(baseUrl + "/")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("The handler did not answer GET / in time.");
    }

    public void Stop()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    public void Dispose()
    {
        Stop();
        process.Dispose();
        lock (log)
        {
            log.Dispose();
        }
    }
}
