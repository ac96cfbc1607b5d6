using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Smartspace.Testing;

/// <summary>
/// An Azurite account for tests: blobs, queues and tables (the Durable Task Framework's Azure Storage provider uses all
/// three; the entity store tables, the media store blobs). Uses <c>SMARTSPACE_AZURITE_CONNECTION_STRING</c> when set
/// (the test command started Azurite); otherwise starts
/// <c>node_modules/.bin/azurite</c> in memory on three free ports, waits until it answers, and on dispose kills exactly
/// the process it started. Failing to start throws: tests that need Azurite fail, they never skip.
/// </summary>
public sealed class AzuriteHost : IAsyncDisposable
{
    public const string ConnectionStringVariable = "SMARTSPACE_AZURITE_CONNECTION_STRING";
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process? _process;
    private readonly string? _workspace;

    private AzuriteHost(string connectionString, Process? process, string? workspace, int port = 0)
    {
        ConnectionString = connectionString;
        _process = process;
        _workspace = workspace;
        Port = port;
    }

    public string ConnectionString { get; }

    /// <summary>The loopback port of an Azurite this host started (0 when it uses the test command's).</summary>
    public int Port { get; }

    /// <summary>The id of the Azurite process this host started.</summary>
    public int ProcessId => (_process ?? throw new InvalidOperationException("This Azurite was started by the test command, not by this host.")).Id;

    /// <summary>True when this host started (and will stop) its own Azurite process.</summary>
    public bool OwnsProcess => _process is not null;

    public static string ConnectionStringFor(int port) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{port}/{AccountName};";

    /// <summary>A connection string with blob, queue and table endpoints.</summary>
    public static string ConnectionStringFor(int blobPort, int queuePort, int tablePort) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{queuePort}/{AccountName};TableEndpoint=http://127.0.0.1:{tablePort}/{AccountName};";

    public static Task<AzuriteHost> StartAsync(CancellationToken cancellationToken = default) => StartAsync(ConnectionStringVariable, cancellationToken);

    private static readonly Lazy<Task<AzuriteHost>> SharedHost = new(StartSharedAsync);

    /// <summary>
    /// One Azurite for this test process: the test command's (<c>SMARTSPACE_AZURITE_CONNECTION_STRING</c>) when set,
    /// else one started on first use and killed, by its id, when the process exits. Tests keep apart by table prefix and
    /// blob container, never by Azurite.
    /// </summary>
    public static Task<AzuriteHost> SharedAsync() => SharedHost.Value;

    /// <summary>The shared Azurite's connection string (blobs, queues and tables), waiting for it to start.</summary>
    public static string SharedConnectionString() => SharedAsync().GetAwaiter().GetResult().ConnectionString;

    private static async Task<AzuriteHost> StartSharedAsync()
    {
        var host = await StartAsync(ConnectionStringVariable, CancellationToken.None).ConfigureAwait(false);
        if (host.OwnsProcess)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        return host;
    }

    private static async Task<AzuriteHost> StartAsync(string variable, CancellationToken cancellationToken)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return new AzuriteHost(fromEnvironment, null, null);
        }

        var executable = RepoPaths.NodeBin("azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Azurite is not installed ({executable} is missing): run `npm install` at {RepoPaths.RepoRoot}, or set {variable}.");
        }

        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                var (blob, queue, table) = (FreePort.Get(), FreePort.Get(), FreePort.Get());
                string[] args =
                [
                    "--inMemoryPersistence", "--blobHost", "127.0.0.1", "--blobPort", Invariant(blob), "--queueHost", "127.0.0.1", "--queuePort", Invariant(queue),
                    "--tableHost", "127.0.0.1", "--tablePort", Invariant(table), "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry",
                ];
                return await StartProcessAsync(executable, args, ConnectionStringFor(blob, queue, table), [table, queue, blob], null, cancellationToken).ConfigureAwait(false);
            }
            catch (AzuriteStartException ex)
            {
                last = ex; // most likely a port was taken between choosing and binding it
            }
        }

        throw new InvalidOperationException("Azurite did not start.", last);
    }

    /// <summary>
    /// Starts an Azurite of the caller's own (never the test command's) on <paramref name="ports"/> that keeps its blobs,
    /// queues and tables on disk in <paramref name="location"/>: after <see cref="StopAsync"/>, starting it again with the
    /// same folder and ports brings the same data back (a storage outage, not a storage loss). A whole account, like the
    /// one storage account in Azure: the tables and the Durable runtime's queues, blobs and tables go down together. The
    /// caller owns the folder.
    /// </summary>
    public static async Task<AzuriteHost> StartOwnAsync(string location, AzuritePorts ports, CancellationToken cancellationToken = default)
    {
        var executable = RepoPaths.NodeBin("azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Azurite is not installed ({executable} is missing): run `npm install` at {RepoPaths.RepoRoot}.");
        }

        string[] args =
        [
            "--location", location, "--blobHost", "127.0.0.1", "--blobPort", Invariant(ports.Blob), "--queueHost", "127.0.0.1", "--queuePort", Invariant(ports.Queue),
            "--tableHost", "127.0.0.1", "--tablePort", Invariant(ports.Table), "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry",
        ];
        return await StartProcessAsync(executable, args, ConnectionStringFor(ports.Blob, ports.Queue, ports.Table), [ports.Table, ports.Queue, ports.Blob], location, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops the Azurite process this host started, by its id: SIGINT (Azurite saves its tables and exits), then
    /// SIGKILL if it is still running after <paramref name="grace"/>. The folder of <see cref="StartOwnAsync"/> stays.
    /// </summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        var process = _process ?? throw new InvalidOperationException("This Azurite was started by the test command, not by this host.");
        if (process.HasExited)
        {
            return;
        }

        using (var signal = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!)
        {
            await signal.WaitForExitAsync().ConfigureAwait(false);
        }

        using var wait = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Starts <paramref name="executable"/>; ready when every one of <paramref name="ports"/> answers. A <paramref name="location"/> is the caller's (kept).</summary>
    private static async Task<AzuriteHost> StartProcessAsync(string executable, string[] args, string connectionString, int[] ports, string? location, CancellationToken cancellationToken)
    {
        var workspace = location ?? Directory.CreateTempSubdirectory("azurite-").FullName;
        var info = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workspace,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var output = new StringBuilder();
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var port = ports[0];
        var host = new AzuriteHost(connectionString, process, location is null ? workspace : null, port);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                var exitCode = process.ExitCode;
                await host.DisposeAsync().ConfigureAwait(false);
                throw new AzuriteStartException($"Azurite exited with code {exitCode} before answering on port {port}: {Snapshot(output)}");
            }

            var answering = true;
            foreach (var each in ports)
            {
                answering = answering && await AnswersAsync(each, cancellationToken).ConfigureAwait(false);
            }

            if (answering)
            {
                return host;
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        await host.DisposeAsync().ConfigureAwait(false);
        throw new InvalidOperationException($"Azurite did not answer on port {port} within {StartTimeout.TotalSeconds:0} s: {Snapshot(output)}");
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<bool> AnswersAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/{AccountName}/Tables"), cancellationToken).ConfigureAwait(false);
            return true; // any HTTP answer (403 without a signature) means it is serving
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            if (output.Length < 16_000)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
            {
                // already gone
            }

            _process.Dispose();
        }

        if (_workspace is not null)
        {
            try
            {
                Directory.Delete(_workspace, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private sealed class AzuriteStartException(string message) : Exception(message);
}

/// <summary>The loopback ports of an Azurite's blob, queue and table services.</summary>
public sealed record AzuritePorts(int Blob, int Queue, int Table)
{
    /// <summary>Three distinct ports that were free a moment ago.</summary>
    public static AzuritePorts Free()
    {
        var blob = FreePort.Get();
        var queue = FreePort.Get();
        while (queue == blob)
        {
            queue = FreePort.Get();
        }

        var table = FreePort.Get();
        while (table == blob || table == queue)
        {
            table = FreePort.Get();
        }

        return new AzuritePorts(blob, queue, table);
    }
}
