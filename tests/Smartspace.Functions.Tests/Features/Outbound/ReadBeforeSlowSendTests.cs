using System.Net;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Features.MetaWebhook;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Meta.Sending;

namespace Smartspace.Functions.Tests.Features.Outbound;

/// <summary>
/// P3 ordering, a second guard: a free-text message whose <c>read</c> status (Meta's only one here, no sent or
/// delivered before it) arrives while the send response is still on its way. The late response must not move
/// the message back from read, and the message is stored once.
/// </summary>
public sealed class ReadBeforeSlowSendTests : IDisposable
{
    private const string Typed = "11987651234";
    private readonly HandlerFactory factory = new();

    [Fact]
    public async Task P3_ReadArrivesBeforeTheSlowSendResponse_MessageStaysRead()
    {
        await factory.NobodyAvailableAsync();
        await factory.CustomerWritesAsync(Typed, "wamid.in.slow.1");
        var ana = factory.ClientFor("ana");
        var conversationId = (await ana.StartCreatedAsync(Typed)).ConversationId();

        using var release = new ManualResetEventSlim();
        factory.Sender.Behaviour = request =>
        {
            release.Wait(TimeSpan.FromSeconds(20)); // Meta has it and the customer read it; its response is slow
            return new SendOutcome.Accepted("wamid.out.slow.1", Desk.WaId(Typed), "accepted");
        };
        using (var sent = await ana.SendTextAsync(conversationId, "Olá! Já verifico."))
        {
            Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        }

        await LedgerProbe.EventuallyAsync(() => Task.FromResult(!factory.Sender.Requests.IsEmpty), "the send to start");
        var ourMessageId = factory.Sender.Requests.Single().OurMessageId;
        var ledger = factory.Get<LedgerStore>();
        async Task<MessageRow> OutboundAsync() =>
            (await ledger.GetMessagesAsync(HandlerFactory.TenantId, conversationId, 0, CancellationToken.None)).Single(m => m.OurMessageId == ourMessageId);

        using (var read = await factory.PostWebhookAsync(MetaPayloads.Status("wamid.out.slow.1", "read", factory.Clock.GetUtcNow(), Desk.WaId(Typed), ourMessageId)))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        var afterRead = await OutboundAsync();
        Assert.Equal("read", afterRead.Status);

        // The concurrent dispatcher commits the late response as a write of the row (its ETag changes) that
        // changes nothing the agent sees: wait for that commit itself, then check what it left.
        release.Set();
        await LedgerProbe.EventuallyAsync(async () => await factory.CountAsync("outbox|") == 0 && (await OutboundAsync()).ETag != afterRead.ETag,
            "the send response to be committed");

        var message = await OutboundAsync();
        Assert.Equal("read", message.Status);
        Assert.Equal(afterRead.Version, message.Version);
        Assert.Equal("wamid.out.slow.1", message.Wamid);
        Assert.Single(factory.Sender.Requests);
        Assert.Single(await ledger.GetMessagesAsync(HandlerFactory.TenantId, conversationId, 0, CancellationToken.None), m => m.Direction == "out");
    }

    public void Dispose() => factory.Dispose();
}
