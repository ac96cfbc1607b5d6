using Microsoft.Extensions.Options;

namespace Smartspace.Storage;

/// <summary>Configuration section "Storage".</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Shared-key connection string (Azure, or Azurite locally). Wins over <see cref="TablesServiceUri"/>.</summary>
    public string? TablesConnectionString { get; set; }

    /// <summary>e.g. https://account.table.core.windows.net; used with DefaultAzureCredential when no connection string is set.</summary>
    public Uri? TablesServiceUri { get; set; }

    /// <summary>Azure table name = prefix + logical name (alphanumeric only).</summary>
    public string TablePrefix { get; set; } = "smartspace";

    /// <summary>Tables: retries per request. Kept small so a down store answers quickly (503).</summary>
    public int TablesMaxRetries { get; set; } = 2;

    /// <summary>Tables: network timeout of one request attempt.</summary>
    public TimeSpan TablesNetworkTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Media files (Blob Storage): shared-key connection string (Azure, or Azurite locally). Wins over
    /// <see cref="BlobsServiceUri"/>; when neither is set, <see cref="TablesConnectionString"/> (one storage account).
    /// </summary>
    public string? BlobsConnectionString { get; set; }

    /// <summary>Blobs: e.g. https://account.blob.core.windows.net; used with DefaultAzureCredential when no connection string is set.</summary>
    public Uri? BlobsServiceUri { get; set; }

    /// <summary>Blobs: the container holding every contact center's media (one folder per contact center).</summary>
    public string MediaContainer { get; set; } = "media";

    /// <summary>The blob connection string in effect: its own, else the tables' when no blob service URI is set either.</summary>
    internal string? EffectiveBlobsConnectionString =>
        !string.IsNullOrWhiteSpace(BlobsConnectionString) ? BlobsConnectionString : ConfiguredBlobsServiceUri is null ? TablesConnectionString : null;

    internal Uri? ConfiguredBlobsServiceUri => BlobsServiceUri is { OriginalString.Length: > 0 } uri ? uri : null;

    /// <summary>The service URI when one is configured (an empty setting binds to an empty relative URI).</summary>
    internal Uri? ConfiguredServiceUri => TablesServiceUri is { OriginalString.Length: > 0 } uri ? uri : null;
}

/// <summary>Reports every configuration error at once.</summary>
public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.TablesConnectionString) && options.ConfiguredServiceUri is null)
        {
            errors.Add("Storage:TablesConnectionString or Storage:TablesServiceUri is required (Azure Table Storage, or Azurite locally).");
        }

        if (string.IsNullOrWhiteSpace(options.TablesConnectionString) && options.ConfiguredServiceUri is { } uri && !IsHttpUri(uri))
        {
            errors.Add("Storage:TablesServiceUri must be an absolute http(s) URI.");
        }

        // Without a connection string the tables are reached by URI (managed identity): the blobs need theirs.
        if (options.ConfiguredServiceUri is not null && string.IsNullOrWhiteSpace(options.EffectiveBlobsConnectionString) && options.ConfiguredBlobsServiceUri is null)
        {
            errors.Add("Storage:BlobsConnectionString or Storage:BlobsServiceUri is required for media files when the tables are reached by URI.");
        }

        if (string.IsNullOrWhiteSpace(options.EffectiveBlobsConnectionString) && options.ConfiguredBlobsServiceUri is { } blobUri && !IsHttpUri(blobUri))
        {
            errors.Add("Storage:BlobsServiceUri must be an absolute http(s) URI.");
        }

        if (!System.Text.RegularExpressions.Regex.IsMatch(options.MediaContainer ?? "", "^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$"))
        {
            errors.Add($"Storage:MediaContainer '{options.MediaContainer}' must be 3-63 lower-case letters, digits and single dashes.");
        }

        if (!StoreLimitValidator.IsValidTablePrefix(options.TablePrefix))
        {
            errors.Add($"Storage:TablePrefix '{options.TablePrefix}' must be 1-{StoreLimitValidator.MaxTablePrefixLength} ASCII letters or digits, starting with a letter.");
        }

        if (options.TablesMaxRetries is < 0 or > 10)
        {
            errors.Add("Storage:TablesMaxRetries must be between 0 and 10.");
        }

        if (options.TablesNetworkTimeout <= TimeSpan.Zero || options.TablesNetworkTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add("Storage:TablesNetworkTimeout must be positive and at most 00:05:00.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsHttpUri(Uri uri) => uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}
