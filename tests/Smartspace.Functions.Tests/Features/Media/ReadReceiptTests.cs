using System.Net;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Media;

/// <summary>Read receipts when Meta does not take one: the claim is given back, so the next open marks the message (once).</summary>
public sealed class ReadReceiptTests : IDisposable
{
    private const string Typed = "11987650707";
    private readonly HandlerFactory factory = new();

    public void Dispose() => factory.Dispose();

    [Fact]
    public async Task P7_ReadReceiptMetaRefused_IsMarkedAtTheNextOpen_ExactlyOnce()
    {
        var ana = factory.ClientFor("ana");
        var conversationId = (await ana.StartCreatedAsync(Typed, Desk.Retomada())).ConversationId();
        await factory.CustomerWritesAsync(Typed, "wamid.read.1");
        var read = $"{Desk.Conversations}/{conversationId}/read";

        factory.Media.FailReceipts = true;
        using (var refused = await ana.PostJsonAsync(read, new { }))
        {
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            Assert.Equal(0, (await refused.ReadJsonAsync()).GetProperty("marked").GetInt32());
        }

        factory.Media.FailReceipts = false;
        for (var open = 0; open < 2; open++)
        {
            using var response = await ana.PostJsonAsync(read, new { });
            Assert.Equal(open == 0 ? 1 : 0, (await response.ReadJsonAsync()).GetProperty("marked").GetInt32());
        }

        Assert.Single(factory.Media.Receipts, r => r.Wamid == "wamid.read.1" && !r.Typing);
    }
}
