using Smartspace.Durable.Client;
using Smartspace.Core.Conversations;
using Smartspace.Core.Templates;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Features.Outbound;
using Smartspace.Functions.Features.Templates;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.SendMessage;

/// <param name="ReplyTo">Our id of a customer's message this one answers (sent to Meta as <c>context.message_id</c>).</param>
public sealed record SendTextRequest(string? Text, string? ReplyTo = null);

public sealed record SendTemplateRequest(TemplateRequest? Template);

/// <summary>What a free-form send also writes in its batch, or the refusal that stops it.</summary>
public sealed record AlsoWrite(IResult? Problem, IReadOnlyList<EntityOperation> Operations)
{
    public static AlsoWrite Refuse(IResult problem) => new(problem, []);

    public static AlsoWrite With(params EntityOperation[] operations) => new(null, operations);
}

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
    IConversationEntities entities,
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

        var text = request.Text;
        return await SendAsync(caller, conversationId, free: true, request.ReplyTo, (conversation, now) => OutboundMessages.Text(conversation, caller.AgentId, text, now), null, ct);
    }

    /// <summary>
    /// A free-form message other than text (an attachment, a reaction): refused exactly like free text outside the
    /// window or while awaiting the reply to a template. <paramref name="build"/> makes the row; <paramref name="alsoWrite"/>
    /// adds operations of the same batch (e.g. the reacted message's new reaction).
    /// </summary>
    public Task<IResult> SendFreeFormAsync(Caller caller, string conversationId, string? replyTo, Func<ConversationRow, DateTimeOffset, MessageRow> build,
        Func<ConversationRow, MessageRow, Task<AlsoWrite>>? alsoWrite, CancellationToken ct) =>
        SendAsync(caller, conversationId, free: true, replyTo, build, alsoWrite, ct);

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

        return await SendAsync(caller, conversationId, free: false, null, (conversation, now) => OutboundMessages.Template(conversation, caller.AgentId, template, parameters, now), null, ct);
    }


    private async Task<IResult> SendAsync(Caller caller, string conversationId, bool free, string? replyTo, Func<ConversationRow, DateTimeOffset, MessageRow> build,
        Func<ConversationRow, MessageRow, Task<AlsoWrite>>? alsoWrite, CancellationToken ct)
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

            var customer = await entities.GetCustomerAsync(caller.TenantId, conversation.ChannelId, conversation.CustomerKey, ct);
            // P4 from the customer's entity. Template-only (the timer saw the window close, or Meta answered 131047) wins over our own record of the window.
            var windowOpen = ServiceWindow.IsOpen(Dates.Latest(customer.LastInboundAt, conversation.LastInboundAt), now) && !conversation.TemplateOnly;
            var decision = free
                ? ConversationRules.DecideSendText(conversation.ToState(), caller.AgentId, windowOpen)
                : ConversationRules.DecideSendTemplate(conversation.ToState(), caller.AgentId);
            if (decision is SendDecision.Refused refused)
            {
                return ApiProblems.Refusal(refused.Code);
            }

            // A reply names a message of this conversation that Meta knows (it has a wamid).
            MessageRow? quoted = null;
            if (!string.IsNullOrEmpty(replyTo))
            {
                quoted = Keys.TryParseOurMessageId(replyTo, out var quotedConversation, out var quotedSeq) && quotedConversation == conversationId
                    ? await ledger.GetMessageAsync(caller.TenantId, conversationId, quotedSeq, ct)
                    : null;
                if (quoted?.Wamid is null)
                {
                    return ApiProblems.Refusal(RefusalCode.MessageNotFound);
                }
            }

            conversation.Version++;
            conversation.MessageSeq++;
            conversation.LastMessageAt = now;
            var message = build(conversation, now);
            if (quoted is not null)
            {
                message.ContextWamid = quoted.Wamid;
                message.ContextId = quoted.OurMessageId;
                message.ContextText = MetaWebhook.TablesInboundPlacement.Quote(quoted.DisplayText);
            }

            if (!free)
            {
                conversation.Stage = ConversationRules.StageAfterTemplate(conversation.ToState(), windowOpen);
            }

            var operations = new List<EntityOperation>
            {
                EntityOperation.Replace(conversation.ToEntity()),
                EntityOperation.Insert(message.ToEntity()),
                EntityOperation.Insert(OutboundMessages.OutboxRow(message, now)),
            };
            if (alsoWrite is not null)
            {
                var also = await alsoWrite(conversation, message);
                if (also.Problem is not null)
                {
                    return also.Problem;
                }

                operations.AddRange(also.Operations);
            }

            var result = await ledger.SubmitAsync(operations, ct);
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
