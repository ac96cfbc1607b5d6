using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Smartspace.Testing;

/// <summary>
/// An Azurite account for tests: blobs, queues and tables (the Durable Task Framework's Azure Storage provider uses all
/// three; the entity store only tables). Uses <c>SMARTSPACE_AZURITE_CONNECTION_STRING</c> when set (the test command
/// started Azurite); otherwise starts <c>node_modules/.bin/azurite</c> in memory on three free ports, waits until it
/// answers, and on dispose kills exactly the process it started. Failing to start throws: tests that need Azurite
/// fail, they never skip.
/// </summary>
public sealed class AzuriteHost : IAsyncDisposable
{
    public const string ConnectionStringVariable = "SMARTSPACE_AZURITE_CONNECTION_STRING";
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process? _process;
    private readonly string? _workspace;

    private AzuriteHost(string connectionString, Process? process, string? workspace)
    {
        ConnectionString = connectionString;
        _process = process;
        _workspace = workspace;
    }

    public string ConnectionString { get; }

    /// <summary>True when this host started (and will stop) its own Azurite process.</summary>
    public bool OwnsProcess => _process is not null;

    /// <summary>A connection string with only a table endpoint (what the entity store needs).</summary>
    public static string ConnectionStringFor(int port) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{port}/{AccountName};";

    /// <summary>A connection string with blob, queue and table endpoints.</summary>
    public static string ConnectionStringFor(int blobPort, int queuePort, int tablePort) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{queuePort}/{AccountName};TableEndpoint=http://127.0.0.1:{tablePort}/{AccountName};";

    public static async Task<AzuriteHost> StartAsync(CancellationToken cancellationToken = default)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return new AzuriteHost(fromEnvironment, null, null);
        }

        var executable = RepoPaths.NodeBin("azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Azurite is not installed ({executable} is missing): run `npm install` at {RepoPaths.RepoRoot}, or set {ConnectionStringVariable}.");
        }

        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                return await StartProcessAsync(executable, FreePort.Get(), FreePort.Get(), FreePort.Get(), cancellationToken).ConfigureAwait(false);
            }
            catch (AzuriteStartException ex)
            {
                last = ex; // most likely the port was taken between choosing and binding it
            }
        }

        throw new InvalidOperationException("Azurite did not start.", last);
    }

    private static async Task<AzuriteHost> StartProcessAsync(string executable, int blobPort, int queuePort, int port, CancellationToken cancellationToken)
    {
        var workspace = Directory.CreateTempSubdirectory("azurite-").FullName;
        var info = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workspace,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--inMemoryPersistence", "--blobHost", "127.0.0.1", "--blobPort", Invariant(blobPort), "--queueHost", "127.0.0.1", "--queuePort", Invariant(queuePort),
            "--tableHost", "127.0.0.1", "--tablePort", Invariant(port), "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry",
        })
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

        var host = new AzuriteHost(ConnectionStringFor(blobPort, queuePort, port), process, workspace);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                var exitCode = process.ExitCode;
                await host.DisposeAsync().ConfigureAwait(false);
                throw new AzuriteStartException($"Azurite exited with code {exitCode} before answering on port {port}: {Snapshot(output)}");
            }

            if (await AnswersAsync(port, cancellationToken).ConfigureAwait(false) && await AnswersAsync(queuePort, cancellationToken).ConfigureAwait(false)
                && await AnswersAsync(blobPort, cancellationToken).ConfigureAwait(false))
            {
                return host;
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        await host.DisposeAsync().ConfigureAwait(false);
        throw new InvalidOperationException($"Azurite did not answer on port {port} within {StartTimeout.TotalSeconds:0} s: {Snapshot(output)}");
    }

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

    private static string Invariant(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

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
