using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Smartspace.Meta.Graph;
using Smartspace.Meta.Options;
using Smartspace.Meta.Sandbox;

namespace Smartspace.Meta.Tests.Support;

/// <summary>A real Kestrel host on 127.0.0.1 with the sandbox mapped and a webhook receiver that records what it gets.</summary>
internal sealed class SandboxHost : IAsyncDisposable
{
    public const string AppSecret = "sandbox-test-app-secret";
    public const string AccessToken = "sandbox-test-access-token";
    public const string PhoneNumberId = "106540352242922";

    private SandboxHost(WebApplication app, Uri baseUri, FakeTimeProvider time, WebhookReceiver receiver)
    {
        App = app;
        BaseUri = baseUri;
        Time = time;
        Receiver = receiver;
        Http = new HttpClient { BaseAddress = baseUri };
        Options = new MetaOptions
        {
            AppSecret = AppSecret,
            VerifyToken = "verify",
            AccessToken = AccessToken,
            GraphBaseUrl = new Uri(baseUri, "/sandbox/graph").ToString(),
            GraphApiVersion = "v23.0",
        };
        Client = new GraphApiClient(new HttpClient(), new StaticOptionsMonitor<MetaOptions>(Options), NullLogger<GraphApiClient>.Instance);
    }

    public WebApplication App { get; }

    public Uri BaseUri { get; }

    public FakeTimeProvider Time { get; }

    public WebhookReceiver Receiver { get; }

    public HttpClient Http { get; }

    public MetaOptions Options { get; }

    public GraphApiClient Client { get; }

    public MetaSandbox Sandbox => App.Services.GetRequiredService<MetaSandbox>();

    public static async Task<SandboxHost> StartAsync(Action<MetaSandboxOptions>? configure = null, bool sandboxEnabled = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Meta:AppSecret"] = AppSecret,
            ["Meta:VerifyToken"] = "verify",
            ["Meta:AccessToken"] = AccessToken,
            ["Meta:GraphBaseUrl"] = "http://127.0.0.1/sandbox/graph",
            ["Meta:SandboxEnabled"] = sandboxEnabled ? "true" : "false",
        });
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 2, 0, 0, TimeSpan.Zero));
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddMetaWhatsApp(builder.Configuration);
        builder.Services.AddMetaSandbox(o =>
        {
            o.StatusDelay = TimeSpan.Zero;
            o.WebhookRetryDelay = TimeSpan.FromMilliseconds(10);
            o.DisplayPhoneNumbers[PhoneNumberId] = "551130000000";
            configure?.Invoke(o);
        });

        var app = builder.Build();
        var receiver = new WebhookReceiver();
        app.MapMetaSandbox();
        app.MapPost("/api/whatsapp/webhook", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            receiver.Add(buffer.ToArray(), context.Request.Headers["X-Hub-Signature-256"].ToString());
            return Results.Text(receiver.NextStatus.ToString(System.Globalization.CultureInfo.InvariantCulture), statusCode: receiver.NextStatus);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SandboxHost(app, new Uri(address), time, receiver);
    }

    public async Task<JsonElement> SimulateCustomerAsync(object message)
    {
        using var response = await Http.PostAsJsonAsync("/sandbox/customers/messages", message);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Webhooks the fake receiver got: exact bytes and signature header.</summary>
internal sealed class WebhookReceiver
{
    private readonly ConcurrentQueue<ReceivedWebhook> received = new();
    private readonly SemaphoreSlim signal = new(0);

    public int NextStatus { get; set; } = 200;

    public IReadOnlyList<ReceivedWebhook> All => received.ToArray();

    public void Add(byte[] body, string signature)
    {
        received.Enqueue(new ReceivedWebhook(body, signature));
        signal.Release();
    }

    /// <summary>Waits until at least <paramref name="count"/> webhooks matching <paramref name="match"/> arrived.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(int count, Func<ReceivedWebhook, bool>? match = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var matching = received.Where(w => match?.Invoke(w) ?? true).ToArray();
            if (matching.Length >= count)
            {
                return matching;
            }

            await signal.WaitAsync(timeout.Token);
        }
    }
}

internal sealed record ReceivedWebhook(byte[] Body, string Signature)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public JsonElement Value => Json.GetProperty("entry")[0].GetProperty("changes")[0].GetProperty("value");

    public string Field => Json.GetProperty("entry")[0].GetProperty("changes")[0].GetProperty("field").GetString()!;

    public JsonElement? Status => Value.TryGetProperty("statuses", out var s) ? s[0] : null;

    public bool IsStatus => Field == "messages" && Status is not null;
}
