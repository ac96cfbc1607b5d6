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
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};" +
            $"BlobEndpoint=http://127.0.0.1:{ports[0]}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{ports[1]}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{ports[2]}/devstoreaccount1;";
    }

    public int Pid => process.Id;

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
        foreach (var a in new[] { "--inMemoryPersistence", "--blobHost", "127.0.0.1", "--blobPort", S(ports[0]), "--queueHost", "127.0.0.1", "--queuePort", S(ports[1]),
                     "--tableHost", "127.0.0.1", "--tablePort", S(ports[2]), "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry" })
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start Azurite.");
        process.OutputDataReceived += (_, _) => { };
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
