using System.Text;
using Microsoft.Extensions.Options;

namespace Smartspace.Realtime.Options;

/// <summary>Checks every option and reports all problems at once.</summary>
public sealed class WebPubSubOptionsValidator : IValidateOptions<WebPubSubOptions>
{
    /// <summary>Minimum key size: HS256 keys shorter than the hash (32 bytes) weaken the MAC.</summary>
    public const int MinAccessKeyBytes = 32;

    public ValidateOptionsResult Validate(string? name, WebPubSubOptions options)
    {
        var errors = new List<string>();
        var prefix = WebPubSubOptions.SectionName + ":";

        if (!Enum.IsDefined(options.Mode))
        {
            errors.Add($"{prefix}Mode must be Embedded or Azure.");
        }

        if (string.IsNullOrWhiteSpace(options.Endpoint))
        {
            errors.Add($"{prefix}Endpoint is required (e.g. http://127.0.0.1:5080 or https://name.webpubsub.azure.com).");
        }
        else if (!IsHttpUrl(options.Endpoint))
        {
            errors.Add($"{prefix}Endpoint must be an absolute http(s) URL, got '{options.Endpoint}'.");
        }

        if (string.IsNullOrEmpty(options.AccessKey))
        {
            errors.Add($"{prefix}AccessKey is required.");
        }
        else if (Encoding.UTF8.GetByteCount(options.AccessKey) < MinAccessKeyBytes)
        {
            errors.Add($"{prefix}AccessKey must be at least {MinAccessKeyBytes} bytes.");
        }

        if (!HubName.IsValid(options.Hub))
        {
            errors.Add($"{prefix}Hub must start with a letter, use only letters, digits and '_', and be at most 128 characters.");
        }

        if (!string.IsNullOrEmpty(options.EventHandlerUrl) && !IsHttpUrl(options.EventHandlerUrl))
        {
            errors.Add($"{prefix}EventHandlerUrl must be empty or an absolute http(s) URL.");
        }

        if (options.ReconnectWindow <= TimeSpan.Zero)
        {
            errors.Add($"{prefix}ReconnectWindow must be positive.");
        }

        if (options.MaxUnackedMessages <= 0)
        {
            errors.Add($"{prefix}MaxUnackedMessages must be positive.");
        }

        if (options.MaxBufferedBytes <= 0)
        {
            errors.Add($"{prefix}MaxBufferedBytes must be positive.");
        }

        if (options.TokenLifetime <= TimeSpan.Zero)
        {
            errors.Add($"{prefix}TokenLifetime must be positive.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}

/// <summary>Web PubSub hub-name rule: starts with a letter, letters/digits/underscore, ≤ 128 chars.</summary>
public static class HubName
{
    public static bool IsValid(string? hub) =>
        !string.IsNullOrEmpty(hub)
        && hub.Length <= 128
        && char.IsAsciiLetter(hub[0])
        && hub.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
