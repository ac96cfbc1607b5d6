using System.Diagnostics;
using Smartspace.Storage.Tables;
using Smartspace.Testing;

namespace Smartspace.Storage.Tests.Tables;

public sealed class TablesEntityStoreTests
{
    [Fact]
    public async Task StoreDown_NothingListening_EachCallThrowsStoreUnavailableWithinTwoSeconds()
    {
        var store = new TablesEntityStore(new StorageOptions
        {
            TablesConnectionString = AzuriteHost.ConnectionStringFor(FreePort.Get()),
            TablePrefix = AzuriteFixture.NewTablePrefix("down"),
        });
        Assert.False(await store.IsReachableAsync()); // also warms up the HTTP stack, so the timings below are the store's own

        var submit = Stopwatch.StartNew();
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.SubmitAsync("things", [EntityOperation.Insert(new Entity("p", "a"))]));
        submit.Stop();
        var get = Stopwatch.StartNew();
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetAsync("things", "p", "a"));
        get.Stop();

        Assert.True(submit.Elapsed < TimeSpan.FromSeconds(2), $"submit took {submit.Elapsed}");
        Assert.True(get.Elapsed < TimeSpan.FromSeconds(2), $"get took {get.Elapsed}");
    }

    [Fact]
    public void Filter_StringWithQuote_IsEscaped()
    {
        var filter = TablesEntityStore.BuildFilter(new EntityQuery("o'brien") { Filters = [new PropertyFilter("Name", FilterOperator.Equal, "a'b")] });

        Assert.Equal("PartitionKey eq 'o''brien' and Name eq 'a''b'", filter);
    }
}
