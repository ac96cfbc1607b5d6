using Microsoft.Extensions.DependencyInjection;
using Smartspace.Realtime.Publishing;
using Smartspace.Realtime.Tests.Support;

namespace Smartspace.Realtime.Tests.Hub;

public sealed class SlowClientTests : IAsyncLifetime
{
    private const int MaxUnacked = 50;
    private const long MaxBytes = 1024 * 1024;
    private HubHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await HubHost.StartAsync(new() { ["MaxUnackedMessages"] = MaxUnacked.ToString(), ["MaxBufferedBytes"] = MaxBytes.ToString() });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Reliable_ClientNeverAcks_DroppedAtUnackedCap_BufferNeverExceedsCap()
    {
        await using var client = await _host.ConnectAsync("slow-1");
        var connectionId = (await client.ReceiveJsonAsync()).Str("connectionId");
        var publisher = _host.Services.GetRequiredService<EmbeddedHubPublisher>();
        var payload = System.Text.Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', 1000) + "\"}");
        for (var i = 0; i < 200; i++)
        {
            await publisher.SendToUserAsync("slow-1", payload, CancellationToken.None);
            if (_host.Hub.BufferStats("agents", connectionId) is { } stats)
            {
                Assert.InRange(stats.UnackedCount, 0, MaxUnacked);
                Assert.InRange(stats.UnackedBytes, 0, MaxBytes);
            }
        }

        Assert.Equal(0, _host.Hub.ConnectionCount("agents"));
        Assert.Null(_host.Hub.BufferStats("agents", connectionId));
    }

    [Fact]
    public async Task Plain_ClientNeverReads_DroppedAtByteCap_QueueNeverExceedsCap()
    {
        await using var client = await _host.ConnectAsync("slow-2", "json.webpubsub.azure.v1");
        var connectionId = (await client.ReceiveJsonAsync()).Str("connectionId");
        var publisher = _host.Services.GetRequiredService<EmbeddedHubPublisher>();
        var payload = System.Text.Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', 64 * 1024) + "\"}");
        for (var i = 0; i < 2000 && _host.Hub.ConnectionCount("agents") > 0; i++)
        {
            await publisher.SendToUserAsync("slow-2", payload, CancellationToken.None);
            if (_host.Hub.BufferStats("agents", connectionId) is { } stats)
            {
                Assert.InRange(stats.QueuedBytes, 0, MaxBytes + (64 * 1024));
            }

            if (i % 20 == 0)
            {
                await Task.Delay(5); // let the writer fill the socket buffers
            }
        }

        Assert.Equal(0, _host.Hub.ConnectionCount("agents"));
    }
}
