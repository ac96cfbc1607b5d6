using Smartspace.Core.Conversations;
using Smartspace.Core.Templates;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Features.Outbound;
using Smartspace.Functions.Features.Templates;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.SendMessage;

public sealed record SendTextRequest(string? Text);

public sealed record SendTemplateRequest(TemplateRequest? Template);

public sealed record SendMessageResponse(ConversationView Conversation, MessageView Message);

/// <summary>
/// An agent's message in a conversation they hold. Free text only inside the window and not while awaiting
/// the customer's reply to a template (R8, P4); a template at any time (R9), which outside the window makes
/// the conversation wait for the reply. The message is recorded pending with its outbox entry in one batch
/// with the conversation's new version, then handed to the outbound dispatcher.
/// </summary>
public sealed class SendMessageHandler(
    LedgerStore ledger,
    ContactCenterDirectory directory,
    TemplateCatalog templates,
    IKeyedGate gate,
    IAgentEventPublisher events,
    IOutboxSignal outbox,
    TimeProvider time)
{
    public const int MaxTextLength = 4096;
    private const int MaxAttempts = 20;

    public async Task<IResult> SendTextAsync(Caller caller, string conversationId, SendTextRequest request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Text))
        {
            return ApiProblems.BadRequest("text is required.");
        }

        if (request.Text.Length > MaxTextLength)
        {
            return ApiProblems.BadRequest($"text is longer than {MaxTextLength} characters.");
        }

        return await SendAsync(caller, conversationId, null, null, request.Text, ct);
    }

    public async Task<IResult> SendTemplateAsync(Caller caller, string conversationId, SendTemplateRequest request, CancellationToken ct)
    {
        if (request.Template is null)
        {
            return ApiProblems.BadRequest("template is required.");
        }

        if (request.Template.Validate() is { } error)
        {
            return ApiProblems.BadRequest(error);
        }

        var conversation = await ledger.GetConversationAsync(caller.TenantId, conversationId, ct);
        if (conversation is null)
        {
            return ApiProblems.Refusal(RefusalCode.ConversationNotFound);
        }

        var channel = await directory.GetChannelAsync(conversation.ChannelId, ct);
        var template = channel is null ? null : await templates.GetAsync(caller.TenantId, channel.WabaId, request.Template.Name, request.Template.Language, ct);
        if (template is null || !template.IsSendable)
        {
            return ApiProblems.Refusal(RefusalCode.TemplateNotApproved);
        }

        var parameters = request.Template.ToParameters();
        var problems = TemplateValidator.Validate(template, parameters);
        if (problems.Count > 0)
        {
            return ApiProblems.Refusal(RefusalCode.TemplateParametersInvalid, string.Join(" ", problems.Select(p => p.Detail)));
        }

        return await SendAsync(caller, conversationId, template, parameters, null, ct);
    }

    private async Task<IResult> SendAsync(Caller caller, string conversationId, MessageTemplate? template, TemplateParameters? parameters, string? text, CancellationToken ct)
    {
        using var _ = await gate.AcquireAsync($"{caller.TenantId}|{Keys.Conversation(conversationId)}", ct);
        for (var attempt = 1; ; attempt++)
        {
            var now = time.GetUtcNow();
            var conversation = await ledger.GetConversationAsync(caller.TenantId, conversationId, ct);
            if (conversation is null)
            {
                return ApiProblems.Refusal(RefusalCode.ConversationNotFound);
            }

            var customer = await ledger.GetCustomerAsync(caller.TenantId, conversation.ChannelId, conversation.CustomerKey, ct);
            // Template-only (the timer saw the window close, or Meta answered 131047) wins over our own record of the window.
            var windowOpen = ServiceWindow.IsOpen(customer?.LastInboundWith(conversation), now) && !conversation.TemplateOnly;
            var decision = template is null
                ? ConversationRules.DecideSendText(conversation.ToState(), caller.AgentId, windowOpen)
                : ConversationRules.DecideSendTemplate(conversation.ToState(), caller.AgentId);
            if (decision is SendDecision.Refused refused)
            {
                return ApiProblems.Refusal(refused.Code);
            }

            conversation.Version++;
            conversation.MessageSeq++;
            conversation.LastMessageAt = now;
            var message = template is null
                ? OutboundMessages.Text(conversation, caller.AgentId, text!, now)
                : OutboundMessages.Template(conversation, caller.AgentId, template, parameters!, now);
            if (template is not null)
            {
                conversation.Stage = ConversationRules.StageAfterTemplate(conversation.ToState(), windowOpen);
            }

            var result = await ledger.SubmitAsync(
            [
                EntityOperation.Replace(conversation.ToEntity()),
                EntityOperation.Insert(message.ToEntity()),
                EntityOperation.Insert(OutboundMessages.OutboxRow(message, now)),
            ], ct);
            if (!result.Succeeded)
            {
                if (attempt >= MaxAttempts)
                {
                    throw new StoreUnavailableException($"Send kept conflicting after {MaxAttempts} attempts.");
                }

                continue;
            }

            outbox.Notify(caller.TenantId, message.OurMessageId);
            var view = new SendMessageResponse(ConversationView.From(conversation), MessageView.From(message));
            await events.PublishAsync(new AgentEvent(AgentEventTypes.MessageSent, caller.TenantId, conversationId, conversation.Version, conversation.AgentId,
                new { conversation = view.Conversation, message = view.Message }), ct);
            return Results.Json(view, statusCode: StatusCodes.Status202Accepted);
        }
    }
}
