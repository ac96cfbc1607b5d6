using Smartspace.Storage.Tables;
using Smartspace.Storage.Tests.Contract;
using Smartspace.Testing;

namespace Smartspace.Storage.Tests.Tables;

/// <summary>The contract against Azurite (Azure Tables' emulator), with a table prefix of this class's own.</summary>
public sealed class TablesContractTests(AzuriteFixture azurite) : EntityStoreContract, IClassFixture<AzuriteFixture>
{
    private static readonly string Prefix = AzuriteFixture.NewTablePrefix("contract");

    protected override Task<IEntityStore> CreateStoreAsync() =>
        Task.FromResult<IEntityStore>(new TablesEntityStore(new StorageOptions
        {
            TablesConnectionString = azurite.ConnectionString,
            TablePrefix = Prefix,
        }));
}
