namespace Smartspace.Core.Conversations;

/// <summary>
/// One agent's capacity (R12): the maximum, the conversations held (open and awaiting a reply both count), and
/// availability for queue assignment. The state of the <c>AgentCapacity</c> entity.
/// </summary>
public sealed record AgentCapacityState(
    int MaxConcurrent,
    IReadOnlyList<string> Held,
    bool Available,
    long Version,
    IReadOnlyList<string>? Connections = null,
    DateTimeOffset? LastAssignedAt = null,
    IReadOnlyList<string>? Closed = null)
{
    /// <summary>How many closed connection ids the state remembers, so a <c>connected</c> arriving after its own <c>disconnected</c> is ignored.</summary>
    public const int ClosedKept = 16;

    public static readonly AgentCapacityState Empty = new(0, [], false, 0);

    public bool HasRoom => Held.Count < MaxConcurrent;

    public AgentState ToAgentState(string agentId, AgentRole role = AgentRole.Agent) => new(agentId, role, MaxConcurrent, Held, Available, LastAssignedAt);
}

/// <summary>
/// A change of an agent's settings or presence: the maximum (R12, from the directory), an explicit availability, or a
/// real-time connection opened or closed (the agent is available while any is open). Null fields change nothing.
/// </summary>
public sealed record AgentUpdate(int? MaxConcurrent = null, bool? Available = null, string? ConnectionId = null, bool? Connected = null);

/// <summary>
/// One customer on one channel: the conversation in progress with its stage and agent (R13, R14), the last inbound
/// time (P4), the last conversation (R6) and the display name (R11). The state of the <c>CustomerConversation</c> entity.
/// </summary>
public sealed record CustomerConversationState(
    string? ConversationId,
    ConversationStage? Stage,
    string? AgentId,
    DateTimeOffset? LastInboundAt,
    string? LastConversationId,
    string? DisplayName,
    long Version,
    IReadOnlyList<InboundPlaced>? Recent = null)
{
    public static readonly CustomerConversationState Empty = new(null, null, null, null, null, null, 0);

    /// <summary>The conversation in progress (not closed), as the rules see it.</summary>
    public ConversationState? Current(string channelId, string customerKey) =>
        ConversationId is { } id && Stage is { } stage && stage.IsActive()
            ? new ConversationState(id, channelId, customerKey, AgentId, stage, Version)
            : null;

    public bool InProgress => Stage is { } stage && stage.IsActive();
}

/// <summary>
/// Where the entity put a recent customer message (by <paramref name="Wamid"/>): the conversation, the stage before and after
/// it, the entity's version then, and how many repeated signals for it arrived since. Kept for the last
/// <see cref="AssignmentRules.RecentInboundKept"/> messages so a repeated signal (the webhook re-signalling on Meta's retry
/// of a message it had stored) changes nothing but <paramref name="Repeats"/>.
/// </summary>
public sealed record InboundPlaced(string Wamid, string ConversationId, ConversationStage? StageBefore, ConversationStage StageAfter, long Version, int Repeats = 0);

/// <summary>How a customer message relates to the conversation it joins.</summary>
public enum InboundPlacementKind
{
    /// <summary>The conversation in progress, stage unchanged.</summary>
    Attached,
    /// <summary>R8: the reply to a template opened the agent's conversation awaiting it.</summary>
    OpenedByReply,
    /// <summary>No conversation in progress: a waiting one (bot or queue) started with this message.</summary>
    CreatedWaiting,
}

/// <summary>
/// What a customer message leads to: the entity's state after it, and where the message goes (<paramref name="Placed"/>);
/// <paramref name="Repeated"/> when this wamid was already taken in (only its repeat count changed: nothing to place again).
/// </summary>
public sealed record InboundOutcome(CustomerConversationState State, InboundPlaced Placed, InboundPlacementKind Kind, bool Repeated);

/// <summary>What an agent-capacity operation leads to.</summary>
public sealed record CapacityOutcome(AgentCapacityState State, RefusalCode? Refusal);

/// <summary>What a customer-conversation operation leads to; <paramref name="Ended"/> is the conversation it ended (R14), if any.</summary>
public sealed record CustomerOutcome(CustomerConversationState State, RefusalCode? Refusal, string? Ended);

/// <summary>
/// The decisions the two entities take, as pure functions of their state (no I/O, no clock: callers pass <c>now</c>).
/// An orchestration holding both entities' locks asks <see cref="ConversationRules.DecideStart"/> what a start leads to,
/// then each entity applies its half here and checks it again, so a wrong caller can never push an agent past the
/// maximum (R12) or give a customer two conversations in progress (R13).
/// </summary>
public static class AssignmentRules
{
    /// <summary>R12: the agent takes the conversation when below the maximum; taking one already held changes nothing.</summary>
    public static CapacityOutcome Hold(AgentCapacityState agent, string conversationId)
    {
        if (agent.Held.Contains(conversationId))
        {
            return new(agent, null);
        }

        return agent.HasRoom
            ? new(agent with { Held = [.. agent.Held, conversationId], Version = agent.Version + 1 }, null)
            : new(agent, RefusalCode.AgentAtCapacity);
    }

    /// <summary>R16: finishing frees one unit; releasing one not held changes nothing (finishing twice is not an error).</summary>
    public static AgentCapacityState Release(AgentCapacityState agent, string conversationId) =>
        agent.Held.Contains(conversationId)
            ? agent with { Held = agent.Held.Where(id => id != conversationId).ToList(), Version = agent.Version + 1 }
            : agent;

    /// <summary>
    /// Settings and presence (<see cref="AgentUpdate"/>): the maximum (lowering it never drops a held conversation), an
    /// explicit availability (it wins over connections), or a connection
    /// change sets availability to "any connection open" (closing one of two tabs, or an old connection's late close after a
    /// reconnect, leaves the agent available; a connection's late <c>connected</c> after its <c>disconnected</c>, remembered among
    /// the last <see cref="AgentCapacityState.ClosedKept"/> closed, changes nothing). The version moves only when something changed.
    /// </summary>
    public static AgentCapacityState Update(AgentCapacityState agent, AgentUpdate update)
    {
        var connections = agent.Connections ?? [];
        var closed = agent.Closed ?? [];
        var available = agent.Available;
        if (update.ConnectionId is { Length: > 0 } connection && update.Connected is { } connected)
        {
            // Events of one connection may arrive out of order (separate deliveries): a connected after its own
            // disconnected is late, not a new connection, and must not leave a ghost that keeps the agent available.
            if (!(connected && closed.Contains(connection)))
            {
                connections = connections.Where(c => c != connection).ToList();
                if (connected)
                {
                    connections = [.. connections, connection];
                }
                else if (!closed.Contains(connection))
                {
                    closed = [.. closed.Skip(Math.Max(0, closed.Count - AgentCapacityState.ClosedKept + 1)), connection];
                }

                available = connections.Count > 0;
            }
        }

        available = update.Available ?? available;
        var max = update.MaxConcurrent ?? agent.MaxConcurrent;
        if (max < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(update), max, "The maximum of simultaneous conversations cannot be negative.");
        }

        var sameConnections = connections.Count == (agent.Connections?.Count ?? 0) && connections.All(c => agent.Connections!.Contains(c));
        var sameClosed = closed.SequenceEqual(agent.Closed ?? []);
        return max == agent.MaxConcurrent && available == agent.Available && sameConnections && sameClosed
            ? agent
            : agent with { MaxConcurrent = max, Available = available, Connections = connections, Closed = closed, Version = agent.Version + 1 };
    }

    /// <summary>R12 with the time of the assignment (queue routing gives the next customer to the agent idle longest).</summary>
    public static CapacityOutcome HoldAt(AgentCapacityState agent, string conversationId, DateTimeOffset at)
    {
        var outcome = Hold(agent, conversationId);
        return outcome.Refusal is null && outcome.State != agent ? outcome with { State = outcome.State with { LastAssignedAt = at } } : outcome;
    }

    /// <summary>
    /// LGPD erasure: the customer's entity forgets everything (window, last conversation, name, recent messages) — refused
    /// while an agent holds a conversation with them.
    /// </summary>
    public static CustomerOutcome Forget(CustomerConversationState customer) =>
        customer.Stage is { } stage && stage.IsHeldByAgent()
            ? new(customer, RefusalCode.ErasureWhileInService, null)
            : new(CustomerConversationState.Empty with { Version = customer.Version + 1 }, null, customer.InProgress ? customer.ConversationId : null);

    /// <summary>
    /// R6/R7/R13/R14: the agent's conversation becomes the customer's conversation in progress. Refused when another
    /// agent holds one (R13); a bot or queue conversation ends in the same change (R14); the same agent's existing
    /// conversation is kept (idempotent on replays).
    /// </summary>
    public static CustomerOutcome Begin(CustomerConversationState customer, string conversationId, string agentId, ConversationStage stage)
    {
        if (!stage.IsHeldByAgent())
        {
            throw new ArgumentOutOfRangeException(nameof(stage), stage, "An agent's conversation is open or awaiting the reply.");
        }

        if (customer.ConversationId == conversationId)
        {
            return new(customer, null, null);
        }

        if (customer.Stage is { } current && current.IsHeldByAgent())
        {
            return new(customer, RefusalCode.CustomerInService, null);
        }

        var ended = customer.InProgress ? customer.ConversationId : null;
        var last = customer.ConversationId ?? customer.LastConversationId;
        return new(customer with
        {
            ConversationId = conversationId,
            Stage = stage,
            AgentId = agentId,
            LastConversationId = last,
            Version = customer.Version + 1,
        }, null, ended);
    }

    /// <summary>R16: the conversation ends; ending one that is not the customer's current conversation changes nothing.</summary>
    public static CustomerConversationState Finish(CustomerConversationState customer, string conversationId) =>
        customer.ConversationId == conversationId && customer.InProgress
            ? customer with { Stage = ConversationStage.Closed, LastConversationId = conversationId, Version = customer.Version + 1 }
            : customer;

    /// <summary>
    /// A customer message (P4, R8, routing): the window reopens; a reply to a template opens the conversation; with no
    /// conversation in progress a waiting one (bot or queue) starts under <paramref name="newConversationId"/>.
    /// </summary>
    public static CustomerConversationState Inbound(CustomerConversationState customer, DateTimeOffset at, string? profileName, string newConversationId, bool botEnabled, string channelId, string customerKey)
    {
        var lastInbound = customer.LastInboundAt is { } previous && previous > at ? previous : at;
        var name = string.IsNullOrWhiteSpace(profileName) ? customer.DisplayName : profileName;
        switch (ConversationRules.DecideInbound(customer.Current(channelId, customerKey), botEnabled))
        {
            case InboundDecision.Attach attach:
                return customer with { Stage = attach.NewStage, LastInboundAt = lastInbound, DisplayName = name, Version = customer.Version + (attach.NewStage == customer.Stage ? 0 : 1) };
            case InboundDecision.CreateWaiting waiting:
                return customer with
                {
                    ConversationId = newConversationId,
                    Stage = waiting.Stage,
                    AgentId = null,
                    LastConversationId = customer.ConversationId ?? customer.LastConversationId,
                    LastInboundAt = lastInbound,
                    DisplayName = name,
                    Version = customer.Version + 1,
                };
            default:
                throw new InvalidOperationException("Unknown inbound decision.");
        }
    }

    /// <summary>How many recent messages a customer's entity remembers (by wamid) to recognise a repeated signal.</summary>
    public const int RecentInboundKept = 32;

    /// <summary>
    /// A stored customer message (by <paramref name="wamid"/>) arrives at the entity: <see cref="Inbound"/> decides the
    /// state, and the outcome says which conversation the message belongs to — the one in progress, the agent's
    /// conversation R8 just opened, or a new waiting one. A wamid among the recent ones changes nothing and is placed where
    /// it was placed the first time, and only its repeat count changes (a conversation finished in between does not give the
    /// repeat a new one). Beyond the last <see cref="RecentInboundKept"/> messages a repeat is taken as new: the placement
    /// must still be idempotent by wamid.
    /// </summary>
    public static InboundOutcome InboundOnce(CustomerConversationState customer, string wamid, DateTimeOffset at, string? profileName, string newConversationId, bool botEnabled, string channelId, string customerKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(wamid);
        var recent = customer.Recent ?? [];
        if (recent.FirstOrDefault(r => r.Wamid == wamid) is { } earlier)
        {
            var counted = earlier with { Repeats = earlier.Repeats + 1 };
            return new(customer with { Recent = recent.Select(r => r == earlier ? counted : r).ToList() }, counted, KindOf(earlier.StageBefore, earlier.StageAfter), Repeated: true);
        }

        var before = customer.Current(channelId, customerKey);
        var after = Inbound(customer, at, profileName, newConversationId, botEnabled, channelId, customerKey);
        var created = before is null || before.Id != after.ConversationId;
        var placed = new InboundPlaced(wamid, after.ConversationId!, created ? null : before!.Stage, after.Stage!.Value, after.Version);
        var kept = recent.Count >= RecentInboundKept ? recent.Skip(recent.Count - RecentInboundKept + 1) : recent;
        return new(after with { Recent = [.. kept, placed] }, placed, KindOf(placed.StageBefore, placed.StageAfter), Repeated: false);
    }

    /// <summary>
    /// LGPD: the message <paramref name="wamid"/> was erased before its placement ran (the placement found it gone), after the
    /// entity had taken it into <paramref name="customer"/>. When nothing has changed the customer since that message — the
    /// version it gave is still current and it is still the latest message remembered — the customer goes back to
    /// <paramref name="before"/>, the state before it: the message begins no conversation and leaves no name or window.
    /// Otherwise later messages or operations built on it (a later message placed in the conversation it began makes that
    /// conversation real), and the state stays.
    /// </summary>
    public static CustomerConversationState InboundGone(CustomerConversationState customer, string wamid, long version, CustomerConversationState before) =>
        customer.Version == version && customer.Recent is [.., { } latest] && latest.Wamid == wamid ? before : customer;

    private static InboundPlacementKind KindOf(ConversationStage? before, ConversationStage after) =>
        before is null ? InboundPlacementKind.CreatedWaiting
        : before == ConversationStage.AwaitingReply && after == ConversationStage.Open ? InboundPlacementKind.OpenedByReply
        : InboundPlacementKind.Attached;

    /// <summary>Bot hand-off: the bot passes the customer to the queue; anything else changes nothing.</summary>
    public static CustomerConversationState HandOff(CustomerConversationState customer, string conversationId) =>
        customer.ConversationId == conversationId && customer.Stage == ConversationStage.Bot
            ? customer with { Stage = ConversationStage.Queued, Version = customer.Version + 1 }
            : customer;

    /// <summary>A queued customer goes to an agent: refused unless this conversation is still waiting in the queue.</summary>
    public static CustomerOutcome Assign(CustomerConversationState customer, string conversationId, string agentId)
    {
        if (customer.ConversationId != conversationId || customer.Stage != ConversationStage.Queued)
        {
            return customer.ConversationId == conversationId && customer.AgentId == agentId && customer.Stage == ConversationStage.Open
                ? new(customer, null, null)
                : new(customer, RefusalCode.ConversationClosed, null);
        }

        return new(customer with { Stage = ConversationStage.Open, AgentId = agentId, Version = customer.Version + 1 }, null, null);
    }
}
