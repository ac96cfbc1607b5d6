using Azure;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Smartspace.Storage.Blobs;

/// <summary>
/// <see cref="IBlobStore"/> on one Azure Blob Storage container (<c>Azure.Storage.Blobs</c>): a shared-key connection
/// string (Azurite locally) or the account's blob endpoint with the Function App's managed identity
/// (<c>DefaultAzureCredential</c>, role "Storage Blob Data Contributor").
/// </summary>
public sealed class AzureBlobStore : IBlobStore
{
    private readonly BlobContainerClient container;

    public AzureBlobStore(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.MaxRetries = options.TablesMaxRetries;
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
        var service = options.EffectiveBlobsConnectionString is { Length: > 0 } connectionString
            ? new BlobServiceClient(connectionString, clientOptions)
            : new BlobServiceClient(options.ConfiguredBlobsServiceUri ?? throw new ArgumentException("BlobsConnectionString or BlobsServiceUri is required."), new DefaultAzureCredential(), clientOptions);
        container = service.GetBlobContainerClient(options.MediaContainer);
    }

    public async Task PutAsync(string name, Stream content, string contentType, CancellationToken cancellationToken = default)
    {
        BlobNames.Validate(name);
        await Guard(async () =>
        {
            await container.GetBlobClient(name).UploadAsync(content, new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType } }, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<StoredBlob?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        BlobNames.Validate(name);
        return Guard(async () =>
        {
            try
            {
                var response = await container.GetBlobClient(name).DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                var details = response.Value.Details;
                return new StoredBlob(response.Value.Content, details.ContentType ?? "application/octet-stream", details.ContentLength);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return (StoredBlob?)null;
            }
        }, cancellationToken);
    }

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        BlobNames.Validate(name);
        return Guard(async () =>
        {
            try
            {
                return (await container.GetBlobClient(name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return false; // the container itself is gone
            }
        }, cancellationToken);
    }

    public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
        Guard(async () =>
        {
            var names = new List<string>();
            try
            {
                await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
                {
                    names.Add(item.Name);
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return (IReadOnlyList<string>)[];
            }

            names.Sort(StringComparer.Ordinal);
            return (IReadOnlyList<string>)names;
        }, cancellationToken);

    public Task EnsureAsync(CancellationToken cancellationToken = default) =>
        Guard(async () =>
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    private static async Task<T> Guard<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RequestFailedException { Status: 0 or 408 or 429 or >= 500 } or HttpRequestException or IOException or TimeoutException
            or AuthenticationFailedException or CredentialUnavailableException
            // The client's retry policy reports every failed attempt together when none succeeded.
            or AggregateException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new StoreUnavailableException("Azure Blob Storage is unavailable.", ex);
        }
    }
}
