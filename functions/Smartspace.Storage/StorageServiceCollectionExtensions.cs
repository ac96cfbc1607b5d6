using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Smartspace.Storage.Blobs;
using Smartspace.Storage.Tables;

namespace Smartspace.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="StorageOptions"/> (bound to <paramref name="storageSection"/>, validated on start),
    /// Azure Table Storage as the <see cref="IEntityStore"/> and Blob Storage as the <see cref="IBlobStore"/> (singletons; Azurite locally) and the in-process <see cref="IKeyedGate"/>.
    /// </summary>
    public static IServiceCollection AddEntityStore(this IServiceCollection services, IConfiguration storageSection)
    {
        ArgumentNullException.ThrowIfNull(storageSection);
        services.AddOptions<StorageOptions>().Bind(storageSection).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IKeyedGate, KeyedGate>();
        services.TryAddSingleton<IEntityStore>(sp => new TablesEntityStore(sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        services.TryAddSingleton<IBlobStore>(sp => new AzureBlobStore(sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        return services;
    }
}
