using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Meta.Sending;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.Outbound;

/// <summary>The message an outbox entry sends.</summary>
public readonly record struct Target(string TenantId, string ConversationId, long Seq, string OurMessageId);

/// <summary>Commits what a send (or its absence) means for the message and its outbox entry.</summary>
public sealed class OutboxCommits(LedgerStore ledger, IAgentEventPublisher events)
{
    /// <summary>
    /// Commits an outcome with the message and the outbox entry (<paramref name="updateEntry"/> null: removed) in one
    /// batch, retrying on conflicts (statuses may race). The agent gets one event when what they see changed, none
    /// otherwise (a status that overtook the send's response already announced it).
    /// </summary>
    public async Task CommitAsync(Target target, Action<ConversationRow, MessageRow> apply, Action<Entity>? updateEntry, SendOutcome.Accepted? accepted, CancellationToken ct)
    {
        var (tenantId, conversationId, seq, ourMessageId) = target;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var message = await ledger.GetMessageAsync(tenantId, conversationId, seq, ct);
            var conversation = await ledger.GetConversationAsync(tenantId, conversationId, ct);
            var current = await ledger.GetAsync(tenantId, Keys.Outbox(ourMessageId), ct);
            if (message is null || conversation is null)
            {
                return;
            }

            // The entry is gone: a status webhook settled it meanwhile (Meta has the message). Only an accepted
            // send still has something to add (its wamid); anything else must not overwrite that status (P3).
            if (current is null && accepted is null)
            {
                return;
            }

            var before = OutboundEffects.Visible(message);
            apply(conversation, message);
            var changed = OutboundEffects.Visible(message) != before;
            var operations = new List<EntityOperation>(4);
            if (changed)
            {
                conversation.Version++;
                message.Version = conversation.Version;
                operations.Add(EntityOperation.Replace(conversation.ToEntity()));
            }

            operations.Add(EntityOperation.Replace(message.ToEntity()));
            if (current is not null)
            {
                updateEntry?.Invoke(current);
                operations.Add(updateEntry is null ? EntityOperation.Delete(current) : EntityOperation.Replace(current));
            }

            if (accepted is not null)
            {
                operations.Add(EntityOperation.Upsert(new Entity(tenantId, Keys.Wamid(accepted.Wamid), new Dictionary<string, object?>
                {
                    ["ConversationId"] = conversationId,
                    ["Seq"] = seq,
                    ["Direction"] = "out",
                })));
            }

            if (!(await ledger.SubmitAsync(operations, ct)).Succeeded)
            {
                continue;
            }

            if (accepted?.WaId is { } waId)
            {
                await RecordWaIdAsync(conversation, waId, ct);
            }

            if (changed)
            {
                await events.PublishAsync(new AgentEvent(AgentEventTypes.MessageStatusChanged, tenantId, conversationId, conversation.Version, conversation.AgentId,
                    new { message = MessageView.From(message), conversation = ConversationView.From(conversation) }), ct);
            }

            return;
        }

        throw new StoreUnavailableException("Outbox outcome kept conflicting.");
    }

    /// <summary>P6: the wa_id Meta reports (e.g. the 12-digit form of a Brazilian mobile) is where later sends go.</summary>
    private async Task RecordWaIdAsync(ConversationRow conversation, string waId, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var customer = await ledger.GetCustomerAsync(conversation.TenantId, conversation.ChannelId, conversation.CustomerKey, ct);
            if (customer is null || customer.WaId == waId)
            {
                return;
            }

            customer.WaId = waId;
            customer.SendTo = waId;
            if ((await ledger.SubmitAsync([EntityOperation.Replace(customer.ToEntity())], ct)).Succeeded)
            {
                return;
            }
        }
    }

}
