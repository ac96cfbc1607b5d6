using System.Text;

namespace Smartspace.Storage.Blobs;

/// <summary>
/// <see cref="IBlobStore"/> on a folder (the embedded SQLite mode's companion): one file per blob, its MIME type in a
/// <c>.type</c> file beside it. A write goes to a temporary file first and is moved into place, so a reader never sees
/// half a file.
/// </summary>
public sealed class FileSystemBlobStore(string root) : IBlobStore
{
    private const string TypeSuffix = ".type";
    private readonly string root = Path.GetFullPath(root);

    public async Task PutAsync(string name, Stream content, string contentType, CancellationToken cancellationToken = default)
    {
        var path = PathOf(name);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            await File.WriteAllTextAsync(path + TypeSuffix, contentType, Encoding.UTF8, cancellationToken).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException("The media folder cannot be written.", ex);
        }
    }

    public async Task<StoredBlob?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = PathOf(name);
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            var type = File.Exists(path + TypeSuffix)
                ? await File.ReadAllTextAsync(path + TypeSuffix, cancellationToken).ConfigureAwait(false)
                : "application/octet-stream";
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, useAsync: true);
            return new StoredBlob(stream, type, stream.Length);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException("The media folder cannot be read.", ex);
        }
    }

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = PathOf(name);
        try
        {
            var existed = File.Exists(path);
            File.Delete(path);
            File.Delete(path + TypeSuffix);
            return Task.FromResult(existed);
        }
        catch (DirectoryNotFoundException)
        {
            return Task.FromResult(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException("The media folder cannot be written.", ex);
        }
    }

    public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(root))
        {
            return Task.FromResult<IReadOnlyList<string>>([]);
        }

        var names = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(TypeSuffix, StringComparison.Ordinal) && !f.EndsWith(".tmp", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        return Task.FromResult<IReadOnlyList<string>>(names);
    }

    public Task EnsureAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(root);
        return Task.CompletedTask;
    }

    private string PathOf(string name)
    {
        BlobNames.Validate(name);
        return Path.Combine(root, name.Replace('/', Path.DirectorySeparatorChar));
    }
}
