using Smartspace.Core.Conversations;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.Routing;

/// <summary>
/// The external bot's side of the bot stage: it hands a customer over to the queue
/// (<c>POST /api/agent/bot/conversations/{id}/handoff</c>, role bot or supervisor). The conversation
/// moves from Bot to Queued with its queue entry in one batch, then routing runs.
/// </summary>
public static class BotHandoff
{
    public static void MapBotApi(this RouteGroupBuilder agentApi)
    {
        agentApi.MapPost("/bot/conversations/{conversationId}/handoff", (HttpContext http, string conversationId, LedgerStore ledger, QueueRouter router, IAgentEventPublisher events, TimeProvider time, CancellationToken ct) =>
            AgentApi.WithCaller(http, async caller =>
            {
                if (caller.Role is not (AgentRole.Bot or AgentRole.Supervisor))
                {
                    return ApiProblems.Refusal(RefusalCode.Forbidden);
                }

                for (var attempt = 0; attempt < 20; attempt++)
                {
                    var conversation = await ledger.GetConversationAsync(caller.TenantId, conversationId, ct);
                    if (conversation is null)
                    {
                        return ApiProblems.Refusal(RefusalCode.ConversationNotFound);
                    }

                    if (conversation.Stage != ConversationStage.Bot)
                    {
                        return Results.Ok(new { conversation = ConversationView.From(conversation) }); // already handed over (idempotent)
                    }

                    conversation.Stage = ConversationStage.Queued;
                    conversation.QueueKey = Keys.Queue(time.GetUtcNow(), conversationId);
                    conversation.Version++;
                    var result = await ledger.SubmitAsync(
                    [
                        EntityOperation.Replace(conversation.ToEntity()),
                        EntityOperation.Insert(new Entity(caller.TenantId, conversation.QueueKey, new Dictionary<string, object?> { ["ConversationId"] = conversationId })),
                    ], ct);
                    if (!result.Succeeded)
                    {
                        continue;
                    }

                    await events.PublishAsync(new AgentEvent(AgentEventTypes.ConversationQueued, caller.TenantId, conversationId, conversation.Version, null,
                        new { conversation = ConversationView.From(conversation) }), ct);
                    await router.AssignWaitingAsync(caller.TenantId, ct);
                    var current = await ledger.GetConversationAsync(caller.TenantId, conversationId, ct);
                    return Results.Ok(new { conversation = ConversationView.From(current ?? conversation) });
                }

                throw new StoreUnavailableException("Handoff kept conflicting.");
            }));
    }
}
