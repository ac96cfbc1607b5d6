using Smartspace.Core.Conversations;
using Smartspace.Core.Phones;
using Smartspace.Core.Templates;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Features.FinishConversation;
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
/// Conversa ativa (R6, R7, R10, R12–R15). Load agent, customer and the customer's conversation in
/// progress → <see cref="ConversationRules.DecideStart"/> → one atomic batch in the contact center's
/// partition (agent row with its ETag, customer row with its ETag, new conversation, a superseded
/// bot/queue conversation and its queue entry, the template message and its outbox entry). Two agents
/// racing for one customer both read the same customer ETag: one batch wins, the other re-reads and is
/// refused (R13); one agent racing several starts conflicts on its own agent row and re-checks capacity (R12).
/// </summary>
public sealed class StartConversationHandler(
    LedgerStore ledger,
    ContactCenterDirectory directory,
    TemplateCatalog templates,
    IKeyedGate gate,
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
        using var _ = await gate.AcquireAsync($"{caller.TenantId}|{Keys.Customer(channel.ChannelId, customerKey)}", ct);
        for (var attempt = 1; ; attempt++)
        {
            var now = time.GetUtcNow();
            var agent = await ledger.GetAgentAsync(caller.TenantId, caller.AgentId, ct);
            if (agent is null)
            {
                return ApiProblems.Refusal(RefusalCode.AgentNotFound);
            }

            var customer = await ledger.GetCustomerAsync(caller.TenantId, channel.ChannelId, customerKey, ct)
                ?? new CustomerRow { TenantId = caller.TenantId, ChannelId = channel.ChannelId, CustomerKey = customerKey, SendTo = check.Digits };
            var current = customer.CurrentConversationId is { } currentId ? await ledger.GetConversationAsync(caller.TenantId, currentId, ct) : null;
            // P4: the current conversation's last inbound time is folded into the customer row, which is written below
            // whenever the current conversation changes.
            customer.LastInboundAt = customer.LastInboundWith(current);
            var windowOpen = ServiceWindow.IsOpen(customer.LastInboundAt, now);

            var decision = ConversationRules.DecideStart(agent.ToState(), current?.ToState(), windowOpen, template is not null);
            switch (decision)
            {
                case StartDecision.Refused refused:
                    return ApiProblems.Refusal(refused.Code);
                case StartDecision.ReturnExisting when template is null:
                    return Results.Ok(await RespondAsync(current!, customer, windowOpen, existing: true, ct));
                case StartDecision.ReturnExisting:
                {
                    // R9: "+Selecionar Template" reopens Nova Conversa for a customer this agent already holds;
                    // the chosen template goes into that conversation instead of being silently dropped.
                    var held = current!;
                    held.Version++;
                    held.MessageSeq++;
                    held.LastMessageAt = now;
                    var again = OutboundMessages.Template(held, agent.AgentId, template, parameters!, now);
                    held.Stage = ConversationRules.StageAfterTemplate(held.ToState(), windowOpen);
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
                    return Results.Ok(await RespondAsync(held, customer, windowOpen, existing: true, ct));
                }
            }

            var create = (StartDecision.Create)decision;
            var operations = new List<EntityOperation>(8);
            var conversation = new ConversationRow
            {
                TenantId = caller.TenantId,
                ConversationId = ConversationIds.New(now),
                ChannelId = channel.ChannelId,
                CustomerKey = customerKey,
                CustomerName = customer.DisplayName,
                CustomerNumber = customer.DisplayNumber ?? "+" + check.Digits,
                AgentId = agent.AgentId,
                Stage = create.Stage,
                Origin = "active",
                CreatedAt = now,
                AssignedAt = now,
                Version = 1,
                TemplateOnly = !windowOpen,
            };

            ConversationRow? superseded = null;
            if (current is not null && current.Stage != ConversationStage.Closed)
            {
                // R14: the bot or queue stage ends in the same change that starts the active conversation.
                superseded = current;
                superseded.Stage = ConversationStage.Closed;
                superseded.ClosedAt = now;
                superseded.ClosedReason = "superseded_by_active_conversation";
                superseded.Version++;
                if (superseded.QueueKey is { } queueKey)
                {
                    operations.Add(EntityOperation.Delete(new Entity(caller.TenantId, queueKey), "*"));
                    superseded.QueueKey = null;
                }

                operations.Add(EntityOperation.Replace(superseded.ToEntity()));
                operations.Add(EntityOperation.Upsert(HistoryIndex.Entry(superseded, customer)));
                customer.LastConversationId = superseded.ConversationId;
            }
            else if (current is not null)
            {
                customer.LastConversationId = current.ConversationId;
            }

            MessageRow? message = null;
            if (template is not null)
            {
                conversation.MessageSeq = 1;
                message = OutboundMessages.Template(conversation, agent.AgentId, template, parameters!, now);
                conversation.LastMessageAt = now;
                operations.Add(EntityOperation.Insert(message.ToEntity()));
                operations.Add(EntityOperation.Insert(OutboundMessages.OutboxRow(message, now)));
            }

            customer.CurrentConversationId = conversation.ConversationId;
            agent.OpenConversationIds.Add(conversation.ConversationId);
            agent.Version++;
            operations.Add(EntityOperation.Insert(conversation.ToEntity()));
            operations.Add(EntityOperation.Replace(agent.ToEntity()));
            operations.Add(customer.ETag is null ? EntityOperation.Insert(customer.ToEntity()) : EntityOperation.Replace(customer.ToEntity()));

            var result = await ledger.SubmitAsync(operations, ct);
            if (!result.Succeeded)
            {
                if (attempt >= MaxAttempts)
                {
                    throw new StoreUnavailableException($"Start kept conflicting after {MaxAttempts} attempts.");
                }

                await Task.Delay(Random.Shared.Next(0, Math.Min(50, attempt * 3)), ct);
                continue;
            }

            if (superseded is not null)
            {
                await events.PublishAsync(new AgentEvent(AgentEventTypes.ConversationClosed, caller.TenantId, superseded.ConversationId, superseded.Version, superseded.AgentId,
                    new { conversation = ConversationView.From(superseded) }), ct);
            }

            if (message is not null)
            {
                outbox.Notify(caller.TenantId, message.OurMessageId);
            }

            await events.PublishAsync(new AgentEvent(
                create.Stage == ConversationStage.Open ? AgentEventTypes.ConversationOpened : AgentEventTypes.ConversationWaiting,
                caller.TenantId, conversation.ConversationId, conversation.Version, agent.AgentId,
                new { conversation = ConversationView.From(conversation), message = message is null ? null : MessageView.From(message) }), ct);
            await events.PublishAsync(new AgentEvent(AgentEventTypes.CapacityChanged, caller.TenantId, null, agent.Version, agent.AgentId,
                new { open = agent.OpenConversationIds.Count, max = agent.MaxConcurrent }), ct);

            var response = await RespondAsync(conversation, customer, windowOpen, existing: false, ct);
            return Results.Created($"/api/agent/conversations/{conversation.ConversationId}", response);
        }
    }

    private async Task<StartConversationResponse> RespondAsync(ConversationRow conversation, CustomerRow customer, bool windowOpen, bool existing, CancellationToken ct)
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
