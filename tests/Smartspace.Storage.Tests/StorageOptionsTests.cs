using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Smartspace.Storage.Sqlite;
using Smartspace.Storage.Tables;

namespace Smartspace.Storage.Tests;

public sealed class StorageOptionsTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions());

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Validate_SeveralErrors_ReportsAllAtOnce()
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions
        {
            Provider = StorageProvider.Tables,
            TablePrefix = "bad-prefix",
            GroupCommitMaxBatches = 0,
            TablesNetworkTimeout = TimeSpan.Zero,
        });

        Assert.True(result.Failed);
        var failures = result.Failures!.ToArray();
        Assert.Equal(4, failures.Length);
        Assert.Contains(failures, f => f.Contains("TablesConnectionString", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("TablePrefix", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("GroupCommitMaxBatches", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("TablesNetworkTimeout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddEntityStore_DefaultConfiguration_ResolvesSqliteStoreAndGate()
    {
        var dir = Path.Combine(Path.GetTempPath(), "smartspace-tests", Guid.NewGuid().ToString("N"));
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:SqlitePath"] = Path.Combine(dir, "x.db"),
            ["Storage:GroupCommitMaxBatches"] = "64",
            ["Storage:TablesServiceUri"] = "",
            ["Storage:TablesConnectionString"] = "UseDevelopmentStorage=true",
        }).Build();
        await using (var provider = new ServiceCollection().AddEntityStore(config.GetSection("Storage")).BuildServiceProvider())
        {
            Assert.IsType<SqliteEntityStore>(provider.GetRequiredService<IEntityStore>());
            Assert.IsType<KeyedGate>(provider.GetRequiredService<IKeyedGate>());
            Assert.Equal(64, provider.GetRequiredService<IOptions<StorageOptions>>().Value.GroupCommitMaxBatches);
            Assert.True(await provider.GetRequiredService<IEntityStore>().IsReachableAsync());
        }

        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void AddEntityStore_TablesProvider_ResolvesTablesStore()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Tables",
            ["Storage:TablesConnectionString"] = Testing.AzuriteHost.ConnectionStringFor(10002),
        }).Build();
        using var provider = new ServiceCollection().AddEntityStore(config.GetSection("Storage")).BuildServiceProvider();

        Assert.IsType<TablesEntityStore>(provider.GetRequiredService<IEntityStore>());
    }

    [Fact]
    public void AddEntityStore_InvalidConfiguration_FailsWithEveryError()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Tables",
            ["Storage:TablePrefix"] = "9x",
            ["Storage:TablesServiceUri"] = "",
        }).Build();
        using var provider = new ServiceCollection().AddEntityStore(config.GetSection("Storage")).BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<StorageOptions>>().Value);
        Assert.Equal(2, ex.Failures.Count());
    }
}
