using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Smartspace.Meta.Options;

/// <summary>Validates <see cref="MetaOptions"/> on start and reports every problem at once.</summary>
public sealed partial class MetaOptionsValidator : IValidateOptions<MetaOptions>
{
    [GeneratedRegex(@"^v\d+\.\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();

    public ValidateOptionsResult Validate(string? name, MetaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();

        if (string.IsNullOrWhiteSpace(options.AppSecret))
        {
            errors.Add("Meta:AppSecret is required (webhook signatures cannot be verified without it).");
        }

        if (string.IsNullOrWhiteSpace(options.VerifyToken))
        {
            errors.Add("Meta:VerifyToken is required.");
        }

        if (string.IsNullOrWhiteSpace(options.AccessToken))
        {
            errors.Add("Meta:AccessToken is required.");
        }

        if (!Uri.TryCreate(options.GraphBaseUrl, UriKind.Absolute, out var graph) || (graph.Scheme != Uri.UriSchemeHttps && graph.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add($"Meta:GraphBaseUrl must be an absolute http(s) URL, got '{options.GraphBaseUrl}'.");
        }
        else if (graph.Scheme == Uri.UriSchemeHttp && !graph.IsLoopback)
        {
            errors.Add("Meta:GraphBaseUrl must use https unless it points at this machine (the access token travels in it).");
        }

        if (string.IsNullOrWhiteSpace(options.GraphApiVersion) || !VersionPattern().IsMatch(options.GraphApiVersion.Trim()))
        {
            errors.Add($"Meta:GraphApiVersion must look like 'v23.0', got '{options.GraphApiVersion}'.");
        }

        if (!string.IsNullOrWhiteSpace(options.SandboxWebhookUrl)
            && (!Uri.TryCreate(options.SandboxWebhookUrl, UriKind.Absolute, out var hook) || (hook.Scheme != Uri.UriSchemeHttps && hook.Scheme != Uri.UriSchemeHttp)))
        {
            errors.Add($"Meta:SandboxWebhookUrl must be empty or an absolute http(s) URL, got '{options.SandboxWebhookUrl}'.");
        }

        if (options.TemplateSyncInterval <= TimeSpan.Zero)
        {
            errors.Add($"Meta:TemplateSyncInterval must be positive, got '{options.TemplateSyncInterval}'.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
