using Smartspace.Core.Conversations;
using Smartspace.Durable.Client;
using Smartspace.Durable.Entities;
using Smartspace.Functions.Features.Routing;
using Smartspace.Functions.Ledger;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.MetaWebhook;

/// <summary>One customer message, already verified, parsed and routed to its channel.</summary>
public sealed record InboundInput(
    ChannelInfo Channel,
    string CustomerKey,
    string Wamid,
    string? WaId,
    string? UserId,
    string? ProfileName,
    DateTimeOffset Timestamp,
    string Kind,
    string DisplayText,
    string? Body,
    string? MediaJson,
    string? ContextWamid,
    string Raw,
    string? ReferralJson = null,
    bool Forwarded = false);

public enum InboundOutcome { Stored, Duplicate }

/// <summary>
/// The webhook's hot path for one customer message (DESIGN: it never waits on an orchestration): store it once (P3) —
/// ONE batch of the contact center's partition inserts the wamid row and the staged message, so concurrent deliveries of
/// the same webhook race on that insert and exactly one wins — then signal the customer's entity (durable once enqueued)
/// and return. The entity decides which conversation the message joins (R8, routing) and places it
/// (<see cref="TablesInboundPlacement"/>). A delivery of a wamid stored but not placed yet signals again: a host that
/// died between the batch and the signal answered no 200, so Meta's retry repairs it.
/// </summary>
public sealed class InboundMessageProcessor(LedgerStore ledger, ContactCenterDirectory directory, IConversationEntities entities, RoutingSignal routing)
{
    public async Task<InboundOutcome> ProcessAsync(InboundInput input, CancellationToken ct)
    {
        var tenantId = input.Channel.TenantId;
        var tenant = await directory.GetTenantAsync(tenantId, ct);
        var content = StagedMessages.Content(input);
        var result = await ledger.SubmitAsync(
        [
            EntityOperation.Insert(new Entity(tenantId, Keys.Wamid(input.Wamid), new Dictionary<string, object?>
            {
                ["Direction"] = "in",
                ["ChannelId"] = input.Channel.ChannelId,
                ["CustomerKey"] = input.CustomerKey,
            })),
            EntityOperation.Insert(StagedMessages.ToEntity(tenantId, input, content)),
        ], ct);
        var outcome = InboundOutcome.Stored;
        if (!result.Succeeded)
        {
            if (result.Failure != StoreFailure.AlreadyExists || result.FailedIndex != 0)
            {
                throw new StoreUnavailableException($"Storing the inbound message failed: {result.Failure}.");
            }

            // P3: this wamid is stored already (a retry or a concurrent delivery). Not placed yet: signal again. Placed: a
            // crash may have stopped what followed (routing the conversation it queued), so routing runs again — in the
            // background, never on the webhook's path.
            var dedupe = await ledger.GetAsync(tenantId, Keys.Wamid(input.Wamid), ct);
            if (dedupe?.GetString("ConversationId") is { } placedIn)
            {
                if ((await ledger.GetConversationAsync(tenantId, placedIn, ct))?.Stage == ConversationStage.Queued)
                {
                    routing.Request(tenantId);
                }

                return InboundOutcome.Duplicate;
            }

            if (dedupe?.GetString("Direction") != "in")
            {
                return InboundOutcome.Duplicate;
            }

            outcome = InboundOutcome.Duplicate;
        }

        // The signal carries the message (the placement need not read it back); a repeat carries none, and the placement
        // reads the staged row — the one copy that counts.
        await entities.SignalInboundAsync(tenantId, input.Channel.ChannelId, input.CustomerKey,
            new StagedInbound(input.Wamid, input.Timestamp, input.ProfileName, ConversationIds.New(input.Timestamp), tenant?.BotEnabled ?? false,
                outcome == InboundOutcome.Stored ? content : null), ct);
        return outcome;
    }
}

public static class ConversationIds
{
    /// <summary>Time-ordered, key-safe conversation ids (UUID v7, no dashes, no dots).</summary>
    public static string New(DateTimeOffset at) => Guid.CreateVersion7(at).ToString("N");
}
