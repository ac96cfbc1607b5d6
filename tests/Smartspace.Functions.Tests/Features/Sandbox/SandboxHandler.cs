using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Testing;

namespace Smartspace.Functions.Tests.Features.Sandbox;

/// <summary>
/// The built handler as its own process on a free loopback port, fully local: SQLite in a temp folder, the
/// embedded Meta sandbox as its Graph API (the handler calls its own <c>/sandbox/graph</c> over HTTP, the sandbox
/// posts signed webhooks back to <c>/api/whatsapp/webhook</c>), embedded Web PubSub, dev tokens, hosted timers
/// with a one-second outbox sweep. (<see cref="HandlerProcess"/> cannot be reused here: it picks its port
/// internally and points the Graph API elsewhere, while the sandbox needs the port in its own settings.)
/// Started once per test class; <see cref="DisposeAsync"/> kills exactly the process it started, by its id.
/// </summary>
public sealed class SandboxHandler : IAsyncLifetime
{
    public const string AppSecret = "sandbox-flow-app-secret";
    public const string AccessToken = "sandbox-flow-access-token";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly string directory = Path.Combine(Path.GetTempPath(), "smartspace-sandbox-tests", Guid.NewGuid().ToString("N"));
    private readonly StringBuilder output = new();
    private Process? process;

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1:9");

    /// <summary>Anonymous client (the sandbox, dev tokens).</summary>
    public HttpClient Http { get; private set; } = new();

    public int ProcessId => process?.Id ?? 0;

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists(HandlerProcess.DllPath))
        {
            throw new InvalidOperationException($"{HandlerProcess.DllPath} is missing: build functions/Smartspace.Functions first.");
        }

        Directory.CreateDirectory(directory);
        var port = FreePort.Get();
        var url = $"http://127.0.0.1:{port}";
        BaseAddress = new Uri(url);
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(HandlerProcess.DllPath)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(HandlerProcess.DllPath);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(url);
        foreach (var inherited in new[] { "FUNCTIONS_CUSTOMHANDLER_PORT", "FUNCTIONS_HTTPWORKER_PORT", "SMARTSPACE_SETTINGS_FILE", "ASPNETCORE_URLS" })
        {
            info.Environment.Remove(inherited);
        }

        var settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Local__Enabled"] = "true",
            ["Storage__Provider"] = "Sqlite",
            ["Storage__SqlitePath"] = Path.Combine(directory, "store.db"),
            ["Meta__AppSecret"] = AppSecret,
            ["Meta__VerifyToken"] = "v",
            ["Meta__AccessToken"] = AccessToken,
            ["Meta__GraphBaseUrl"] = url + "/sandbox/graph",
            ["Meta__SandboxEnabled"] = "true",
            ["Meta__SandboxWebhookUrl"] = url + "/api/whatsapp/webhook",
            ["WebPubSub__Mode"] = "Embedded",
            ["WebPubSub__Endpoint"] = url,
            ["WebPubSub__AccessKey"] = "sandbox-flow-webpubsub-access-key-0123456789",
            ["WebPubSub__Hub"] = "agents",
            ["Auth__Issuer"] = "smartspace-sandbox-flow",
            ["Auth__Audience"] = "smartspace-agent-api",
            ["Auth__SigningKey"] = "sandbox-flow-jwt-signing-key-0123456789abcdef",
            ["Auth__DevTokensEnabled"] = "true",
            ["Seed__File"] = "seed/demo-contact-center.json",
            ["Timers__Hosted"] = "true",
            ["Timers__OutboxRetryInterval"] = "00:00:01",
            ["Telemetry__Exporter"] = "None",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings)
        {
            info.Environment[key] = value;
        }

        process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitUntilReadyAsync();
    }

    private async Task WaitUntilReadyAsync()
    {
        var clock = Stopwatch.StartNew();
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        while (clock.Elapsed < StartTimeout)
        {
            if (process!.HasExited)
            {
                throw new InvalidOperationException($"The handler exited with code {process.ExitCode} before answering: {Output}");
            }

            try
            {
                using var response = await probe.GetAsync("/");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"The handler did not answer GET / within {StartTimeout.TotalSeconds:0} s: {Output}");
    }

    /// <summary>An agent's client, authenticated with a token from <c>POST /api/dev/token</c>.</summary>
    public async Task<HttpClient> AgentAsync(string agentId)
    {
        using var response = await Http.PostAsJsonAsync("/api/dev/token", new { agentId });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"dev token for {agentId}: {(int)response.StatusCode} {body}");
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", JsonDocument.Parse(body).RootElement.GetProperty("accessToken").GetString());
        return client;
    }

    /// <summary>Polls <paramref name="read"/> until <paramref name="until"/> holds (bounded); returns the last value read.</summary>
    public async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> until, string what, int timeoutSeconds = 30)
    {
        var clock = Stopwatch.StartNew();
        var last = await read();
        while (!until(last))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(timeoutSeconds))
            {
                throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}; last value: {last}\nHandler output:\n{Output}");
            }

            await Task.Delay(100);
            last = await read();
        }

        return last;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            if (output.Length < 64_000)
            {
                output.AppendLine(line);
            }
        }
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (process is not null)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    await process.WaitForExitAsync(wait.Token);
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
            {
                // already gone
            }

            process.Dispose();
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
