namespace Smartspace.Meta.Sandbox;

/// <summary>Knobs of the local Meta sandbox (code-level; the operator switch is <c>Meta:SandboxEnabled</c>).</summary>
public sealed class MetaSandboxOptions
{
    /// <summary>Pause before each status webhook (sent, delivered, read). Default 50 ms; tests use zero.</summary>
    public TimeSpan StatusDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>WABA id used in webhook envelopes (<c>entry[].id</c>).</summary>
    public string WabaId { get; set; } = "102290129340398";

    /// <summary><c>metadata.display_phone_number</c> per <c>phone_number_id</c>; unknown ids use <see cref="DefaultDisplayPhoneNumber"/>.</summary>
    public Dictionary<string, string> DisplayPhoneNumbers { get; } = new(StringComparer.Ordinal);

    public string DefaultDisplayPhoneNumber { get; set; } = "551130000000";

    /// <summary>13-digit Brazilian mobiles whose WhatsApp account predates the ninth digit (send answers the 12-digit wa_id, P6).</summary>
    public HashSet<string> OldAccountNumbers { get; } = new(StringComparer.Ordinal);

    /// <summary>Seed the catalog with <see cref="SandboxDefaults.Templates"/>. Default true.</summary>
    public bool SeedDefaultTemplates { get; set; } = true;

    /// <summary>Tries per webhook POST (Meta retries non-2xx). Default 3.</summary>
    public int WebhookAttempts { get; set; } = 3;

    /// <summary>Pause between webhook tries, multiplied by the try number. Default 500 ms.</summary>
    public TimeSpan WebhookRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Length of the customer service window the sandbox enforces (P4). Default 24 h.</summary>
    public TimeSpan ServiceWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Path the default webhook URL points at on this host.</summary>
    public string WebhookPath { get; set; } = "/api/whatsapp/webhook";
}
