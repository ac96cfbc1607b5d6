namespace Smartspace.Storage.Blobs;

/// <summary>A stored file: its bytes (read by the caller, who disposes the stream), MIME type and length.</summary>
public sealed record StoredBlob(Stream Content, string ContentType, long Length) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}

/// <summary>
/// The file store port, shaped like one Azure Blob Storage container: files addressed by a name whose '/' separated
/// parts are folders (the product names them <c>{contact center}/{conversation}/{seq}</c>). Two adapters: Azure Blob
/// Storage (<c>Azure.Storage.Blobs</c>, also Azurite) and a folder on disk for the embedded SQLite mode. Only an
/// unreachable store throws (<see cref="StoreUnavailableException"/>); a missing file is null / false.
/// </summary>
public interface IBlobStore
{
    /// <summary>Writes (or overwrites) a file; the whole content or nothing is visible afterwards.</summary>
    Task PutAsync(string name, Stream content, string contentType, CancellationToken cancellationToken = default);

    /// <summary>Opens a file, or null when there is none.</summary>
    Task<StoredBlob?> GetAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes a file; false when there was none (idempotent).</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The names of the files whose names start with <paramref name="prefix"/>, in ordinal order.</summary>
    Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Creates the container (or folder) when missing (idempotent).</summary>
    Task EnsureAsync(CancellationToken cancellationToken = default);
}

/// <summary>Blob names: '/'-separated parts of letters, digits, '.', '-' and '_' only (no '..', no empty part).</summary>
public static class BlobNames
{
    public static void Validate(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Length > 512)
        {
            throw new ArgumentException("A blob name has at most 512 characters.", nameof(name));
        }

        foreach (var part in name.Split('/'))
        {
            if (part.Length == 0 || part is "." or ".." || part.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')))
            {
                throw new ArgumentException($"'{name}' is not a valid blob name.", nameof(name));
            }
        }
    }
}
