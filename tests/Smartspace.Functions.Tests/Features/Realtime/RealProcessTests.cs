using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Smartspace.Functions.Realtime;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Realtime;

/// <summary>
/// The built handler as its own process in local mode (tables of its own on Azurite, embedded hub): a real
/// <see cref="System.Net.WebSockets.ClientWebSocket"/> over loopback TCP with the URL from
/// <c>/api/negotiate</c>, and the hub calling the handler's <c>/api/webpubsub/events</c> over real HTTP.
/// </summary>
public sealed class RealProcessTests
{
    [Fact]
    public async Task R18_a_real_socket_receives_the_webhooks_events_and_its_open_and_close_drive_availability_over_http()
    {
        await using var handler = await LocalHandler.StartAsync();
        using var ana = await handler.ClientForAsync("ana");
        using var bruno = await handler.ClientForAsync("bruno");
        await SetAvailableAsync(ana, false);
        await SetAvailableAsync(bruno, false);

        using var negotiate = await ana.GetAsync("/api/negotiate");
        Assert.Equal(200, (int)negotiate.StatusCode);
        var url = (await negotiate.ReadJsonAsync()).GetProperty("url").GetString()!;
        Assert.StartsWith($"ws://127.0.0.1:{handler.Port}/client/hubs/agents?access_token=", url, StringComparison.Ordinal);

        await using var socket = await HubSocket.ConnectAsync(url);
        Assert.Equal("ana", socket.UserId);
        await WaitAvailableAsync(ana, true); // connected → available, delivered by the hub over HTTP

        using (var response = await handler.PostWebhookAsync(MetaPayloads.Text("5511987004455", "wamid.REAL.1", DateTimeOffset.UtcNow, "Olá, tudo bem?")))
        {
            Assert.Equal(200, (int)response.StatusCode);
        }

        var assigned = (await socket.WaitForEventAsync(AgentEventTypes.ConversationAssigned)).Single(f => f.Type == AgentEventTypes.ConversationAssigned);
        Assert.Equal("ana", assigned.AgentId);
        using (var response = await handler.PostWebhookAsync(MetaPayloads.Text("5511987004455", "wamid.REAL.2", DateTimeOffset.UtcNow, "Quero ajuda")))
        {
            Assert.Equal(200, (int)response.StatusCode);
        }

        var received = (await socket.WaitForEventAsync(AgentEventTypes.MessageReceived, assigned.ConversationId)).Single(f => f.Type == AgentEventTypes.MessageReceived);
        Assert.True(received.Version > assigned.Version);
        Assert.Equal("Quero ajuda", received.Message!.Value.GetProperty("text").GetString());

        await socket.CloseAsync();
        await WaitAvailableAsync(ana, false); // disconnected → unavailable
    }

    private static async Task SetAvailableAsync(HttpClient client, bool available)
    {
        using var response = await client.PostAsJsonAsync("/api/agent/me/status", new { available });
        Assert.Equal(200, (int)response.StatusCode);
    }

    private static async Task WaitAvailableAsync(HttpClient client, bool available)
    {
        var until = DateTime.UtcNow + HubSocket.WaitBound;
        while (true)
        {
            using var response = await client.GetAsync("/api/agent/me");
            var me = await response.ReadJsonAsync();
            if (response.IsSuccessStatusCode && me.GetProperty("available").GetBoolean() == available)
            {
                return;
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"availability never became {available}: {me}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The Debug build of the handler on a free loopback port, killed by its own PID.</summary>
    private sealed class LocalHandler : IAsyncDisposable
    {
        private const string AppSecret = "realtime-process-app-secret";
        private readonly Process process;
        private readonly string directory;
        private readonly StringBuilder output = new();

        private LocalHandler(Process process, string directory, int port, string tablePrefix)
        {
            this.process = process;
            this.directory = directory;
            Port = port;
            TablePrefix = tablePrefix;
            Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        }

        public int Port { get; }

        public string TablePrefix { get; }

        public HttpClient Http { get; }

        public static async Task<LocalHandler> StartAsync()
        {
            var dll = Path.Combine(RepoRoot(), "functions", "Smartspace.LocalHost", "bin", "Debug", "net10.0", "Smartspace.LocalHost.dll");
            Assert.True(File.Exists(dll), $"{dll} is missing (it is built with this test project)");
            var directory = Path.Combine(Path.GetTempPath(), "smartspace-realtime-process", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            var prefix = Smartspace.Testing.AzuriteFixture.NewTablePrefix("rt");
            int port;
            using (var listener = new TcpListener(IPAddress.Loopback, 0))
            {
                listener.Start();
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }

            var info = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
            {
                WorkingDirectory = Path.GetDirectoryName(dll)!,
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var (key, value) in new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["Local__Enabled"] = "true",
                ["Storage__TablesConnectionString"] = Smartspace.Testing.AzuriteHost.SharedConnectionString(),
                ["Storage__TablePrefix"] = prefix,
                ["Storage__MediaContainer"] = "media-" + prefix,
                ["Meta__AppSecret"] = AppSecret,
                ["Meta__VerifyToken"] = "verify",
                ["Meta__AccessToken"] = "token",
                ["Meta__GraphBaseUrl"] = "http://127.0.0.1:9/graph",
                ["Meta__SandboxEnabled"] = "false",
                ["WebPubSub__Mode"] = "Embedded",
                ["WebPubSub__Endpoint"] = $"http://127.0.0.1:{port}",
                ["WebPubSub__AccessKey"] = "realtime-process-access-key-0123456789abcdef",
                ["WebPubSub__Hub"] = "agents",
                ["Auth__Issuer"] = "smartspace-realtime-process",
                ["Auth__Audience"] = "smartspace-agent-api",
                ["Auth__SigningKey"] = "realtime-process-signing-key-0123456789abcdef0123",
                ["Auth__DevTokensEnabled"] = "true",
                ["Seed__File"] = "seed/demo-contact-center.json",
                ["Timers__Hosted"] = "false",
                ["Telemetry__Exporter"] = "None",
                ["Logging__LogLevel__Default"] = "Warning",
            })
            {
                info.Environment[key] = value;
            }

            // Its Durable runtime on a task hub of its own (the tables' Azurite account).
            foreach (var (key, value) in Smartspace.Testing.TestDurable.Settings(prefix, "__"))
            {
                info.Environment[key] = value;
            }

            info.Environment.Remove("ASPNETCORE_URLS");
            var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the handler");
            var handler = new LocalHandler(process, directory, port, prefix);
            process.OutputDataReceived += (_, e) => handler.Append(e.Data);
            process.ErrorDataReceived += (_, e) => handler.Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            var until = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (true)
            {
                if (process.HasExited)
                {
                    await handler.DisposeAsync();
                    throw new InvalidOperationException($"the handler exited with {process.ExitCode}:\n{handler.Output}");
                }

                try
                {
                    using var response = await handler.Http.GetAsync("/api/health");
                    if (response.IsSuccessStatusCode)
                    {
                        return handler;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                }

                if (DateTime.UtcNow > until)
                {
                    await handler.DisposeAsync();
                    throw new TimeoutException("the handler did not become healthy:\n" + handler.Output);
                }

                await Task.Delay(200);
            }
        }

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

        public async Task<HttpClient> ClientForAsync(string agentId)
        {
            using var response = await Http.PostAsJsonAsync("/api/dev/token", new { agentId });
            Assert.Equal(200, (int)response.StatusCode);
            var token = (await response.ReadJsonAsync()).GetProperty("accessToken").GetString()!;
            var client = new HttpClient { BaseAddress = Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return client;
        }

        public async Task<HttpResponseMessage> PostWebhookAsync(string json)
        {
            var body = Encoding.UTF8.GetBytes(json);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/whatsapp/webhook") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(AppSecret), body)));
            var response = await Http.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                // The customer's entity places the message just after the 200.
                await Smartspace.Testing.StagedMessages.WaitPlacedAsync(Smartspace.Testing.AzuriteHost.SharedConnectionString(), TablePrefix);
            }

            return response;
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    await process.WaitForExitAsync(timeout.Token);
                }
            }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
            {
            }

            process.Dispose();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
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
                if (output.Length < 64 * 1024)
                {
                    output.AppendLine(line);
                }
            }
        }

        private static string RepoRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Smartspace.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("Smartspace.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
