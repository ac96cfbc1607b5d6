using Microsoft.Extensions.Options;

namespace Smartspace.Functions.Hosting;

/// <summary>Section "Local": the embedded developer mode (hub, Meta sandbox, dev tokens, seeded demo). Off in Azure.</summary>
public sealed class LocalOptions
{
    public const string Section = "Local";
    public bool Enabled { get; set; }
}

/// <summary>Section "Auth": JWT bearer validation for the agent API (HS256 key locally, an Entra ID authority in Azure).</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";
    public string Issuer { get; set; } = "";
    public string Audience { get; set; } = "";
    /// <summary>Symmetric HS256 key (at least 32 bytes). Used when <see cref="Authority"/> is empty.</summary>
    public string SigningKey { get; set; } = "";
    /// <summary>OpenID Connect authority (e.g. Entra ID) whose published keys validate tokens.</summary>
    public string Authority { get; set; } = "";
    /// <summary>Development token endpoint; honoured only in local mode and the Development environment.</summary>
    public bool DevTokensEnabled { get; set; }
    public TimeSpan DevTokenLifetime { get; set; } = TimeSpan.FromHours(8);
}

/// <summary>Section "Timers": how often the local hosted timers run (Azure uses the function.json schedules).</summary>
public sealed class TimersOptions
{
    public const string Section = "Timers";
    public TimeSpan WindowExpiryInterval { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan OutboxRetryInterval { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>Run the hosted timers in this process (local default); in Azure the timer functions do it.</summary>
    public bool Hosted { get; set; } = true;
}

public enum TelemetryExporter { None, Otlp, AzureMonitor }

/// <summary>Section "Telemetry": OpenTelemetry traces and metrics; nothing is exported by default.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";
    public TelemetryExporter Exporter { get; set; } = TelemetryExporter.None;
    public string OtlpEndpoint { get; set; } = "";
}

/// <summary>Section "Seed": the demo contact center loaded at start in local mode.</summary>
public sealed class SeedOptions
{
    public const string Section = "Seed";
    public string File { get; set; } = "";
}

/// <summary>Section "AgentApi": limits of the agent API (<c>/api/agent/…</c>), per request and per agent.</summary>
public sealed class AgentApiOptions
{
    public const string Section = "AgentApi";

    /// <summary>The largest body the agent API reads; a larger one is refused with 413 before it is read (the webhook keeps its own).</summary>
    public int MaxBodyBytes { get; set; } = 32 * 1024;

    /// <summary>Requests one agent may make per <see cref="RateLimitWindow"/>; beyond it 429 with Retry-After.</summary>
    public int RateLimitPermits { get; set; } = 300;

    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);
}

internal sealed class AgentApiOptionsValidator : IValidateOptions<AgentApiOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentApiOptions options)
    {
        var errors = new List<string>();
        if (options.MaxBodyBytes is < 1024 or > 1024 * 1024)
        {
            errors.Add("AgentApi:MaxBodyBytes must be between 1024 and 1048576.");
        }

        if (options.RateLimitPermits < 1)
        {
            errors.Add("AgentApi:RateLimitPermits must be at least 1.");
        }

        if (options.RateLimitWindow <= TimeSpan.Zero)
        {
            errors.Add("AgentApi:RateLimitWindow must be positive.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            errors.Add("Auth:Audience is required.");
        }

        if (string.IsNullOrWhiteSpace(options.Authority))
        {
            if (string.IsNullOrWhiteSpace(options.Issuer))
            {
                errors.Add("Auth:Issuer is required when Auth:Authority is empty.");
            }

            if (System.Text.Encoding.UTF8.GetByteCount(options.SigningKey) < 32)
            {
                errors.Add("Auth:SigningKey must be at least 32 bytes when Auth:Authority is empty.");
            }
        }

        if (options.DevTokenLifetime <= TimeSpan.Zero)
        {
            errors.Add("Auth:DevTokenLifetime must be positive.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class TimersOptionsValidator : IValidateOptions<TimersOptions>
{
    public ValidateOptionsResult Validate(string? name, TimersOptions options)
    {
        var errors = new List<string>();
        if (options.WindowExpiryInterval <= TimeSpan.Zero)
        {
            errors.Add("Timers:WindowExpiryInterval must be positive.");
        }

        if (options.OutboxRetryInterval <= TimeSpan.Zero)
        {
            errors.Add("Timers:OutboxRetryInterval must be positive.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options) =>
        options.Exporter == TelemetryExporter.Otlp && !Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out _)
            ? ValidateOptionsResult.Fail("Telemetry:OtlpEndpoint must be an absolute URI when Telemetry:Exporter is Otlp.")
            : ValidateOptionsResult.Success;
}
