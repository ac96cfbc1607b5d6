using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Smartspace.Core.Conversations;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Features.Routing;
using Smartspace.Functions.Realtime;
using Smartspace.Meta.Sending;
using Smartspace.Meta.Signing;
using Smartspace.Testing;

namespace Smartspace.Functions.Tests.Infrastructure;

/// <summary>
/// The real handler host (WebApplicationFactory) on a fresh store: Azure Tables and Blob Storage on Azurite (the
/// test command's, else one shared by this test process) with a unique table prefix and media container. The clock is a <see cref="FakeTimeProvider"/>,
/// Meta's Graph API is the recording <see cref="FakeWhatsAppSender"/>, hosted timers are off (tests run
/// sweeps explicitly), and the demo contact center from the seed file is loaded at start. Its Durable runtime has a task
/// hub of its own, derived from the table prefix (<see cref="TestDurable"/>), so factories sharing a store on purpose
/// share its task hub too. A webhook's inbound messages are placed by the customer's entity after the 200:
/// <see cref="PostWebhookAsync(string, HttpClient?, bool)"/> waits for that unless told not to.
/// </summary>
public sealed class HandlerFactory : WebApplicationFactory<Program>
{
    public const string AppSecret = "test-app-secret";
    public const string VerifyToken = "test-verify-token";
    public const string ChannelId = "100200300400500";
    public const string OtherTenantChannelId = "100200300400999";
    public const string TenantId = "demo";

    private readonly Dictionary<string, string?> settings;

    /// <summary>The started hosts of this factory: itself and those derived with WithWebHostBuilder (same settings, same store).</summary>
    private readonly ConcurrentDictionary<IServiceProvider, byte> liveHosts = new();

    public HandlerFactory(string? tablesConnectionString = null, IDictionary<string, string?>? overrides = null)
    {
        var prefix = AzuriteFixture.NewTablePrefix("fn");
        settings = new Dictionary<string, string?>
        {
            ["Local:Enabled"] = "true",
            ["Storage:TablesConnectionString"] = tablesConnectionString ?? AzuriteHost.SharedConnectionString(),
            ["Storage:TablePrefix"] = prefix,
            ["Storage:MediaContainer"] = "media-" + prefix,
            ["Meta:AppSecret"] = AppSecret,
            ["Meta:VerifyToken"] = VerifyToken,
            ["Meta:AccessToken"] = "test-access-token",
            ["Meta:GraphBaseUrl"] = "http://127.0.0.1:9/graph",
            ["Meta:SandboxEnabled"] = "false",
            ["WebPubSub:Mode"] = "Embedded",
            ["WebPubSub:Endpoint"] = "http://localhost",
            ["WebPubSub:AccessKey"] = "test-webpubsub-access-key-0123456789abcdef",
            ["WebPubSub:Hub"] = "agents",
            ["Auth:Issuer"] = "smartspace-test",
            ["Auth:Audience"] = "smartspace-agent-api",
            ["Auth:SigningKey"] = "test-jwt-signing-key-0123456789abcdef0123456789",
            ["Auth:DevTokensEnabled"] = "true",
            ["Seed:File"] = "seed/demo-contact-center.json",
            ["Timers:Hosted"] = "false",
            ["Telemetry:Exporter"] = "None",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        // Hosts sharing a store (the same table prefix) share its media and its task hub too.
        if (overrides?.ContainsKey("Storage:MediaContainer") != true)
        {
            settings["Storage:MediaContainer"] = "media-" + settings["Storage:TablePrefix"]!.ToLowerInvariant();
        }

        foreach (var (key, value) in TestDurable.Settings(settings["Storage:TablePrefix"] ?? ""))
        {
            settings.TryAdd(key, value);
        }
    }

    /// <summary>The Azure Tables account of this host's store.</summary>
    public string TablesConnectionString => settings["Storage:TablesConnectionString"]!;

    /// <summary>This host's table prefix (a store of its own unless the test shares one on purpose).</summary>
    public string TablePrefix => settings["Storage:TablePrefix"]!;

    /// <summary>This host's Durable task hub.</summary>
    public string TaskHub => settings["Durable:TaskHub"]!;

    /// <summary>Starts at a fixed instant so tests can reason about the 24 h window.</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));

    public FakeWhatsAppSender Sender { get; } = new();

    /// <summary>Meta's media API: serves the files a test puts in it; any other id fails like an unreachable Graph API.</summary>
    public FakeMetaMedia Media { get; } = new();

    public RecordingEventPublisher Events => Services.GetRequiredService<RecordingEventPublisher>();

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            services.RemoveAll<IWhatsAppSender>();
            services.AddSingleton<IWhatsAppSender>(Sender);
            services.RemoveAll<Smartspace.Meta.Media.IMetaMedia>();
            services.AddSingleton<Smartspace.Meta.Media.IMetaMedia>(Media);
            services.AddSingleton<RecordingEventPublisher>();
            services.AddSingleton<IAgentEventSink, RecordingEventSink>();
            services.AddHostedService(sp => new LiveHost(liveHosts, sp));
        });
    }

    /// <summary>Keeps a started host in <see cref="liveHosts"/> until it stops (placement waits look at its routing).</summary>
    private sealed class LiveHost(ConcurrentDictionary<IServiceProvider, byte> hosts, IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            hosts[services] = 0;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            hosts.TryRemove(services, out _);
            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// No started host is routing the queue: a placement that queues a conversation asks for routing, which runs in the
    /// host's process (<see cref="RoutingSignal"/>) and assigns through orchestrations.
    /// </summary>
    private bool RoutingIdle() => liveHosts.Keys.All(host => host.GetService<RoutingSignal>() is not { IsIdle: false });

    /// <summary>A client authenticated as a seeded agent.</summary>
    public HttpClient ClientFor(string agentId, string tenantId = TenantId, AgentRole role = AgentRole.Agent)
    {
        var client = CreateClient();
        var token = Services.GetRequiredService<AgentTokenIssuer>().Issue(tenantId, agentId, role);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>
    /// POSTs a webhook body signed with the app secret, exactly as Meta would. After a 200 it waits (bounded) until the
    /// entities have placed every message staged so far (<see cref="WaitForPlacementAsync"/>), so the conversation can be
    /// read at once; <paramref name="waitForPlacement"/> false returns at the 200, for tests about what comes before.
    /// </summary>
    public Task<HttpResponseMessage> PostWebhookAsync(string json, HttpClient? client = null, bool waitForPlacement = true)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        return PostWebhookAsync(bytes, MetaSignature.Compute(AppSecret, bytes), client, waitForPlacement);
    }

    /// <inheritdoc cref="PostWebhookAsync(string, HttpClient?, bool)"/>
    public async Task<HttpResponseMessage> PostWebhookAsync(byte[] body, string? signature, HttpClient? client = null, bool waitForPlacement = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/whatsapp/webhook") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", signature);
        }

        client ??= CreateClient();
        var response = await client.SendAsync(request);
        if (waitForPlacement && response.StatusCode == System.Net.HttpStatusCode.OK)
        {
            await WaitForPlacementAsync();
        }

        return response;
    }

    /// <summary>
    /// Waits (bounded: 30 s) until every inbound message acknowledged so far is placed: no staged row is left in this
    /// store, this store's task hub has nothing left to do (the entities' state is committed, their events published) and
    /// no started host of this factory is routing the queue (the assignments a placement asked for are done). For webhooks
    /// a test posts through a client of its own.
    /// </summary>
    public Task WaitForPlacementAsync(CancellationToken cancellationToken = default) =>
        StagedMessages.WaitPlacedAsync(TablesConnectionString, TablePrefix, cancellationToken, taskHub: TaskHub,
            durableConnectionString: settings.GetValueOrDefault("Durable:ConnectionString"), idle: RoutingIdle);
}

/// <summary>A recording Graph API: accepts every send with a fresh wamid unless told otherwise.</summary>
public sealed class FakeWhatsAppSender : IWhatsAppSender
{
    private int counter;

    public ConcurrentQueue<OutboundRequest> Requests { get; } = new();

    /// <summary>Decides the outcome of each send; default: accepted, wa_id = recipient digits.</summary>
    public Func<OutboundRequest, SendOutcome>? Behaviour { get; set; }

    /// <summary>Like <see cref="Behaviour"/>, for a Graph API that answers late or hangs (wins over it when set).</summary>
    public Func<OutboundRequest, CancellationToken, Task<SendOutcome>>? AsyncBehaviour { get; set; }

    public Task<SendOutcome> SendAsync(OutboundRequest request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request);
        if (AsyncBehaviour is { } slow)
        {
            return slow(request, cancellationToken);
        }

        var outcome = Behaviour?.Invoke(request)
            ?? new SendOutcome.Accepted($"wamid.TEST{Interlocked.Increment(ref counter):D6}", request.ToE164.TrimStart('+'), "accepted");
        return Task.FromResult(outcome);
    }
}

/// <summary>A recording Meta media API: files by media id, uploads answered with fresh ids, read receipts recorded.</summary>
public sealed class FakeMetaMedia : Smartspace.Meta.Media.IMetaMedia
{
    private int counter;

    public ConcurrentDictionary<string, (byte[] Content, string MimeType)> Files { get; } = new();

    public ConcurrentQueue<(string Wamid, bool Typing)> Receipts { get; } = new();

    /// <summary>When true, Meta answers read receipts with an error (nothing is recorded).</summary>
    public bool FailReceipts { get; set; }

    public Task<Smartspace.Meta.Media.MediaDownload> DownloadAsync(string mediaId, string phoneNumberId, long maxBytes, CancellationToken cancellationToken) =>
        Task.FromResult(Files.TryGetValue(mediaId, out var file)
            ? new Smartspace.Meta.Media.MediaDownload(Smartspace.Core.Media.MediaFetchResult.Stored, file.Content, file.MimeType, null, null, 200, "downloaded")
            : new Smartspace.Meta.Media.MediaDownload(Smartspace.Core.Media.MediaFetchResult.Transient, null, null, null, null, null, "unreachable"));

    public Task<Smartspace.Meta.Media.MediaUpload> UploadAsync(string phoneNumberId, byte[] content, string mimeType, string fileName, CancellationToken cancellationToken) =>
        Task.FromResult(new Smartspace.Meta.Media.MediaUpload("upload-" + Interlocked.Increment(ref counter), null));

    public Task<bool> MarkReadAsync(string phoneNumberId, string wamid, bool typing, CancellationToken cancellationToken)
    {
        if (FailReceipts)
        {
            return Task.FromResult(false);
        }

        Receipts.Enqueue((wamid, typing));
        return Task.FromResult(true);
    }
}

/// <summary>Builds Meta-shaped webhook payloads (reference §4–6).</summary>
public static class MetaPayloads
{
    public static string Envelope(string phoneNumberId, string valueJson, string wabaId = "200300400500600") =>
        "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"" + wabaId + "\",\"changes\":[{\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":\"551140001234\",\"phone_number_id\":\"" + phoneNumberId + "\"}," + valueJson + "}}]}]}";

    public static string Text(string from, string wamid, DateTimeOffset at, string body = "Olá", string name = "Maria Cliente", string phoneNumberId = HandlerFactory.ChannelId) =>
        Envelope(phoneNumberId,
            "\"contacts\":[{\"profile\":{\"name\":" + JsonSerializer.Serialize(name) + "},\"wa_id\":\"" + from + "\",\"user_id\":\"BR." + from + "\"}]," +
            "\"messages\":[{\"from\":\"" + from + "\",\"from_user_id\":\"BR." + from + "\",\"id\":\"" + wamid + "\",\"timestamp\":\"" + at.ToUnixTimeSeconds() + "\",\"type\":\"text\",\"text\":{\"body\":" + JsonSerializer.Serialize(body) + "}}]");

    public static string Status(string wamid, string status, DateTimeOffset at, string recipient, string? ourMessageId = null, int? errorCode = null, string phoneNumberId = HandlerFactory.ChannelId)
    {
        var opaque = ourMessageId is null ? "" : $",\"biz_opaque_callback_data\":\"{ourMessageId}\"";
        var errors = errorCode is null ? "" : ",\"errors\":[{\"code\":" + errorCode + ",\"title\":\"Re-engagement message\",\"message\":\"Re-engagement message\",\"error_data\":{\"details\":\"Message failed to send because more than 24 hours have passed since the customer last replied to this number.\"}}]";
        return Envelope(phoneNumberId,
            "\"statuses\":[{\"id\":\"" + wamid + "\",\"status\":\"" + status + "\",\"timestamp\":\"" + at.ToUnixTimeSeconds() + "\",\"recipient_id\":\"" + recipient + "\"" + opaque + errors + "}]");
    }
}

public static class HttpJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(string.IsNullOrEmpty(text) ? "null" : text).RootElement.Clone();
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body, Options);
}
