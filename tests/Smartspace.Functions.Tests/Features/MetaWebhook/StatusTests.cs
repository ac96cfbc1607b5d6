using System.Net;
using System.Text.Json;
using Smartspace.Core.Text;
using Smartspace.Functions.Features.MetaWebhook;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Meta.Sending;
using static Smartspace.Functions.Tests.Features.MetaWebhook.WebhookJson;

namespace Smartspace.Functions.Tests.Features.MetaWebhook;

/// <summary>P3: statuses of our outbound messages — out of order, duplicated, failed, unknown, or ahead of the send response.</summary>
public sealed class StatusTests : IDisposable
{
    private const string Number = "11987654321";
    private const string Recipient = "5511987654321";
    private readonly HandlerFactory factory = new();

    private Task<MessageRow> MessageAsync(SentTemplate sent) =>
        factory.Get<LedgerStore>().GetMessageAsync(HandlerFactory.TenantId, sent.ConversationId, 1, CancellationToken.None)!;

    private async Task PostStatusAsync(string wamid, string status, DateTimeOffset at, string? ourMessageId, string? errors = null) =>
        await (await factory.PostWebhookAsync(SingleStatus(Status(wamid, status, at, Recipient, ourMessageId, errors)))).AssertOkAsync();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task P3_EachStatusInOrder_AdvancesTheMessage(bool withOurId)
    {
        var sent = await factory.StartTemplateAndWaitForSendAsync(Number);
        var at = factory.Clock.GetUtcNow();
        var ourId = withOurId ? sent.OurMessageId : null;

        foreach (var (status, offset) in new[] { ("sent", 1), ("delivered", 2), ("read", 3), ("played", 4) })
        {
            await PostStatusAsync(sent.Wamid, status, at.AddSeconds(offset), ourId);
            var message = await MessageAsync(sent);
            Assert.Equal(status, message.Status);
            Assert.Equal(at.AddSeconds(offset), message.StatusAt);
        }
    }

    [Fact]
    public async Task P3_ReadBeforeDelivered_NeverMovesBack()
    {
        var sent = await factory.StartTemplateAndWaitForSendAsync(Number);
        var at = factory.Clock.GetUtcNow();

        await PostStatusAsync(sent.Wamid, "read", at.AddSeconds(3), sent.OurMessageId);
        var afterRead = await MessageAsync(sent);
        await PostStatusAsync(sent.Wamid, "delivered", at.AddSeconds(2), sent.OurMessageId);
        await PostStatusAsync(sent.Wamid, "sent", at.AddSeconds(1), null);
        await PostStatusAsync(sent.Wamid, "failed", at.AddSeconds(4), sent.OurMessageId, Reengagement131047);

        var message = await MessageAsync(sent);
        Assert.Equal("read", message.Status);
        Assert.Equal(at.AddSeconds(3), message.StatusAt);
        Assert.Equal(afterRead.Version, message.Version);
        Assert.Null(message.ErrorCode);
    }

    [Fact]
    public async Task P3_DuplicateStatus_ChangesNothingAndNotifiesOnce()
    {
        var sent = await factory.StartTemplateAndWaitForSendAsync(Number);
        var at = factory.Clock.GetUtcNow();

        await PostStatusAsync(sent.Wamid, "delivered", at, sent.OurMessageId);
        var before = await factory.SnapshotAsync();
        await PostStatusAsync(sent.Wamid, "delivered", at, sent.OurMessageId);
        await PostStatusAsync(sent.Wamid, "delivered", at, null);

        Assert.Equal(before, await factory.SnapshotAsync());
        Assert.Single(factory.Events.Events, e => e.Type == AgentEventTypes.MessageStatusChanged && e.ConversationId == sent.ConversationId
            && JsonSerializer.Serialize(e.Data, HttpJson.Options).Contains("\"status\":\"delivered\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task P3_Failed_KeepsCodeTitleAndDetails()
    {
        var sent = await factory.StartTemplateAndWaitForSendAsync(Number);

        await PostStatusAsync(sent.Wamid, "failed", factory.Clock.GetUtcNow(), sent.OurMessageId, Reengagement131047);

        var message = await MessageAsync(sent);
        Assert.Equal("failed", message.Status);
        Assert.Equal(131047, message.ErrorCode);
        Assert.Equal("Re-engagement message", message.ErrorTitle);
        Assert.Equal("Message failed to send because more than 24 hours have passed since the customer last replied to this number.", message.ErrorDetails);
        Assert.Equal(PtBr.MetaReengagement131047, message.ErrorText);
        var conversation = await factory.Get<LedgerStore>().GetConversationAsync(HandlerFactory.TenantId, sent.ConversationId, CancellationToken.None);
        Assert.True(conversation!.TemplateOnly);

        // The agent sees it too.
        var detail = await (await factory.ClientFor("ana").GetAsync($"/api/agent/conversations/{sent.ConversationId}")).ReadJsonAsync();
        var view = detail.GetProperty("messages")[0];
        Assert.Equal(131047, view.GetProperty("errorCode").GetInt32());
        Assert.Equal(PtBr.MetaReengagement131047, view.GetProperty("errorText").GetString());
    }

    [Fact]
    public async Task P3_FailedWithoutErrorsArray_IsStillFailed()
    {
        var sent = await factory.StartTemplateAndWaitForSendAsync(Number);

        await PostStatusAsync(sent.Wamid, "failed", factory.Clock.GetUtcNow(), null, "[{\"code\":131026,\"title\":\"Message undeliverable\"}]");

        var message = await MessageAsync(sent);
        Assert.Equal("failed", message.Status);
        Assert.Equal(131026, message.ErrorCode);
        Assert.Equal("Message undeliverable", message.ErrorTitle);
        Assert.Null(message.ErrorDetails);
    }

    [Fact]
    public async Task P3_StatusForUnknownWamid_IsIgnoredAndCounted()
    {
        var metrics = factory.Get<WebhookMetrics>();
        var before = await factory.SnapshotAsync();

        await PostStatusAsync("wamid.SOMEONE_ELSES", "delivered", factory.Clock.GetUtcNow(), null);
        await PostStatusAsync("wamid.SOMEONE_ELSES", "read", factory.Clock.GetUtcNow(), "nonexistent0conversation.7");
        await PostStatusAsync("wamid.SOMEONE_ELSES", "read", factory.Clock.GetUtcNow(), "not-our-format");

        Assert.Equal(3, metrics.UnknownStatusCount);
        Assert.Equal(before, await factory.SnapshotAsync());
    }

    [Fact]
    public async Task P3_StatusNamingACustomerMessage_IsIgnoredAndCounted()
    {
        var customer = WebhookJson.SingleMessage(Recipient, TextMessage(Recipient, "wamid.INBOUND", factory.Clock.GetUtcNow(), "oi"));
        await (await factory.PostWebhookAsync(customer)).AssertOkAsync();
        var before = await factory.SnapshotAsync();

        await PostStatusAsync("wamid.INBOUND", "read", factory.Clock.GetUtcNow(), null);

        Assert.Equal(1, factory.Get<WebhookMetrics>().UnknownStatusCount);
        Assert.Equal(before, await factory.SnapshotAsync());
    }

    [Fact]
    public async Task P3_UnknownStatusValue_IsAcceptedAndChangesNothing()
    {
        var sent = await factory.StartTemplateAndWaitForSendAsync(Number);
        await PostStatusAsync(sent.Wamid, "delivered", factory.Clock.GetUtcNow(), sent.OurMessageId);
        var before = await factory.SnapshotAsync();

        await PostStatusAsync(sent.Wamid, "deleted", factory.Clock.GetUtcNow(), sent.OurMessageId);

        Assert.Equal(before, await factory.SnapshotAsync());
    }

    [Fact]
    public async Task P3_StatusBeforeTheSendResponse_IsCorrelatedByOurId()
    {
        using var release = new ManualResetEventSlim();
        factory.Sender.Behaviour = request =>
        {
            // Meta has the message (statuses are on their way) but its response is slow to come back.
            release.Wait(TimeSpan.FromSeconds(20));
            return new SendOutcome.Accepted("wamid.EARLY", Recipient, "accepted");
        };
        var (conversationId, ourMessageId) = await factory.StartTemplateAsync(Number);
        await LedgerProbe.EventuallyAsync(() => Task.FromResult(!factory.Sender.Requests.IsEmpty), "the send to start");
        Assert.Equal(ourMessageId, factory.Sender.Requests.Single().OurMessageId);
        var at = factory.Clock.GetUtcNow();

        await PostStatusAsync("wamid.EARLY", "sent", at.AddSeconds(1), ourMessageId);
        await PostStatusAsync("wamid.EARLY", "delivered", at.AddSeconds(2), ourMessageId);
        var ledger = factory.Get<LedgerStore>();
        var early = await ledger.GetMessageAsync(HandlerFactory.TenantId, conversationId, 1, CancellationToken.None);
        Assert.Equal("delivered", early!.Status);
        Assert.Equal("wamid.EARLY", early.Wamid);

        release.Set();
        await LedgerProbe.EventuallyAsync(async () => await factory.CountAsync("outbox|") == 0
            && (await ledger.GetMessageAsync(HandlerFactory.TenantId, conversationId, 1, CancellationToken.None))!.ETag != early.ETag, "the send response to be committed");

        var message = await ledger.GetMessageAsync(HandlerFactory.TenantId, conversationId, 1, CancellationToken.None);
        Assert.Equal("delivered", message!.Status);
        Assert.Equal("wamid.EARLY", message.Wamid);
        Assert.Single(factory.Sender.Requests);

        // The response changed nothing the agent sees, so it announced nothing: one event per state change (sent, delivered).
        Assert.Equal(early.Version, message.Version);
        var announced = factory.Events.Events
            .Where(e => e.Type == AgentEventTypes.MessageStatusChanged && e.ConversationId == conversationId)
            .Select(e => JsonDocument.Parse(JsonSerializer.Serialize(e.Data, HttpJson.Options)).RootElement.GetProperty("message").GetProperty("status").GetString())
            .ToList();
        Assert.Equal(["sent", "delivered"], announced);

        // Later statuses without our id now find it through the wamid row.
        await PostStatusAsync("wamid.EARLY", "read", at.AddSeconds(3), null);
        Assert.Equal("read", (await ledger.GetMessageAsync(HandlerFactory.TenantId, conversationId, 1, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task P3_StatusForAnotherTenantsMessage_DoesNotTouchIt()
    {
        var sent = await factory.StartTemplateAndWaitForSendAsync(Number);
        var before = await MessageAsync(sent);

        var response = await factory.PostWebhookAsync(SingleStatus(Status(sent.Wamid, "read", factory.Clock.GetUtcNow(), Recipient, sent.OurMessageId), HandlerFactory.OtherTenantChannelId));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(before.Status, (await MessageAsync(sent)).Status);
    }

    public void Dispose() => factory.Dispose();
}
