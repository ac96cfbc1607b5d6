namespace Smartspace.Meta.Options;

/// <summary>
/// Configuration section <c>Meta</c>. Key names are fixed: operators set them as <c>Meta__AppSecret</c> etc.
/// </summary>
public sealed class MetaOptions
{
    public const string SectionName = "Meta";

    /// <summary>App secret used to sign/verify <c>X-Hub-Signature-256</c> (P2). Required.</summary>
    public string AppSecret { get; set; } = "";

    /// <summary>Shared string echoed in the webhook verification handshake (P1). Required.</summary>
    public string VerifyToken { get; set; } = "";

    /// <summary>Graph API base URL. Azure: <c>https://graph.facebook.com</c>; local: <c>http://127.0.0.1:5080/sandbox/graph</c>.</summary>
    public string GraphBaseUrl { get; set; } = "https://graph.facebook.com";

    /// <summary>Graph API version path segment, e.g. <c>v23.0</c> (the default).</summary>
    public string GraphApiVersion { get; set; } = "v23.0";

    /// <summary>System-user access token sent as <c>Authorization: Bearer</c>. Required; never logged.</summary>
    public string AccessToken { get; set; } = "";

    /// <summary>Maps the in-memory Meta sandbox (fake Graph API + customer simulator). Default false.</summary>
    public bool SandboxEnabled { get; set; }

    /// <summary>
    /// Where the sandbox posts its signed webhooks. Default (empty): this host's own <c>/api/whatsapp/webhook</c>.
    /// </summary>
    public string? SandboxWebhookUrl { get; set; }

    /// <summary>How often templates are re-synced from Meta (the webhook is the fast path). Default 15 minutes.</summary>
    public TimeSpan TemplateSyncInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary><c>{GraphBaseUrl}/{GraphApiVersion}/</c> with exactly one slash between the parts.</summary>
    public string VersionedBaseUrl => GraphBaseUrl.TrimEnd('/') + "/" + GraphApiVersion.Trim('/') + "/";
}
