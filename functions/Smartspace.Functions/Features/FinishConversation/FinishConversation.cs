using Smartspace.Core.Conversations;
using Smartspace.Core.Text;
using Smartspace.Durable.Client;
using Smartspace.Durable.Orchestrations;
using Smartspace.Functions.Features.Conversations;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Features.Routing;
using Smartspace.Functions.Ledger;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.FinishConversation;

/// <summary>"Finalizar Atendimento" with an optional contact reason and description (R16).</summary>
public sealed record FinishRequest(string? QualificationId, string? Description);

public sealed record FinishResponse(ConversationView Conversation, string Notice);

/// <summary>
/// R16: the finish orchestration holds the customer's entity and the agent's, writes the conversation closed with its
/// contact reason and description and the history index entry (R17), then ends the customer's conversation in progress
/// and frees the agent's unit of capacity — together. Finishing a finished conversation answers the same result
/// (idempotent). Freed capacity routes the queue at once.
/// </summary>
public sealed class FinishConversationHandler(LedgerStore ledger, IConversationEntities entities, QueueRouter router, TimeProvider time)
{
    public const int MaxDescriptionLength = 4000;

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

        var conversation = await ledger.GetConversationAsync(caller.TenantId, conversationId, ct);
        if (conversation is null)
        {
            return ApiProblems.Refusal(RefusalCode.ConversationNotFound);
        }

        if (ConversationRules.DecideFinish(conversation.ToState(), caller.AgentId, caller.Role) is { } refusal)
        {
            return ApiProblems.Refusal(refusal);
        }

        if (conversation.Stage != ConversationStage.Closed)
        {
            var effects = new FinishEffects(
                string.IsNullOrWhiteSpace(request.QualificationId) ? null : request.QualificationId,
                qualificationName,
                string.IsNullOrWhiteSpace(request.Description) ? null : request.Description.Trim());
            await entities.FinishAsync(new FinishConversationInput(caller.TenantId, conversation.AgentId, conversation.ChannelId, conversation.CustomerKey, conversationId, time.GetUtcNow(), effects.ToJson()), ct);
            conversation = await ledger.GetConversationAsync(caller.TenantId, conversationId, ct) ?? conversation;
            await router.AssignWaitingAsync(caller.TenantId, ct);
        }

        return Results.Ok(new FinishResponse(ConversationView.From(conversation), PtBr.ConversationFinished));
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
