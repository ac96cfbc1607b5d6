using Microsoft.DurableTask;
using Smartspace.Core.Conversations;
using Smartspace.Durable.Entities;

namespace Smartspace.Durable.Placement;

/// <summary>
/// A customer message as the webhook stored it (the staged row's content): who sent it (<paramref name="WaId"/>, BSUID
/// <paramref name="UserId"/>, WhatsApp <paramref name="ProfileName"/>), its kind and text, Meta's media object, the wamid it replies to, Meta's item when it is not
/// plain text, the ad it came from, whether it was forwarded. The webhook's signal carries it, so the placement need not
/// read the staged row back; a signal without it (a redelivery's repair signal) makes the placement read the row.
/// </summary>
public sealed record InboundContent(
    string? WaId,
    string? UserId,
    string Kind,
    string DisplayText,
    string? Body,
    string? Media,
    string? ContextWamid,
    string? Raw,
    string? Referral,
    bool Forwarded,
    string? ProfileName);

/// <summary>
/// Input of <see cref="PlaceInboundOrchestration"/> and <see cref="PlaceInboundMessageActivity"/>: a customer message the
/// webhook stored (staged: deduped by <paramref name="Wamid"/>, keyed by customer and wamid, in no conversation yet) and
/// the conversation the customer's entity put it in, with the stage before (null: the entity created that waiting
/// conversation for it) and after (R8: awaiting reply → open), how they relate, and the entity's version then. When the
/// entity hands the message to <see cref="PlaceInboundOrchestration"/>, <paramref name="Before"/> is its state before the
/// message, to go back to if the message turns out erased (<see cref="PlacementOutcome.Gone"/>).
/// </summary>
public sealed record PlaceInboundInput(
    string TenantId,
    string ChannelId,
    string CustomerKey,
    string Wamid,
    string ConversationId,
    ConversationStage? StageBefore,
    ConversationStage StageAfter,
    InboundPlacementKind Kind,
    long EntityVersion,
    DateTimeOffset At,
    DateTimeOffset? PreviousInboundAt = null,
    InboundContent? Content = null,
    CustomerConversationState? Before = null);

/// <summary>
/// The port the placement activity calls: move the staged message (customer + wamid) into its conversation — the
/// conversation's message rows, the conversation row when the entity created it or R8 opened it, the agent's event.
/// <b>Idempotent by wamid</b>, whatever the later call's conversation: a second call for a wamid already placed changes
/// nothing and answers false. Activities run at least once (a host that dies after the effect and before the outcome is
/// recorded runs it again; the orchestration retries failures), and a second start of the same placement instance id from
/// an entity (a repeat the entity no longer remembers, or an entity batch the provider re-runs after its messages were
/// sent) is not dropped by DTFx's Azure Storage provider: it runs as a new execution. The product implements this port
/// with Tables (the staged row moves into the conversation in one batch, conditional on the staged row); the tests record calls.
/// </summary>
public interface IInboundPlacement
{
    /// <summary>Whether this call placed the message, found it placed already, or found it gone (erased before it was placed).</summary>
    Task<PlacementOutcome> PlaceAsync(PlaceInboundInput placement, CancellationToken ct);
}

/// <summary>What a call of <see cref="IInboundPlacement.PlaceAsync"/> found.</summary>
public enum PlacementOutcome
{
    /// <summary>This call placed the message.</summary>
    Placed,

    /// <summary>The message was placed before (a repeat, or a batch the runtime runs again): nothing changed.</summary>
    AlreadyPlaced,

    /// <summary>
    /// Neither staged nor placed: an LGPD erasure removed the message before it was placed. Nothing changed, and the
    /// customer's entity keeps the state it had before this message (it must not begin a conversation for it).
    /// </summary>
    Gone,
}

/// <summary>Runs <see cref="IInboundPlacement"/> for one staged message (a thin activity: the decision was the entity's).</summary>
public sealed class PlaceInboundMessageActivity(IInboundPlacement placement) : TaskActivity<PlaceInboundInput, PlacementOutcome>
{
    public const string Name = "PlaceInboundMessage";

    public override Task<PlacementOutcome> RunAsync(TaskActivityContext context, PlaceInboundInput input) => PlaceAsync(input, CancellationToken.None);

    /// <summary>The activity's work, for hosts that invoke it without an SDK context (the Function App's activity trigger).</summary>
    public Task<PlacementOutcome> PlaceAsync(PlaceInboundInput input, CancellationToken ct) => placement.PlaceAsync(input, ct);
}

/// <summary>
/// Scheduled by the customer's entity after it decided where a message goes (<see cref="CustomerConversation.InboundStaged"/>),
/// under the instance id <see cref="EntityKeys.Placement"/> (tenant, channel, wamid): one instance per message, easy to find.
/// The id alone does not make it run once (a second start of the same id from an entity runs again): the entity schedules a
/// wamid once and the port is idempotent. Calls the placement activity with retries (a store briefly down); the webhook
/// never waits on it. A message erased meanwhile (LGPD) is gone: the customer's entity is told, and goes back to its state
/// from before the message when nothing has built on it since (<see cref="CustomerConversation.InboundGone"/>).
/// </summary>
public sealed class PlaceInboundOrchestration : TaskOrchestrator<PlaceInboundInput, bool>
{
    public const string Name = "PlaceInbound";

    private static readonly TaskOptions Retries = TaskOptions.FromRetryPolicy(new RetryPolicy(maxNumberOfAttempts: 6, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2));

    public override async Task<bool> RunAsync(TaskOrchestrationContext context, PlaceInboundInput input)
    {
        var outcome = await context.CallActivityAsync<PlacementOutcome>(PlaceInboundMessageActivity.Name, input, Retries);
        if (outcome == PlacementOutcome.Gone && input.Before is { } before)
        {
            await context.Entities.SignalEntityAsync(EntityKeys.Customer(input.TenantId, input.ChannelId, input.CustomerKey), nameof(CustomerConversation.InboundGone),
                new InboundGone(input.Wamid, input.EntityVersion, before));
        }

        return outcome == PlacementOutcome.Placed;
    }
}
