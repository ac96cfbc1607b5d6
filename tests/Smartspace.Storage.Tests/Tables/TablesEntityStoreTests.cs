using System.Diagnostics;
using Smartspace.Storage.Tables;
using Smartspace.Testing;

namespace Smartspace.Storage.Tests.Tables;

public sealed class TablesEntityStoreTests
{
    [Fact]
    public async Task StoreDown_NothingListening_ThrowsStoreUnavailableWithinTwoSeconds()
    {
        var store = new TablesEntityStore(new StorageOptions
        {
            Provider = StorageProvider.Tables,
            TablesConnectionString = AzuriteHost.ConnectionStringFor(FreePort.Get()),
            TablePrefix = AzuriteFixture.NewTablePrefix("down"),
        });
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.SubmitAsync("things", [EntityOperation.Insert(new Entity("p", "a"))]));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetAsync("things", "p", "a"));
        Assert.False(await store.IsReachableAsync());

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Filter_StringWithQuote_IsEscaped()
    {
        var filter = TablesEntityStore.BuildFilter(new EntityQuery("o'brien") { Filters = [new PropertyFilter("Name", FilterOperator.Equal, "a'b")] });

        Assert.Equal("PartitionKey eq 'o''brien' and Name eq 'a''b'", filter);
    }
}
