using Smartspace.Core.Conversations;
using Smartspace.Core.Phones;
using Smartspace.Core.Templates;
using Smartspace.Durable.Client;
using Smartspace.Durable.Orchestrations;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Features.Conversations;
using Smartspace.Functions.Features.MetaWebhook;
using Smartspace.Functions.Features.Outbound;
using Smartspace.Functions.Features.Templates;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.StartConversation;

/// <summary>"Nova Conversa": channel ("Número de Origem", optional when the contact center has one, R1), the customer's number ("Para", R2–R4) and, outside the window, a template with its values (R7).</summary>
public sealed record StartConversationRequest(string? ChannelId, string? Number, TemplateRequest? Template);

/// <summary>The conversation, its messages, and the customer's last conversation with its messages (R6).</summary>
public sealed record StartConversationResponse(
    ConversationView Conversation,
    IReadOnlyList<MessageView> Messages,
    bool WindowOpen,
    DateTimeOffset? WindowClosesAt,
    ConversationView? LastConversation,
    IReadOnlyList<MessageView> LastConversationMessages,
    bool Existing);

/// <summary>
/// Conversa ativa (R6, R7, R10, R12–R15): validate the number, channel and template here, then the start orchestration
/// decides with the customer's and the agent's entities locked (<see cref="StartConversationOrchestration"/>) and writes
/// the rows (<see cref="TablesConversationEffects.StartedAsync"/>) before both entities change. Two agents racing for one
/// customer queue on the customer's lock: one wins, the other is refused (R13); one agent racing several starts queues on
/// the agent's lock and never passes the maximum (R12). The agent's conversation already in progress with this customer
/// is returned (R13), with a chosen template sent into it (R9).
/// </summary>
public sealed class StartConversationHandler(
    LedgerStore ledger,
    ContactCenterDirectory directory,
    TemplateCatalog templates,
    IConversationEntities entities,
    IAgentEventPublisher events,
    IOutboxSignal outbox,
    TimeProvider time)
{
    private const int MaxAttempts = 60;

    public async Task<IResult> HandleAsync(Caller caller, StartConversationRequest request, CancellationToken ct)
    {
        var check = BrazilianPhoneNumber.Check(request.Number);
        if (!check.IsValid)
        {
            return ApiProblems.Refusal(RefusalCode.InvalidNumber);
        }

        if (request.Template?.Validate() is { } templateError)
        {
            return ApiProblems.BadRequest(templateError);
        }

        var channels = await directory.GetChannelsOfTenantAsync(caller.TenantId, ct);
        var channel = request.ChannelId is null
            ? (channels.Count == 1 ? channels[0] : null)
            : channels.FirstOrDefault(c => c.ChannelId == request.ChannelId);
        if (channel is null)
        {
            return request.ChannelId is null && channels.Count > 1
                ? ApiProblems.BadRequest("channelId is required: the contact center has several channels.")
                : ApiProblems.Refusal(RefusalCode.ChannelNotFound);
        }

        MessageTemplate? template = null;
        TemplateParameters? parameters = null;
        if (request.Template is { } t)
        {
            template = await templates.GetAsync(caller.TenantId, channel.WabaId, t.Name, t.Language, ct);
            if (template is null || !template.IsSendable)
            {
                return ApiProblems.Refusal(RefusalCode.TemplateNotApproved);
            }

            parameters = t.ToParameters();
            var problems = TemplateValidator.Validate(template, parameters);
            if (problems.Count > 0)
            {
                return ApiProblems.Refusal(RefusalCode.TemplateParametersInvalid, string.Join(" ", problems.Select(p => p.Detail)));
            }
        }

        var customerKey = CustomerKey.FromPhone(check).Value;
        var now = time.GetUtcNow();
        var profile = await ledger.GetCustomerAsync(caller.TenantId, channel.ChannelId, customerKey, ct)
            ?? new CustomerRow { TenantId = caller.TenantId, ChannelId = channel.ChannelId, CustomerKey = customerKey, SendTo = check.Digits };
        var conversationId = ConversationIds.New(now);
        MessageRow? message = null;
        if (template is not null)
        {
            var prospective = new ConversationRow { TenantId = caller.TenantId, ConversationId = conversationId, ChannelId = channel.ChannelId, CustomerKey = customerKey, MessageSeq = 1, Version = 1 };
            message = OutboundMessages.Template(prospective, caller.AgentId, template, parameters!, now);
        }

        var effects = new StartEffects(profile.DisplayName, profile.DisplayNumber ?? "+" + check.Digits, check.Digits, message, Named: (profile.RegisteredName ?? profile.ProfileName) is not null);
        var outcome = await entities.StartAsync(new StartConversationInput(caller.TenantId, caller.AgentId, channel.ChannelId, customerKey, conversationId, template is not null, now, effects.ToJson()), ct);
        switch (outcome.Kind)
        {
            case StartKind.Refused:
                return ApiProblems.Refusal(outcome.Refusal ?? RefusalCode.CustomerInService);
            case StartKind.Existing:
                return await ExistingAsync(caller, outcome, template, parameters, ct);
        }

        var conversation = await ledger.GetConversationAsync(caller.TenantId, conversationId, ct)
            ?? throw new StoreUnavailableException("The started conversation's row is missing.");
        var response = await RespondAsync(conversation, outcome.Customer, outcome.WindowOpen, existing: false, ct);
        return Results.Created($"/api/agent/conversations/{conversation.ConversationId}", response);
    }

    /// <summary>
    /// R13: the agent's own conversation in progress with this customer. R9: "+Selecionar Template" reopens Nova Conversa
    /// for a customer this agent already holds; the chosen template goes into that conversation instead of being dropped.
    /// </summary>
    private async Task<IResult> ExistingAsync(Caller caller, StartConversationOutcome outcome, MessageTemplate? template, TemplateParameters? parameters, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var held = await ledger.GetConversationAsync(caller.TenantId, outcome.ConversationId!, ct)
                ?? throw new StoreUnavailableException("The conversation in progress has no row.");
            if (template is null)
            {
                return Results.Ok(await RespondAsync(held, outcome.Customer, outcome.WindowOpen, existing: true, ct));
            }

            var now = time.GetUtcNow();
            held.Version++;
            held.MessageSeq++;
            held.LastMessageAt = now;
            var again = OutboundMessages.Template(held, caller.AgentId, template, parameters!, now);
            held.Stage = ConversationRules.StageAfterTemplate(held.ToState(), outcome.WindowOpen);
            var sent = await ledger.SubmitAsync(
            [
                EntityOperation.Replace(held.ToEntity()),
                EntityOperation.Insert(again.ToEntity()),
                EntityOperation.Insert(OutboundMessages.OutboxRow(again, now)),
            ], ct);
            if (!sent.Succeeded)
            {
                if (attempt >= MaxAttempts)
                {
                    throw new StoreUnavailableException($"Start kept conflicting after {MaxAttempts} attempts.");
                }

                continue;
            }

            outbox.Notify(caller.TenantId, again.OurMessageId);
            await events.PublishAsync(new AgentEvent(AgentEventTypes.MessageSent, caller.TenantId, held.ConversationId, held.Version, held.AgentId,
                new { conversation = ConversationView.From(held), message = MessageView.From(again) }), ct);
            return Results.Ok(await RespondAsync(held, outcome.Customer, outcome.WindowOpen, existing: true, ct));
        }
    }

    private async Task<StartConversationResponse> RespondAsync(ConversationRow conversation, CustomerConversationState customer, bool windowOpen, bool existing, CancellationToken ct)
    {
        var messages = await ledger.GetMessagesAsync(conversation.TenantId, conversation.ConversationId, 0, ct);
        ConversationRow? last = null;
        List<MessageRow> lastMessages = [];
        if (customer.LastConversationId is { } lastId && lastId != conversation.ConversationId)
        {
            last = await ledger.GetConversationAsync(conversation.TenantId, lastId, ct);
            if (last is not null)
            {
                lastMessages = await ledger.GetMessagesAsync(conversation.TenantId, lastId, 0, ct);
            }
        }

        return new StartConversationResponse(
            ConversationView.From(conversation),
            messages.Select(MessageView.From).ToList(),
            windowOpen,
            ServiceWindow.ClosesAt(customer.LastInboundAt),
            last is null ? null : ConversationView.From(last),
            lastMessages.Select(MessageView.From).ToList(),
            existing);
    }
}
