using Smartspace.Core.Conversations;
using Smartspace.Durable.Client;
using Smartspace.Durable.Orchestrations;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Ledger;

namespace Smartspace.Functions.Features.Routing;

/// <summary>
/// The external bot's side of the bot stage: it hands a customer over to the queue
/// (<c>POST /api/agent/bot/conversations/{id}/handoff</c>, role bot or supervisor). The hand-off orchestration holds the
/// customer's entity while the conversation moves from Bot to Queued (row and queue entry, then the entity); then routing runs.
/// </summary>
public static class BotHandoff
{
    public static void MapBotApi(this RouteGroupBuilder agentApi)
    {
        agentApi.MapPost("/bot/conversations/{conversationId}/handoff", (HttpContext http, string conversationId, LedgerStore ledger, IConversationEntities entities, QueueRouter router, TimeProvider time, CancellationToken ct) =>
            AgentApi.WithCaller(http, async caller =>
            {
                if (caller.Role is not (AgentRole.Bot or AgentRole.Supervisor))
                {
                    return ApiProblems.Refusal(RefusalCode.Forbidden);
                }

                var conversation = await ledger.GetConversationAsync(caller.TenantId, conversationId, ct);
                if (conversation is null)
                {
                    return ApiProblems.Refusal(RefusalCode.ConversationNotFound);
                }

                if (conversation.Stage != ConversationStage.Bot)
                {
                    return Results.Ok(new { conversation = ConversationView.From(conversation) }); // already handed over (idempotent)
                }

                await entities.HandOffAsync(new BotHandoffInput(caller.TenantId, conversation.ChannelId, conversation.CustomerKey, conversationId, null, time.GetUtcNow()), ct);
                await router.AssignWaitingAsync(caller.TenantId, ct);
                var current = await ledger.GetConversationAsync(caller.TenantId, conversationId, ct);
                return Results.Ok(new { conversation = ConversationView.From(current ?? conversation) });
            }));
    }
}
