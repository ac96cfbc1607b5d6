using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Smartspace.Realtime.Auth;
using Smartspace.Realtime.Hub;

namespace Smartspace.Realtime.Tests.Support;

/// <summary>A real Kestrel host on 127.0.0.1:&lt;free port&gt; with the embedded hub mapped.</summary>
internal sealed class HubHost : IAsyncDisposable
{
    public const string Key = "test-access-key-0123456789-abcdefghijklmnopqrstuvwxyz";
    public const string HubName = "agents";

    private readonly WebApplication _app;

    private HubHost(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public string ClientUrl => BaseUrl.Replace("http://", "ws://") + "/client/hubs/" + HubName;

    public string Audience => BaseUrl + "/client/hubs/" + HubName;

    public IServiceProvider Services => _app.Services;

    public EmbeddedHub Hub => _app.Services.GetRequiredService<EmbeddedHub>();

    public static async Task<HubHost> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var port = FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(baseUrl);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var config = new Dictionary<string, string?>
        {
            ["WebPubSub:Mode"] = "Embedded",
            ["WebPubSub:Endpoint"] = baseUrl,
            ["WebPubSub:AccessKey"] = Key,
            ["WebPubSub:Hub"] = HubName,
            ["WebPubSub:EnableTestHooks"] = "true",
        };
        foreach (var (k, v) in settings ?? [])
        {
            config["WebPubSub:" + k] = v;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.Services.AddSmartspaceRealtime(builder.Configuration.GetSection("WebPubSub"));
        var app = builder.Build();
        app.MapEmbeddedWebPubSubHub();
        await app.StartAsync();
        return new HubHost(app, baseUrl);
    }

    public string Token(string? userId, IEnumerable<string>? roles = null, IEnumerable<string>? groups = null, string? audience = null, string key = Key, TimeSpan? lifetime = null, DateTimeOffset? now = null) =>
        HubJwt.Create(key, audience ?? Audience, now ?? DateTimeOffset.UtcNow, lifetime ?? TimeSpan.FromMinutes(10), userId, roles, groups);

    public Task<TestClient> ConnectAsync(string? userId, string? protocol = "json.reliable.webpubsub.azure.v1", IEnumerable<string>? roles = null, IEnumerable<string>? groups = null) =>
        TestClient.ConnectAsync(new Uri($"{ClientUrl}?access_token={Token(userId, roles, groups)}"), protocol);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
