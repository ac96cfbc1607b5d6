using Microsoft.Extensions.Options;
using Smartspace.Functions.Features.Seed;
using Smartspace.Functions.Ledger;
using Smartspace.Meta.Options;
using Smartspace.Storage;
using Smartspace.Storage.Blobs;

namespace Smartspace.Functions.Hosting;

/// <summary>At start: create the tables, and in local mode seed the demo contact center. Logs loudly when the webhook would refuse everything.</summary>
public sealed partial class StartupTasks(
    IEntityStore store,
    IBlobStore blobs,
    SeedLoader seed,
    IOptions<LocalOptions> local,
    IOptions<SeedOptions> seedOptions,
    IOptions<MetaOptions> meta,
    IHostEnvironment environment,
    ILogger<StartupTasks> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(meta.Value.AppSecret))
        {
            LogNoAppSecret();
        }

        await store.EnsureTableAsync(Keys.LedgerTable, cancellationToken);
        await store.EnsureTableAsync(Keys.DirectoryTable, cancellationToken);
        try
        {
            await blobs.EnsureAsync(cancellationToken);
        }
        catch (StoreUnavailableException)
        {
            LogMediaStoreUnavailable(); // media fetches retry later; nothing else depends on it
        }

        if (local.Value.Enabled && !string.IsNullOrWhiteSpace(seedOptions.Value.File))
        {
            var path = ResolvePath(seedOptions.Value.File);
            await seed.LoadFileAsync(path, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private string ResolvePath(string file)
    {
        foreach (var candidate in new[] { file, Path.Combine(environment.ContentRootPath, file), Path.Combine(AppContext.BaseDirectory, file) })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"Seed file '{file}' (Seed:File) was not found.", file);
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Meta:AppSecret is not configured: the WhatsApp webhook refuses every POST (fail closed) until it is set")]
    private partial void LogNoAppSecret();

    [LoggerMessage(Level = LogLevel.Error, Message = "The media store (Blob Storage) is unreachable at start; media files are fetched and served once it is back")]
    private partial void LogMediaStoreUnavailable();
}
