using System.Text.Json;
using Smartspace.Core.Conversations;
using Smartspace.Durable.Effects;
using Smartspace.Functions.Features.FinishConversation;
using Smartspace.Functions.Features.Outbound;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.Conversations;

/// <summary>
/// What the start feature hands the orchestration for its rows: the customer as the agent sees them (<paramref name="Named"/>:
/// the profile row had a name), the number to send to, the template message.
/// </summary>
public sealed record StartEffects(string CustomerName, string CustomerNumber, string SendTo, MessageRow? Template, bool Named = false)
{
    public string ToJson() => JsonSerializer.Serialize(this);

    public static StartEffects? FromJson(string? json) => json is null ? null : JsonSerializer.Deserialize<StartEffects>(json);
}

/// <summary>What the finish feature hands the orchestration: the contact reason and description (R16).</summary>
public sealed record FinishEffects(string? QualificationId, string? QualificationName, string? Description)
{
    public string ToJson() => JsonSerializer.Serialize(this);

    public static FinishEffects FromJson(string? json) => (json is null ? null : JsonSerializer.Deserialize<FinishEffects>(json)) ?? new(null, null, null);
}

/// <summary>
/// <see cref="IConversationEffects"/> on Table Storage: the rows and events of a change the entities decided, called by the
/// orchestrations' activities inside their critical sections. Each write is one batch of the contact center's partition
/// and idempotent: a start whose conversation row exists, a finish of a closed conversation, an assignment already made or
/// a hand-off already done only publishes its events again (same versions: clients drop repeats, R19).
/// </summary>
public sealed class TablesConversationEffects(LedgerStore ledger, IAgentEventPublisher events, IOutboxSignal outbox, ILogger<TablesConversationEffects> logger) : IConversationEffects
{
    private const int MaxAttempts = 20;

    public async Task StartedAsync(ConversationStarted started, CancellationToken ct)
    {
        var input = started.Input;
        var extra = StartEffects.FromJson(input.Effects) ?? new StartEffects(input.CustomerKey, "+" + input.CustomerKey, input.CustomerKey, null);
        var conversation = new ConversationRow
        {
            TenantId = input.TenantId,
            ConversationId = input.ConversationId,
            ChannelId = input.ChannelId,
            CustomerKey = input.CustomerKey,
            // R11: the profile's name, else the name the customer's entity took from a message not placed yet, else the number.
            CustomerName = extra.Named ? extra.CustomerName : started.Customer.DisplayName ?? extra.CustomerName,
            CustomerNumber = extra.CustomerNumber,
            AgentId = input.AgentId,
            Stage = started.Stage,
            Origin = "active",
            CreatedAt = input.At,
            AssignedAt = input.At,
            Version = 1,
            TemplateOnly = !started.WindowOpen,
            MessageSeq = extra.Template is null ? 0 : 1,
            LastMessageAt = extra.Template is null ? null : input.At,
        };

        ConversationRow? superseded = null;
        for (var attempt = 1; ; attempt++)
        {
            var operations = new List<EntityOperation>(8) { EntityOperation.Insert(conversation.ToEntity()) };
            superseded = null;
            if (started.Ended is { } endedId && await ledger.GetConversationAsync(input.TenantId, endedId, ct) is { } ended && ended.Stage != ConversationStage.Closed)
            {
                // R14: the bot or queue stage ends in the same change that starts the active conversation.
                superseded = ended;
                superseded.Stage = ConversationStage.Closed;
                superseded.ClosedAt = input.At;
                superseded.ClosedReason = "superseded_by_active_conversation";
                superseded.Version++;
                if (superseded.QueueKey is { } queueKey)
                {
                    operations.Add(EntityOperation.Delete(new Entity(input.TenantId, queueKey), "*"));
                    superseded.QueueKey = null;
                }

                operations.Add(EntityOperation.Replace(superseded.ToEntity()));
                operations.Add(EntityOperation.Upsert(HistoryIndex.Entry(superseded, null)));
            }

            if (extra.Template is { } template)
            {
                operations.Add(EntityOperation.Insert(template.ToEntity()));
                operations.Add(EntityOperation.Insert(OutboundMessages.OutboxRow(template, input.At)));
            }

            if (await ledger.GetCustomerAsync(input.TenantId, input.ChannelId, input.CustomerKey, ct) is null)
            {
                operations.Add(EntityOperation.Insert(new CustomerRow { TenantId = input.TenantId, ChannelId = input.ChannelId, CustomerKey = input.CustomerKey, SendTo = extra.SendTo }.ToEntity()));
            }

            var result = await ledger.SubmitAsync(operations, ct);
            if (result.Succeeded)
            {
                break;
            }

            if (result.Failure == StoreFailure.AlreadyExists && result.FailedIndex == 0)
            {
                // Written by an earlier attempt of this activity: only the events are left to send (again).
                superseded = null;
                break;
            }

            if (attempt >= MaxAttempts)
            {
                throw new StoreUnavailableException($"Start rows kept conflicting ({result.Failure}).");
            }
        }

        if (superseded is not null)
        {
            await events.PublishAsync(new AgentEvent(AgentEventTypes.ConversationClosed, input.TenantId, superseded.ConversationId, superseded.Version, superseded.AgentId,
                new { conversation = ConversationView.From(superseded) }), ct);
        }

        if (extra.Template is { } sent)
        {
            outbox.Notify(input.TenantId, sent.OurMessageId);
        }

        await events.PublishAsync(new AgentEvent(
            started.Stage == ConversationStage.Open ? AgentEventTypes.ConversationOpened : AgentEventTypes.ConversationWaiting,
            input.TenantId, conversation.ConversationId, conversation.Version, input.AgentId,
            new { conversation = ConversationView.From(conversation), message = extra.Template is null ? null : MessageView.From(extra.Template) }), ct);
        await PublishCapacityAsync(input.TenantId, input.AgentId, started.Agent, ct);
    }

    public async Task FinishedAsync(ConversationFinished finished, CancellationToken ct)
    {
        var input = finished.Input;
        var extra = FinishEffects.FromJson(input.Effects);
        for (var attempt = 1; ; attempt++)
        {
            var conversation = await ledger.GetConversationAsync(input.TenantId, input.ConversationId, ct);
            if (conversation is null || conversation.Stage == ConversationStage.Closed)
            {
                break; // finished already (an earlier attempt, or a concurrent finish)
            }

            var operations = new List<EntityOperation>(3);
            if (conversation.QueueKey is { } queueKey)
            {
                operations.Add(EntityOperation.Delete(new Entity(input.TenantId, queueKey), "*"));
                conversation.QueueKey = null;
            }

            conversation.Stage = ConversationStage.Closed;
            conversation.ClosedAt = finished.At;
            conversation.ClosedReason = "finished";
            conversation.QualificationId = extra.QualificationId;
            conversation.QualificationName = extra.QualificationName;
            conversation.Description = extra.Description;
            conversation.Version++;
            operations.Add(EntityOperation.Replace(conversation.ToEntity()));
            var profile = await ledger.GetCustomerAsync(input.TenantId, conversation.ChannelId, conversation.CustomerKey, ct);
            operations.Add(EntityOperation.Upsert(HistoryIndex.Entry(conversation, profile)));
            var result = await ledger.SubmitAsync(operations, ct);
            if (result.Succeeded)
            {
                await events.PublishAsync(new AgentEvent(AgentEventTypes.ConversationClosed, input.TenantId, conversation.ConversationId, conversation.Version, conversation.AgentId,
                    new { conversation = ConversationView.From(conversation) }), ct);
                break;
            }

            if (attempt >= MaxAttempts)
            {
                throw new StoreUnavailableException($"Finish rows kept conflicting ({result.Failure}).");
            }
        }

        if (input.AgentId is { } agentId && finished.Agent is { } agent)
        {
            await PublishCapacityAsync(input.TenantId, agentId, agent, ct);
        }
    }

    public async Task AssignedAsync(ConversationAssigned assigned, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var conversation = await ledger.GetConversationAsync(assigned.TenantId, assigned.ConversationId, ct)
                ?? throw new StoreUnavailableException("The queued conversation's row is missing.");
            if (conversation.Stage == ConversationStage.Open && conversation.AgentId == assigned.AgentId)
            {
                break; // assigned by an earlier attempt
            }

            var operations = new List<EntityOperation>(2);
            if (conversation.QueueKey is { } queueKey)
            {
                operations.Add(EntityOperation.Delete(new Entity(assigned.TenantId, queueKey), "*"));
                conversation.QueueKey = null;
            }

            conversation.AgentId = assigned.AgentId;
            conversation.Stage = ConversationStage.Open;
            conversation.AssignedAt = assigned.At;
            conversation.Version++;
            operations.Add(EntityOperation.Replace(conversation.ToEntity()));
            var result = await ledger.SubmitAsync(operations, ct);
            if (result.Succeeded)
            {
                logger.LogInformation("Assigned conversation {ConversationId} to agent {AgentId}", assigned.ConversationId, assigned.AgentId);
                await events.PublishAsync(new AgentEvent(AgentEventTypes.ConversationAssigned, assigned.TenantId, assigned.ConversationId, conversation.Version, assigned.AgentId,
                    new { conversation = ConversationView.From(conversation) }), ct);
                break;
            }

            if (attempt >= MaxAttempts)
            {
                throw new StoreUnavailableException($"Assignment rows kept conflicting ({result.Failure}).");
            }
        }

        await PublishCapacityAsync(assigned.TenantId, assigned.AgentId, assigned.Agent, ct);
    }

    public async Task QueuedAsync(ConversationQueued queued, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var conversation = await ledger.GetConversationAsync(queued.TenantId, queued.ConversationId, ct);
            if (conversation is null || conversation.Stage != ConversationStage.Bot)
            {
                return; // handed over by an earlier attempt
            }

            conversation.Stage = ConversationStage.Queued;
            conversation.QueueKey = Keys.Queue(queued.At, queued.ConversationId);
            conversation.Version++;
            var result = await ledger.SubmitAsync(
            [
                EntityOperation.Replace(conversation.ToEntity()),
                EntityOperation.Upsert(new Entity(queued.TenantId, conversation.QueueKey, new Dictionary<string, object?> { ["ConversationId"] = queued.ConversationId })),
            ], ct);
            if (result.Succeeded)
            {
                await events.PublishAsync(new AgentEvent(AgentEventTypes.ConversationQueued, queued.TenantId, queued.ConversationId, conversation.Version, null,
                    new { conversation = ConversationView.From(conversation) }), ct);
                return;
            }

            if (attempt >= MaxAttempts)
            {
                throw new StoreUnavailableException($"Hand-off rows kept conflicting ({result.Failure}).");
            }
        }
    }

    private Task PublishCapacityAsync(string tenantId, string agentId, AgentCapacityState agent, CancellationToken ct) =>
        events.PublishAsync(new AgentEvent(AgentEventTypes.CapacityChanged, tenantId, null, agent.Version, agentId,
            new { open = agent.Held.Count, max = agent.MaxConcurrent }), ct);
}
