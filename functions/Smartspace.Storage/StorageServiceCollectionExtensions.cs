using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Smartspace.Storage.Blobs;
using Smartspace.Storage.Sqlite;
using Smartspace.Storage.Tables;

namespace Smartspace.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="StorageOptions"/> (bound to <paramref name="storageSection"/>, validated on start),
    /// the <see cref="IEntityStore"/> of the configured provider (singleton) and the in-process <see cref="IKeyedGate"/>.
    /// </summary>
    public static IServiceCollection AddEntityStore(this IServiceCollection services, IConfiguration storageSection)
    {
        ArgumentNullException.ThrowIfNull(storageSection);
        services.AddOptions<StorageOptions>().Bind(storageSection).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IKeyedGate, KeyedGate>();
        services.TryAddSingleton<IEntityStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return options.Provider switch
            {
                StorageProvider.Tables => new TablesEntityStore(options),
                _ => new SqliteEntityStore(options),
            };
        });
        services.TryAddSingleton<IBlobStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return options.MediaProvider switch
            {
                MediaProvider.Blobs => new AzureBlobStore(options),
                _ => new FileSystemBlobStore(options.MediaPath),
            };
        });
        return services;
    }
}
