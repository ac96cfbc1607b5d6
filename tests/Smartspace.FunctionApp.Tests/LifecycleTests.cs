using System.Diagnostics;
using System.Globalization;
using System.Net;
using Smartspace.FunctionApp.Tests.Infrastructure;
using Smartspace.WorkerHost;
using Xunit.Abstractions;

namespace Smartspace.FunctionApp.Tests;

/// <summary>A worker of its own: start as the host starts it, measure, and stop with WorkerTerminate.</summary>
[Collection(FunctionAppCollection.Name)]
public sealed class LifecycleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task WorkerTerminate_WorkerExitsWithCode0_WithoutBeingKilled()
    {
        var data = Directory.CreateTempSubdirectory("smartspace-functionapp-data-").FullName;
        try
        {
            var host = await FunctionAppFixture.StartAsync(await PublishedFunctionApp.DirectoryAsync(), data);
            await using (host)
            {
                // Ready means started: the seed is in place before the first invocation can arrive.
                var me = new HttpRequestMessage(HttpMethod.Get, "/api/agent/me");
                me.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestSecrets.AgentToken("ana", "agent"));
                var seeded = await host.SendHttpAsync(me);
                Assert.True(seeded.StatusCode == HttpStatusCode.OK, seeded + " " + seeded.Body);
                var health = await host.SendHttpAsync(new HttpRequestMessage(HttpMethod.Get, "/api/health"));
                Assert.Equal(HttpStatusCode.OK, health.StatusCode);
                var pid = host.ProcessId;

                var exit = await host.TerminateAsync();

                var tail = host.Output.Length <= 8_000 ? host.Output : host.Output[^8_000..];
                Assert.True(exit.ExitCode == 0, $"exit code {exit.ExitCode}; the worker's output ends with:{Environment.NewLine}{tail}");
                Assert.False(exit.Killed);
                Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
                output.WriteLine($"ready {host.Timings}; terminate → exit {exit.Elapsed.TotalMilliseconds:0} ms");
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task InvalidSettings_WorkerStopsBeforeConnecting_WithEveryProblemInItsOutput()
    {
        var data = Directory.CreateTempSubdirectory("smartspace-functionapp-data-").FullName;
        try
        {
            var settings = new Dictionary<string, string?>(FunctionAppFixture.Settings(data))
            {
                ["Auth__SigningKey"] = "too-short",
                ["Meta__VerifyToken"] = "",
            };

            var app = await PublishedFunctionApp.DirectoryAsync();

            var error = await Assert.ThrowsAsync<WorkerHostException>(() => WorkerProtocolHost.StartAsync(new WorkerHostOptions { AppDirectory = app, AppSettings = settings }));

            Assert.Contains("The worker exited with code", error.Message, StringComparison.Ordinal);
            Assert.Contains("Auth:SigningKey", error.Message, StringComparison.Ordinal);
            Assert.Contains("Meta:VerifyToken", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(TestSecrets.AppSecret, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Reports cold start and latency; asserts only that every call succeeded (no timing assertion).</summary>
    [Fact]
    public async Task Report_ColdStartAndLatency()
    {
        var data = Directory.CreateTempSubdirectory("smartspace-functionapp-data-").FullName;
        try
        {
            var host = await FunctionAppFixture.StartAsync(await PublishedFunctionApp.DirectoryAsync(), data);
            await using (host)
            {
                const int warmup = 20;
                const int count = 200;
                var http = new List<double>(count);
                for (var i = 0; i < warmup + count; i++)
                {
                    var result = await host.SendHttpAsync(new HttpRequestMessage(HttpMethod.Get, "/api/health"));
                    Assert.Equal(HttpStatusCode.OK, result.StatusCode);
                    if (i >= warmup)
                    {
                        http.Add(result.Invocation.Elapsed.TotalMilliseconds);
                    }
                }

                var timer = new List<double>(count);
                for (var i = 0; i < warmup + count; i++)
                {
                    var result = await host.InvokeTimerAsync("window-expiry");
                    Assert.True(result.Succeeded, result.ToString());
                    if (i >= warmup)
                    {
                        timer.Add(result.Elapsed.TotalMilliseconds);
                    }
                }

                var report = string.Create(CultureInfo.InvariantCulture,
                    $"functions {host.Functions.Count}; ready {host.ReadyTime.TotalMilliseconds:0} ms (connected {host.Timings.Connected.TotalMilliseconds:0}, init {host.Timings.Initialized.TotalMilliseconds:0}, indexed {host.Timings.Indexed.TotalMilliseconds:0}); "
                    + $"health ×{count}: p50 {Percentile(http, 0.50):0.00} ms, p99 {Percentile(http, 0.99):0.00} ms, max {http.Max():0.00} ms; "
                    + $"window-expiry timer ×{count}: p50 {Percentile(timer, 0.50):0.00} ms, p99 {Percentile(timer, 0.99):0.00} ms");
                output.WriteLine(report);
                Console.WriteLine("[worker-host report] " + report);
                Assert.Equal(0, (await host.TerminateAsync()).ExitCode);
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(p * sorted.Length) - 1)];
    }
}
