using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Smartspace.Storage.Blobs;
using Smartspace.Storage.Tables;

namespace Smartspace.Storage.Tests;

public sealed class StorageOptionsTests
{
    [Fact]
    public void Validate_NoStorageAccount_FailsNamingTheSetting()
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions());

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("Storage:TablesConnectionString or Storage:TablesServiceUri", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ConnectionString_ServesTablesAndMedia()
    {
        var options = new StorageOptions { TablesConnectionString = Testing.AzuriteHost.ConnectionStringFor(10000, 10001, 10002) };

        Assert.True(new StorageOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(options.TablesConnectionString, options.EffectiveBlobsConnectionString);
    }

    [Fact]
    public void Validate_TablesByUriWithoutBlobs_AsksForTheBlobService()
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions { TablesServiceUri = new Uri("https://account.table.core.windows.net") });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("Storage:BlobsConnectionString or Storage:BlobsServiceUri", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_SeveralErrors_ReportsAllAtOnce()
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions
        {
            TablePrefix = "bad-prefix",
            MediaContainer = "Media_Files",
            TablesNetworkTimeout = TimeSpan.Zero,
        });

        Assert.True(result.Failed);
        var failures = result.Failures!.ToArray();
        Assert.Equal(4, failures.Length);
        Assert.Contains(failures, f => f.Contains("TablesConnectionString", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("TablePrefix", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("MediaContainer", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("TablesNetworkTimeout", StringComparison.Ordinal));
    }

    [Fact]
    public void AddEntityStore_ResolvesTablesBlobsAndGate()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:TablesConnectionString"] = Testing.AzuriteHost.ConnectionStringFor(10000, 10001, 10002),
            ["Storage:TablesServiceUri"] = "",
        }).Build();
        using var provider = new ServiceCollection().AddEntityStore(config.GetSection("Storage")).BuildServiceProvider();

        Assert.IsType<TablesEntityStore>(provider.GetRequiredService<IEntityStore>());
        Assert.IsType<AzureBlobStore>(provider.GetRequiredService<IBlobStore>());
        Assert.IsType<KeyedGate>(provider.GetRequiredService<IKeyedGate>());
    }

    [Fact]
    public void AddEntityStore_InvalidConfiguration_FailsWithEveryError()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:TablePrefix"] = "9x",
            ["Storage:TablesServiceUri"] = "",
        }).Build();
        using var provider = new ServiceCollection().AddEntityStore(config.GetSection("Storage")).BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<StorageOptions>>().Value);
        Assert.Equal(2, ex.Failures.Count());
    }
}
