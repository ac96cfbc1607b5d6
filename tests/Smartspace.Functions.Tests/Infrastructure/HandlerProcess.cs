using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Smartspace.Meta.Signing;
using Smartspace.Testing;

namespace Smartspace.Functions.Tests.Infrastructure;

/// <summary>
/// The built handler (<c>functions/Smartspace.Functions/bin/Debug/net10.0/Smartspace.Functions.dll</c>) as its own
/// OS process on a free loopback port, configured through environment variables exactly like an Azure app
/// setting would (Azure Tables on Azurite with a given prefix, embedded Web PubSub, dev tokens, no hosted
/// timers). Its Durable runtime gets the task hub of its table prefix (<see cref="TestDurable"/>) unless the settings name
/// one, so processes on the same store share a task hub and no others do. <see cref="StartAsync"/> returns once
/// <c>GET /</c> answers; <see cref="DisposeAsync"/> kills exactly the process it started, by its id.
/// </summary>
public sealed class HandlerProcess : IAsyncDisposable
{
    public const string AppSecret = "multi-process-app-secret";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process process;
    private readonly StringBuilder output = new();

    private HandlerProcess(Process process, Uri baseAddress, IReadOnlyDictionary<string, string> settings)
    {
        this.process = process;
        BaseAddress = baseAddress;
        TablesConnectionString = settings.GetValueOrDefault("Storage__TablesConnectionString");
        TablePrefix = settings.GetValueOrDefault("Storage__TablePrefix");
        TaskHub = settings.GetValueOrDefault("Durable__TaskHub");
        DurableConnectionString = settings.GetValueOrDefault("Durable__ConnectionString");
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The Azure Tables account of this process's store (when its settings name one).</summary>
    public string? TablesConnectionString { get; }

    /// <summary>This process's table prefix (when its settings name one).</summary>
    public string? TablePrefix { get; }

    /// <summary>This process's Durable task hub.</summary>
    public string? TaskHub { get; }

    /// <summary>The account of this process's task hub when it is not the tables' one.</summary>
    public string? DurableConnectionString { get; }

    public Uri BaseAddress { get; }

    /// <summary>An anonymous client of this process.</summary>
    public HttpClient Http { get; }

    public int ProcessId => process.Id;

    public static string DllPath => Path.Combine(RepoPaths.RepoRoot, "functions", "Smartspace.LocalHost", "bin", "Debug", "net10.0", "Smartspace.LocalHost.dll");

    /// <summary>A handler on Azure Tables (Azurite) with the given table prefix; <paramref name="extra"/> overrides settings.</summary>
    public static Task<HandlerProcess> StartAsync(string tablesConnectionString, string tablePrefix, IDictionary<string, string>? extra = null) =>
        StartAsync(url =>
        {
            var settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Local__Enabled"] = "true",
            ["Storage__TablesConnectionString"] = tablesConnectionString,
            ["Storage__TablePrefix"] = tablePrefix,
            ["Storage__MediaContainer"] = "media-" + tablePrefix.ToLowerInvariant(),
            ["Meta__AppSecret"] = AppSecret,
            ["Meta__VerifyToken"] = "multi-process-verify-token",
            ["Meta__AccessToken"] = "multi-process-access-token",
            ["Meta__GraphBaseUrl"] = "http://127.0.0.1:9/graph",
            ["Meta__SandboxEnabled"] = "false",
            ["WebPubSub__Mode"] = "Embedded",
            ["WebPubSub__Endpoint"] = url,
            ["WebPubSub__AccessKey"] = "multi-process-webpubsub-access-key-0123456789",
            ["WebPubSub__Hub"] = "agents",
            ["Auth__Issuer"] = "smartspace-multi-process",
            ["Auth__Audience"] = "smartspace-agent-api",
            ["Auth__SigningKey"] = "multi-process-jwt-signing-key-0123456789abcdef",
            ["Auth__DevTokensEnabled"] = "true",
            ["Seed__File"] = "seed/demo-contact-center.json",
            ["Timers__Hosted"] = "false",
            ["Telemetry__Exporter"] = "None",
            ["Logging__LogLevel__Default"] = "Warning",
        };
            foreach (var (key, value) in extra ?? new Dictionary<string, string>())
            {
                settings[key] = value;
            }

            return settings;
        });

    /// <summary>
    /// Starts the built handler on a free loopback port with the settings <paramref name="settingsFor"/> gives for its URL;
    /// the <c>Durable__</c> settings it leaves out are <see cref="TestDurable.Settings"/> for its <c>Storage__TablePrefix</c>.
    /// </summary>
    public static async Task<HandlerProcess> StartAsync(Func<string, IDictionary<string, string>> settingsFor)
    {
        if (!File.Exists(DllPath))
        {
            throw new InvalidOperationException($"{DllPath} is missing: build functions/Smartspace.LocalHost first.");
        }

        var url = $"http://127.0.0.1:{FreePort.Get()}";
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(DllPath)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(DllPath);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(url);

        // Nothing inherited may redirect the child: no settings file, no other address.
        foreach (var inherited in new[] { "SMARTSPACE_SETTINGS_FILE", "ASPNETCORE_URLS" })
        {
            info.Environment.Remove(inherited);
        }

        var settings = new Dictionary<string, string>(settingsFor(url));
        var prefix = settings.GetValueOrDefault("Storage__TablePrefix");
        foreach (var (key, value) in TestDurable.Settings(prefix ?? "smartspace", "__"))
        {
            settings.TryAdd(key, value);
        }

        foreach (var (key, value) in settings)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        process.Start();
        var handler = new HandlerProcess(process, new Uri(url), settings);
        process.OutputDataReceived += (_, e) => handler.Append(e.Data);
        process.ErrorDataReceived += (_, e) => handler.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await handler.WaitUntilReadyAsync();
            return handler;
        }
        catch
        {
            await handler.DisposeAsync();
            throw;
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var clock = Stopwatch.StartNew();
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        while (clock.Elapsed < StartTimeout)
        {
            if (process.HasExited)
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

    /// <summary>What the process wrote (bounded), for failure messages.</summary>
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

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            if (output.Length < 32_000)
            {
                output.AppendLine(line);
            }
        }
    }

    /// <summary>A client of this process authenticated with a token from its own <c>POST /api/dev/token</c>.</summary>
    public async Task<HttpClient> ClientForAsync(string agentId, string tenantId = HandlerFactory.TenantId)
    {
        using var response = await Http.PostAsJsonAsync("/api/dev/token", new { agentId, tenantId });
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"dev token for {agentId}: {(int)response.StatusCode} {body}");
        }

        var token = JsonDocument.Parse(body).RootElement.GetProperty("accessToken").GetString();
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>
    /// POSTs a webhook body signed as Meta does (<c>X-Hub-Signature-256: sha256=&lt;hex HMAC-SHA256 of the raw bytes&gt;</c>)
    /// and, after a 200, waits (bounded) until the entities have placed every message staged in this store
    /// (<see cref="WaitForPlacementAsync"/>); <paramref name="waitForPlacement"/> false returns at the answer.
    /// </summary>
    public async Task<HttpResponseMessage> PostWebhookAsync(string json, bool waitForPlacement = true)
    {
        var response = await SendWebhookAsync(json);
        if (waitForPlacement && response.StatusCode == System.Net.HttpStatusCode.OK)
        {
            await WaitForPlacementAsync();
        }

        return response;
    }

    /// <summary>
    /// Waits (bounded: 30 s unless <paramref name="timeout"/> says otherwise) until every inbound message acknowledged so far
    /// is placed: no staged row left in this process's store, nothing left to do on its task hub.
    /// </summary>
    public Task WaitForPlacementAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        StagedMessages.WaitPlacedAsync(
            TablesConnectionString ?? throw new InvalidOperationException("This handler's settings name no Storage__TablesConnectionString."),
            TablePrefix ?? throw new InvalidOperationException("This handler's settings name no Storage__TablePrefix."),
            cancellationToken,
            timeout,
            TaskHub,
            DurableConnectionString);

    /// <summary>
    /// POSTs a signed webhook body and returns the answer as it is (no waiting for placement): a crash or an outage
    /// shows as an exception or a non-2xx, which the caller treats like Meta does (deliver again later).
    /// </summary>
    public async Task<HttpResponseMessage> SendWebhookAsync(string json, CancellationToken ct = default)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/whatsapp/webhook") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", MetaSignature.Compute(AppSecret, bytes));
        return await Http.SendAsync(request, ct);
    }

    /// <summary>SIGKILL to this process only (by its id): no shutdown, no flush, exactly like a crash. Returns once it is gone.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: false);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(wait.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
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
}
