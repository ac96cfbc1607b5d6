using Microsoft.Extensions.Options;
using Smartspace.Functions.Ledger;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.Privacy;

/// <summary>
/// Section "Privacy": the retention a contact center gets until its supervisor sets its own, and how the retention
/// timer works. Five years of messages by default (the consumer-law prescription period, CDC art. 27, a common reason
/// to keep them), one year of media.
/// </summary>
public sealed class PrivacyOptions
{
    public const string Section = "Privacy";
    public static readonly TimeSpan MinRetention = TimeSpan.FromDays(1);
    public static readonly TimeSpan MaxRetention = TimeSpan.FromDays(3650);

    public TimeSpan MessageRetention { get; set; } = TimeSpan.FromDays(1825);
    public TimeSpan MediaRetention { get; set; } = TimeSpan.FromDays(365);
    /// <summary>The most rows one retention run removes or changes across all contact centers; the next run continues.</summary>
    public int RetentionMaxRowsPerRun { get; set; } = 20_000;
    /// <summary>How often the local host's hosted loop runs the retention timer (Azure: daily at 03:00 UTC).</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromDays(1);
}

internal sealed class PrivacyOptionsValidator : IValidateOptions<PrivacyOptions>
{
    public ValidateOptionsResult Validate(string? name, PrivacyOptions options)
    {
        var errors = new List<string>();
        if (RetentionSettings.Check(options.MessageRetention, options.MediaRetention) is { } problem)
        {
            errors.Add("Privacy: " + problem);
        }

        if (options.RetentionMaxRowsPerRun is < 1 or > 1_000_000)
        {
            errors.Add("Privacy:RetentionMaxRowsPerRun must be 1–1000000.");
        }

        if (options.RetentionInterval <= TimeSpan.Zero)
        {
            errors.Add("Privacy:RetentionInterval must be positive.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>How long a contact center keeps messages and media; <see cref="IsDefault"/> when its supervisor set nothing.</summary>
public sealed record RetentionSettings(TimeSpan MessageRetention, TimeSpan MediaRetention, bool IsDefault)
{
    /// <summary>Null when valid, else the reason: whole days within the bounds, media no longer than messages.</summary>
    public static string? Check(TimeSpan messages, TimeSpan media)
    {
        if (messages < PrivacyOptions.MinRetention || messages > PrivacyOptions.MaxRetention || media < PrivacyOptions.MinRetention || media > PrivacyOptions.MaxRetention)
        {
            return $"retention must be {PrivacyOptions.MinRetention.TotalDays:0}–{PrivacyOptions.MaxRetention.TotalDays:0} days.";
        }

        return media > messages ? "media retention must not exceed message retention (a message removed takes its media with it)." : null;
    }

    public object ToView() => new { messageRetentionDays = (int)MessageRetention.TotalDays, mediaRetentionDays = (int)MediaRetention.TotalDays, isDefault = IsDefault };
}

/// <summary>The body of <c>PUT /api/agent/admin/privacy/settings</c>.</summary>
public sealed record RetentionSettingsRequest(int? MessageRetentionDays, int? MediaRetentionDays);

/// <summary>Each contact center's retention settings: a row of its own partition, else the <see cref="PrivacyOptions"/> defaults.</summary>
public sealed class RetentionSettingsStore(LedgerStore ledger, IOptions<PrivacyOptions> options)
{
    public async Task<RetentionSettings> GetAsync(string tenantId, CancellationToken ct)
    {
        var defaults = options.Value;
        var row = await ledger.GetAsync(tenantId, Keys.PrivacySettings, ct);
        return row?.GetInt32("MessageRetentionDays") is { } messages && row.GetInt32("MediaRetentionDays") is { } media
            ? new RetentionSettings(TimeSpan.FromDays(messages), TimeSpan.FromDays(media), IsDefault: false)
            : new RetentionSettings(defaults.MessageRetention, defaults.MediaRetention, IsDefault: true);
    }

    public Task SaveAsync(string tenantId, int messageDays, int mediaDays, CancellationToken ct) =>
        ledger.SubmitAsync([EntityOperation.Upsert(new Entity(tenantId, Keys.PrivacySettings, new Dictionary<string, object?>
        {
            ["MessageRetentionDays"] = messageDays,
            ["MediaRetentionDays"] = mediaDays,
        }))], ct);
}
