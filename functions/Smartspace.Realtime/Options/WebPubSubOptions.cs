namespace Smartspace.Realtime.Options;

/// <summary>Where agents' live updates go: the embedded hub (local default) or Azure Web PubSub.</summary>
public enum WebPubSubMode
{
    /// <summary>The in-process hub that speaks the Web PubSub client protocols and REST API.</summary>
    Embedded,

    /// <summary>A real Azure Web PubSub resource, reached through its data-plane REST API.</summary>
    Azure,
}

/// <summary>Options bound from the <c>WebPubSub</c> configuration section.</summary>
public sealed class WebPubSubOptions
{
    public const string SectionName = "WebPubSub";

    /// <summary>Embedded (default) or Azure.</summary>
    public WebPubSubMode Mode { get; set; } = WebPubSubMode.Embedded;

    /// <summary>
    /// Public base URL of the service: <c>https://x.webpubsub.azure.com</c> for Azure, or the URL the
    /// embedded hub is reachable at (e.g. <c>http://127.0.0.1:5080</c>). Client URLs and token audiences
    /// are built from it.
    /// </summary>
    public string Endpoint { get; set; } = "";

    /// <summary>The access key; tokens are HS256 JWTs signed with its UTF-8 bytes. At least 32 bytes.</summary>
    public string AccessKey { get; set; } = "";

    /// <summary>Hub name. Default <c>agents</c>.</summary>
    public string Hub { get; set; } = "agents";

    /// <summary>Where the embedded hub POSTs connected/disconnected/user CloudEvents. Empty = none.</summary>
    public string EventHandlerUrl { get; set; } = "";

    /// <summary>How long a reliable session survives an abnormal drop. Default 30 s.</summary>
    public TimeSpan ReconnectWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Cap on un-acknowledged (reliable) or queued (plain) messages per connection. Default 1,000.</summary>
    public int MaxUnackedMessages { get; set; } = 1000;

    /// <summary>Cap on the bytes held for one connection (un-acked plus queued). Default 16 MiB.</summary>
    public long MaxBufferedBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Lifetime of client access tokens issued by the URL factory. Default 60 min.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>
    /// Test-only: maps <c>POST /api/hubs/{hub}/connections/{id}/:abort</c>, which drops the TCP
    /// connection without a close frame (an abnormal drop the client can recover from). Default off.
    /// </summary>
    public bool EnableTestHooks { get; set; }
}
