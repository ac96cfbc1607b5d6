using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Smartspace.Testing;

namespace Smartspace.Functions.Tests.Features.Hosting;

/// <summary>The run command: a port that is taken is one clean line on stderr, before anything is built or written.</summary>
public sealed class RunScriptTests
{
    [Fact]
    public async Task Run_PortAlreadyTaken_FailsWithOneLineBeforeBuilding()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var start = new ProcessStartInfo("bash", [Path.Combine(RepoPaths.RepoRoot, "scripts", "run.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.RepoRoot,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";

        using var run = Process.Start(start)!;
        var stdout = run.StandardOutput.ReadToEndAsync();
        var stderr = run.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await run.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!run.HasExited)
            {
                run.Kill(entireProcessTree: true); // it went on to build: the check failed
            }
        }

        Assert.Equal(1, run.ExitCode);
        var error = (await stderr).Trim();
        Assert.DoesNotContain('\n', error);
        Assert.Contains($"127.0.0.1:{port} is already in use", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Building", await stdout, StringComparison.Ordinal);
    }
}
