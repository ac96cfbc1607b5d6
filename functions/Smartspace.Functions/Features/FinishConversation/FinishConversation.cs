using Smartspace.Core.Conversations;
using Smartspace.Core.Text;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Features.Routing;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.FinishConversation;

/// <summary>"Finalizar Atendimento" with an optional contact reason and description (R16).</summary>
public sealed record FinishRequest(string? QualificationId, string? Description);

public sealed record FinishResponse(ConversationView Conversation, string Notice);

/// <summary>
/// R16: one atomic batch closes the conversation, frees the agent's unit of capacity, clears the
/// customer's conversation in progress and writes the history index entry (R17). Finishing a finished
/// conversation answers the same result (idempotent). Freed capacity immediately routes the queue.
/// </summary>
public sealed class FinishConversationHandler(LedgerStore ledger, IKeyedGate gate, QueueRouter router, IAgentEventPublisher events, TimeProvider time)
{
    public const int MaxDescriptionLength = 4000;
    private const int MaxAttempts = 40;

    public async Task<IResult> HandleAsync(Caller caller, string conversationId, FinishRequest request, CancellationToken ct)
    {
        if (request.Description is { Length: > MaxDescriptionLength })
        {
            return ApiProblems.BadRequest($"description is longer than {MaxDescriptionLength} characters.");
        }

        string? qualificationName = null;
        if (!string.IsNullOrWhiteSpace(request.QualificationId))
        {
            var reason = await ledger.GetAsync(caller.TenantId, Keys.Reason(request.QualificationId), ct);
            if (reason is null)
            {
                return ApiProblems.Refusal(RefusalCode.QualificationUnknown);
            }

            qualificationName = reason.GetString("Name");
        }

        using var _ = await gate.AcquireAsync($"{caller.TenantId}|{Keys.Conversation(conversationId)}", ct);
        for (var attempt = 1; ; attempt++)
        {
            var conversation = await ledger.GetConversationAsync(caller.TenantId, conversationId, ct);
            if (conversation is null)
            {
                return ApiProblems.Refusal(RefusalCode.ConversationNotFound);
            }

            if (ConversationRules.DecideFinish(conversation.ToState(), caller.AgentId, caller.Role) is { } refusal)
            {
                return ApiProblems.Refusal(refusal);
            }

            if (conversation.Stage == ConversationStage.Closed)
            {
                return Results.Ok(new FinishResponse(ConversationView.From(conversation), PtBr.ConversationFinished));
            }

            var now = time.GetUtcNow();
            var operations = new List<EntityOperation>(5);
            AgentRow? agent = null;
            if (conversation.AgentId is { } holder)
            {
                agent = await ledger.GetAgentAsync(caller.TenantId, holder, ct);
                if (agent is not null && agent.OpenConversationIds.Remove(conversationId))
                {
                    agent.Version++;
                    operations.Add(EntityOperation.Replace(agent.ToEntity()));
                }
            }

            var customer = await ledger.GetCustomerAsync(caller.TenantId, conversation.ChannelId, conversation.CustomerKey, ct);
            if (customer is not null && customer.CurrentConversationId == conversationId)
            {
                customer.Fold(conversation); // P4: its last inbound time stays the customer's
                customer.CurrentConversationId = null;
                customer.LastConversationId = conversationId;
                operations.Add(EntityOperation.Replace(customer.ToEntity()));
            }

            if (conversation.QueueKey is { } queueKey)
            {
                operations.Add(EntityOperation.Delete(new Entity(caller.TenantId, queueKey), "*"));
                conversation.QueueKey = null;
            }

            conversation.Stage = ConversationStage.Closed;
            conversation.ClosedAt = now;
            conversation.ClosedReason = "finished";
            conversation.QualificationId = string.IsNullOrWhiteSpace(request.QualificationId) ? null : request.QualificationId;
            conversation.QualificationName = qualificationName;
            conversation.Description = string.IsNullOrWhiteSpace(request.Description) ? null : request.Description.Trim();
            conversation.Version++;
            operations.Add(EntityOperation.Replace(conversation.ToEntity()));
            operations.Add(EntityOperation.Upsert(HistoryIndex.Entry(conversation, customer)));

            var result = await ledger.SubmitAsync(operations, ct);
            if (!result.Succeeded)
            {
                if (attempt >= MaxAttempts)
                {
                    throw new StoreUnavailableException($"Finish kept conflicting after {MaxAttempts} attempts.");
                }

                continue;
            }

            await events.PublishAsync(new AgentEvent(AgentEventTypes.ConversationClosed, caller.TenantId, conversationId, conversation.Version, conversation.AgentId,
                new { conversation = ConversationView.From(conversation) }), ct);
            if (agent is not null)
            {
                await events.PublishAsync(new AgentEvent(AgentEventTypes.CapacityChanged, caller.TenantId, null, agent.Version, agent.AgentId,
                    new { open = agent.OpenConversationIds.Count, max = agent.MaxConcurrent }), ct);
            }

            await router.AssignWaitingAsync(caller.TenantId, ct);
            return Results.Ok(new FinishResponse(ConversationView.From(conversation), PtBr.ConversationFinished));
        }
    }
}

/// <summary>The History (R17) index: newest first by row key, with the fields it is searched by.</summary>
public static class HistoryIndex
{
    public static Entity Entry(ConversationRow c, CustomerRow? customer) => new(c.TenantId, Keys.History(c.ClosedAt!.Value, c.ConversationId), new Dictionary<string, object?>
    {
        ["ConversationId"] = c.ConversationId,
        ["ChannelId"] = c.ChannelId,
        ["CustomerKey"] = c.CustomerKey,
        ["CustomerName"] = customer?.DisplayName ?? c.CustomerName,
        ["CustomerNumber"] = c.CustomerNumber,
        ["AgentId"] = c.AgentId,
        ["QualificationId"] = c.QualificationId,
        ["ClosedAt"] = c.ClosedAt,
        ["CreatedAt"] = c.CreatedAt,
    });
}
