using Microsoft.Extensions.Options;

namespace Smartspace.Storage;

/// <summary>Where media files go.</summary>
public enum MediaProvider
{
    /// <summary>A folder on disk (<see cref="StorageOptions.MediaPath"/>): the embedded SQLite mode's companion.</summary>
    FileSystem,
    /// <summary>Azure Blob Storage (or Azurite's blob service).</summary>
    Blobs,
}

public enum StorageProvider
{
    /// <summary>Embedded SQLite file (the local default).</summary>
    Sqlite,
    /// <summary>Azure Table Storage (or Azurite).</summary>
    Tables,
}

/// <summary>Configuration section "Storage".</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>SQLite file; relative paths resolve against the current directory. Its directory is created.</summary>
    public string SqlitePath { get; set; } = "data/smartspace.db";

    /// <summary>Shared-key connection string (Azure or Azurite). Wins over <see cref="TablesServiceUri"/>.</summary>
    public string? TablesConnectionString { get; set; }

    /// <summary>e.g. https://account.table.core.windows.net; used with DefaultAzureCredential when no connection string is set.</summary>
    public Uri? TablesServiceUri { get; set; }

    /// <summary>Azure table name = prefix + logical name (alphanumeric only).</summary>
    public string TablePrefix { get; set; } = "smartspace";

    /// <summary>SQLite: commit many queued batches in one transaction (one fsync), each inside its own savepoint.</summary>
    public bool GroupCommit { get; set; } = true;

    /// <summary>SQLite: most batches one group commit may hold.</summary>
    public int GroupCommitMaxBatches { get; set; } = 256;

    /// <summary>Tables: retries per request. Kept small so a down store answers quickly (503).</summary>
    public int TablesMaxRetries { get; set; } = 2;

    /// <summary>Tables: network timeout of one request attempt.</summary>
    public TimeSpan TablesNetworkTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Media files: a folder (<see cref="MediaProvider.FileSystem"/>, default) or Azure Blob Storage.</summary>
    public MediaProvider MediaProvider { get; set; } = MediaProvider.FileSystem;

    /// <summary>FileSystem: the media folder; relative paths resolve against the current directory.</summary>
    public string MediaPath { get; set; } = "data/media";

    /// <summary>Blobs: shared-key connection string (Azure or Azurite). Wins over <see cref="BlobsServiceUri"/>.</summary>
    public string? BlobsConnectionString { get; set; }

    /// <summary>Blobs: e.g. https://account.blob.core.windows.net; used with DefaultAzureCredential when no connection string is set.</summary>
    public Uri? BlobsServiceUri { get; set; }

    /// <summary>Blobs: the container holding every contact center's media (one folder per contact center).</summary>
    public string MediaContainer { get; set; } = "media";

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
        if (!Enum.IsDefined(options.Provider))
        {
            errors.Add($"Storage:Provider '{options.Provider}' is not one of: {string.Join(", ", Enum.GetNames<StorageProvider>())}.");
        }

        if (options.Provider == StorageProvider.Sqlite && string.IsNullOrWhiteSpace(options.SqlitePath))
        {
            errors.Add("Storage:SqlitePath is required when Storage:Provider is Sqlite.");
        }

        if (options.Provider == StorageProvider.Tables)
        {
            if (string.IsNullOrWhiteSpace(options.TablesConnectionString) && options.ConfiguredServiceUri is null)
            {
                errors.Add("Storage:TablesConnectionString or Storage:TablesServiceUri is required when Storage:Provider is Tables.");
            }

            if (string.IsNullOrWhiteSpace(options.TablesConnectionString) && options.ConfiguredServiceUri is { } uri &&
                (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)))
            {
                errors.Add("Storage:TablesServiceUri must be an absolute http(s) URI.");
            }
        }

        if (!Enum.IsDefined(options.MediaProvider))
        {
            errors.Add($"Storage:MediaProvider '{options.MediaProvider}' is not one of: {string.Join(", ", Enum.GetNames<MediaProvider>())}.");
        }

        if (options.MediaProvider == MediaProvider.FileSystem && string.IsNullOrWhiteSpace(options.MediaPath))
        {
            errors.Add("Storage:MediaPath is required when Storage:MediaProvider is FileSystem.");
        }

        if (options.MediaProvider == MediaProvider.Blobs)
        {
            if (string.IsNullOrWhiteSpace(options.BlobsConnectionString) && options.ConfiguredBlobsServiceUri is null)
            {
                errors.Add("Storage:BlobsConnectionString or Storage:BlobsServiceUri is required when Storage:MediaProvider is Blobs.");
            }

            if (string.IsNullOrWhiteSpace(options.BlobsConnectionString) && options.ConfiguredBlobsServiceUri is { } blobUri &&
                (!blobUri.IsAbsoluteUri || (blobUri.Scheme != Uri.UriSchemeHttps && blobUri.Scheme != Uri.UriSchemeHttp)))
            {
                errors.Add("Storage:BlobsServiceUri must be an absolute http(s) URI.");
            }

            if (!System.Text.RegularExpressions.Regex.IsMatch(options.MediaContainer ?? "", "^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$"))
            {
                errors.Add($"Storage:MediaContainer '{options.MediaContainer}' must be 3-63 lower-case letters, digits and single dashes.");
            }
        }

        if (!StoreLimitValidator.IsValidTablePrefix(options.TablePrefix))
        {
            errors.Add($"Storage:TablePrefix '{options.TablePrefix}' must be 1-{StoreLimitValidator.MaxTablePrefixLength} ASCII letters or digits, starting with a letter.");
        }

        if (options.GroupCommitMaxBatches is < 1 or > 10_000)
        {
            errors.Add("Storage:GroupCommitMaxBatches must be between 1 and 10000.");
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
}
