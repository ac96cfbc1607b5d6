using Smartspace.Durable.Client;
using Smartspace.Core.Conversations;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Ledger;

namespace Smartspace.Functions.Features.Conversations;

public sealed record ConversationDetail(ConversationView Conversation, IReadOnlyList<MessageView> Messages, bool WindowOpen, DateTimeOffset? WindowClosesAt, long AfterVersion);

/// <summary>Reads for the agent's screen: their conversations in progress, and one conversation with its changes after a version (R19 resync).</summary>
public sealed class ConversationQueries(LedgerStore ledger, IConversationEntities entities, TimeProvider time)
{
    /// <summary>The agent's conversations in progress; a supervisor sees every active one of the contact center.</summary>
    public async Task<IResult> ListAsync(Caller caller, CancellationToken ct)
    {
        List<ConversationRow> rows;
        if (caller.IsSupervisor)
        {
            rows = (await ledger.QueryAllAsync(caller.TenantId, Keys.ConversationPrefix, ct,
                [new Storage.PropertyFilter("Stage", Storage.FilterOperator.NotEqual, nameof(ConversationStage.Closed))]))
                .Select(ConversationRow.From).ToList();
        }
        else
        {
            if (await ledger.GetAgentAsync(caller.TenantId, caller.AgentId, ct) is null)
            {
                return ApiProblems.Refusal(RefusalCode.AgentNotFound);
            }

            // The conversations the agent's entity holds (R12's count), read from their rows.
            var agent = await entities.GetAgentAsync(caller.TenantId, caller.AgentId, ct);
            rows = [];
            foreach (var id in agent.Held)
            {
                if (await ledger.GetConversationAsync(caller.TenantId, id, ct) is { } row)
                {
                    rows.Add(row);
                }
            }
        }

        return Results.Ok(new { conversations = rows.OrderByDescending(r => r.LastMessageAt ?? r.CreatedAt).Select(ConversationView.From) });
    }

    /// <summary>One conversation with the messages changed after <paramref name="afterVersion"/> (0 = all).</summary>
    public async Task<IResult> GetAsync(Caller caller, string conversationId, long afterVersion, CancellationToken ct)
    {
        var conversation = await ledger.GetConversationAsync(caller.TenantId, conversationId, ct);
        if (conversation is null)
        {
            return ApiProblems.Refusal(RefusalCode.ConversationNotFound);
        }

        if (!caller.IsSupervisor && conversation.AgentId != caller.AgentId)
        {
            return ApiProblems.Refusal(RefusalCode.Forbidden);
        }

        var messages = await ledger.GetMessagesAsync(caller.TenantId, conversationId, afterVersion, ct);
        // P4: the window is the customer's (their entity's), whichever of their conversations is shown.
        var customer = await entities.GetCustomerAsync(caller.TenantId, conversation.ChannelId, conversation.CustomerKey, ct);
        var lastInbound = Storage.Dates.Latest(customer.LastInboundAt, conversation.LastInboundAt);
        var now = time.GetUtcNow();
        return Results.Ok(new ConversationDetail(
            ConversationView.From(conversation),
            messages.OrderBy(m => m.Seq).Select(MessageView.From).ToList(),
            ServiceWindow.IsOpen(lastInbound, now),
            ServiceWindow.ClosesAt(lastInbound),
            afterVersion));
    }
}
