using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Smartspace.WorkerHost.Tests;

/// <summary>A worker that cannot come up fails the start quickly, with its output, and leaves no process behind.</summary>
public sealed partial class StartupFailureTests : IDisposable
{
    private readonly string _appDirectory = Directory.CreateTempSubdirectory("workerhost-test-").FullName;

    public void Dispose() => Directory.Delete(_appDirectory, recursive: true);

    [Fact]
    public void PublishedApp_NoWorkerConfig_SaysWhatIsMissing()
    {
        var error = Assert.Throws<WorkerHostException>(() => PublishedApp.Read(_appDirectory));

        Assert.Contains("worker.config.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PublishedApp_ReadsLaunchInfoDeclaredFunctionsAndRoutePrefix()
    {
        WriteApp("dotnet", "[]");
        File.WriteAllText(Path.Combine(_appDirectory, "functions.metadata"), """[{"name":"Health","bindings":[]},{"name":"Sweep","bindings":[]}]""");
        File.WriteAllText(Path.Combine(_appDirectory, "host.json"), """{ "version": "2.0", "extensions": { "http": { "routePrefix": "/v1/" } } }""");

        var app = PublishedApp.Read(_appDirectory);

        Assert.Equal("dotnet", app.Executable);
        Assert.Equal(Path.Combine(_appDirectory, "App.dll"), app.WorkerPath);
        Assert.Equal(["Health", "Sweep"], app.DeclaredFunctions);
        Assert.Equal("v1", app.RoutePrefix);
    }

    [Fact]
    public void PublishedApp_ReadsTheDurableTaskHub_NullWhenAbsent()
    {
        WriteApp("dotnet", "[]");
        File.WriteAllText(Path.Combine(_appDirectory, "host.json"), """{ "version": "2.0", "extensions": { "durableTask": { "hubName": "smartspace" } } }""");
        Assert.Equal("smartspace", PublishedApp.Read(_appDirectory).DurableHubName);

        File.WriteAllText(Path.Combine(_appDirectory, "host.json"), """{ "version": "2.0" }""");
        Assert.Null(PublishedApp.Read(_appDirectory).DurableHubName);
    }

    [Fact]
    public async Task Start_WorkerExitsEarly_FailsWithItsExitCodeAndOutput()
    {
        WriteApp("dotnet", "[]"); // App.dll is not an assembly: dotnet reports it and exits

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<WorkerHostException>(() => WorkerProtocolHost.StartAsync(new WorkerHostOptions { AppDirectory = _appDirectory, StartTimeout = TimeSpan.FromSeconds(30) }));

        Assert.Contains("exited with code", error.Message, StringComparison.Ordinal);
        Assert.Contains("err: ", error.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Start_WorkerNeverConnects_TimesOutAndKillsIt()
    {
        WriteApp("/bin/sh", """["-c", "echo started-but-silent; exec sleep 60"]""");
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<WorkerHostException>(() => WorkerProtocolHost.StartAsync(new WorkerHostOptions
        {
            AppDirectory = _appDirectory,
            StartTimeout = TimeSpan.FromSeconds(2),
        }));

        Assert.Contains("Timed out after 2 s waiting for the worker to connect", error.Message, StringComparison.Ordinal);
        Assert.Contains("out: started-but-silent", error.Message, StringComparison.Ordinal);
        var pid = int.Parse(PidPattern().Match(error.Message).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.False(IsRunning(pid), $"process {pid} is still running");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}: a worker that never connected is killed at once, not after the exit timeout");
    }

    private void WriteApp(string executable, string executableArguments)
    {
        File.WriteAllText(Path.Combine(_appDirectory, "App.dll"), "not an assembly");
        File.WriteAllText(Path.Combine(_appDirectory, "worker.config.json"),
            $$"""{ "description": { "language": "dotnet-isolated", "defaultExecutablePath": "{{executable}}", "arguments": {{executableArguments}}, "defaultWorkerPath": "App.dll" } }""");
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"\(pid (\d+)\)")]
    private static partial Regex PidPattern();
}
