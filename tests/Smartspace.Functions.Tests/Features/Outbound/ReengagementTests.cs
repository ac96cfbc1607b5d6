using System.Net;
using System.Text.Json;
using Smartspace.Core.Text;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Features.MetaWebhook;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Outbound;

/// <summary>
/// P4: Meta refuses free text outside the 24 h window with 131047 — in the send response or, more often, as a
/// later <c>failed</c> status (reference §7). Either way the message fails with the pt-BR explanation and the
/// conversation becomes template-only.
/// </summary>
public sealed class ReengagementTests : IDisposable
{
    private const string Typed = "11987654321";
    private readonly HandlerFactory factory = new();

    /// <summary>An open conversation (the customer wrote, so our window is open) and ana's free text in it.</summary>
    private async Task<(string ConversationId, string OurMessageId)> FreeTextAsync()
    {
        await factory.NobodyAvailableAsync();
        await factory.CustomerWritesAsync(Typed, "wamid.P4.in.1");
        var ana = factory.ClientFor("ana");
        var started = await ana.StartCreatedAsync(Typed);
        Assert.Equal("open", started.Stage());
        Assert.False(started.GetProperty("conversation").GetProperty("templateOnly").GetBoolean());

        using var response = await ana.SendTextAsync(started.ConversationId(), "Oi Maria, tudo bem?");
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body.ToString());
        return (started.ConversationId(), body.GetProperty("message").GetProperty("id").GetString()!);
    }

    private async Task<(JsonElement Conversation, JsonElement Message)> ViewAsync(string conversationId, string ourMessageId)
    {
        var detail = await factory.ClientFor("ana").GetJsonAsync($"{Desk.Conversations}/{conversationId}");
        var message = detail.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetString() == ourMessageId);
        return (detail.GetProperty("conversation"), message);
    }

    private static void AssertReengagementFailure(JsonElement conversation, JsonElement message)
    {
        Assert.Equal("failed", message.GetProperty("status").GetString());
        Assert.Equal(131047, message.GetProperty("errorCode").GetInt32());
        Assert.Equal(PtBr.MetaReengagement131047, message.GetProperty("errorText").GetString());
        Assert.True(conversation.GetProperty("templateOnly").GetBoolean());
    }

    [Fact]
    public async Task P4_FreeTextOutsideWindow_Meta131047InTheResponse_MakesConversationTemplateOnly()
    {
        factory.Sender.Behaviour = Outcomes.Reengagement;
        var (conversationId, ourId) = await FreeTextAsync();

        Assert.Null(await factory.WaitForSendsAsync(ourId, 1));

        var (conversation, message) = await ViewAsync(conversationId, ourId);
        AssertReengagementFailure(conversation, message);
        Assert.Contains("24 hours", message.GetProperty("errorDetails").GetString());

        // Permanent: never sent again.
        factory.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await factory.SweepAsync());
        Assert.Equal(1, factory.SendCount());
    }

    [Fact]
    public async Task P4_FreeTextOutsideWindow_Meta131047AsLaterFailedStatus_MakesConversationTemplateOnly()
    {
        var (conversationId, ourId) = await FreeTextAsync();
        Assert.Null(await factory.WaitForSendsAsync(ourId, 1));
        var wamid = (await factory.MessageAsync(ourId)).Wamid!;
        var at = factory.Clock.GetUtcNow();

        await (await factory.PostWebhookAsync(WebhookJson.SingleStatus(
            WebhookJson.Status(wamid, "failed", at.AddSeconds(2), "55" + Typed, ourId, WebhookJson.Reengagement131047)))).AssertOkAsync();

        var (conversation, message) = await ViewAsync(conversationId, ourId);
        AssertReengagementFailure(conversation, message);

        // P3: a late "sent" (it precedes the failure) does not move the message back.
        await (await factory.PostWebhookAsync(WebhookJson.SingleStatus(
            WebhookJson.Status(wamid, "sent", at.AddSeconds(1), "55" + Typed, ourId)))).AssertOkAsync();
        (conversation, message) = await ViewAsync(conversationId, ourId);
        AssertReengagementFailure(conversation, message);
        Assert.Equal(1, factory.SendCount());
    }

    [Fact]
    public async Task P4_Failed131047_FoundByWamidAlone_WhenTheStatusCarriesNoOurId()
    {
        var (conversationId, ourId) = await FreeTextAsync();
        Assert.Null(await factory.WaitForSendsAsync(ourId, 1));
        var wamid = (await factory.MessageAsync(ourId)).Wamid!;

        await (await factory.PostWebhookAsync(MetaPayloads.Status(wamid, "failed", factory.Clock.GetUtcNow(), "55" + Typed, errorCode: 131047))).AssertOkAsync();

        var (conversation, message) = await ViewAsync(conversationId, ourId);
        AssertReengagementFailure(conversation, message);
    }

    [Fact]
    public async Task P3_DeliveredAfterFailed131047_Advances_AsMessageStatusRulesDocument()
    {
        // MessageStatusRules: "After Failed, Delivered/Read/Played still advance (the customer demonstrably got it)".
        var (conversationId, ourId) = await FreeTextAsync();
        Assert.Null(await factory.WaitForSendsAsync(ourId, 1));
        var wamid = (await factory.MessageAsync(ourId)).Wamid!;
        var at = factory.Clock.GetUtcNow();
        await (await factory.PostWebhookAsync(MetaPayloads.Status(wamid, "failed", at, "55" + Typed, ourId, 131047))).AssertOkAsync();

        await (await factory.PostWebhookAsync(MetaPayloads.Status(wamid, "delivered", at.AddSeconds(1), "55" + Typed, ourId))).AssertOkAsync();
        var (_, message) = await ViewAsync(conversationId, ourId);
        Assert.Equal("delivered", message.GetProperty("status").GetString());

        // …and from there it never moves back, not even to failed.
        await (await factory.PostWebhookAsync(MetaPayloads.Status(wamid, "failed", at.AddSeconds(2), "55" + Typed, ourId, 131047))).AssertOkAsync();
        await (await factory.PostWebhookAsync(MetaPayloads.Status(wamid, "sent", at.AddSeconds(3), "55" + Typed, ourId))).AssertOkAsync();
        (_, message) = await ViewAsync(conversationId, ourId);
        Assert.Equal("delivered", message.GetProperty("status").GetString());
    }

    [Fact]
    public async Task P4_TemplateOnlyConversation_AcceptsATemplate_AndTheCustomersReplyLiftsIt()
    {
        factory.Sender.Behaviour = Outcomes.Reengagement;
        var (conversationId, ourId) = await FreeTextAsync();
        await factory.WaitForSendsAsync(ourId, 1);
        factory.Sender.Behaviour = null;

        using var template = await factory.ClientFor("ana").SendTemplateAsync(conversationId, Desk.Retomada());
        Assert.Equal(HttpStatusCode.Accepted, template.StatusCode);

        await factory.CustomerWritesAsync(Typed, "wamid.P4.in.2", body: "Voltei");
        var detail = await factory.ClientFor("ana").GetJsonAsync($"{Desk.Conversations}/{conversationId}");
        Assert.False(detail.GetProperty("conversation").GetProperty("templateOnly").GetBoolean());
    }

    public void Dispose() => factory.Dispose();
}
