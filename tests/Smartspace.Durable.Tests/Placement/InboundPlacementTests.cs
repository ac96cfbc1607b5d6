using DurableTask.Core;
using Smartspace.Core.Conversations;
using Smartspace.Durable.Entities;
using Smartspace.Durable.Orchestrations;
using Smartspace.Durable.Placement;

namespace Smartspace.Durable.Tests.Placement;

/// <summary>
/// The webhook's hot path on the entities (issue 14): a stored (staged) message is signalled to the customer's entity,
/// which decides its conversation and places it there itself through <see cref="IInboundPlacement"/> — one queue hop, no
/// orchestration — falling back to <see cref="PlaceInboundOrchestration"/> (retries) when the placement fails. Every
/// message is placed exactly once, into the conversation the entity had when it processed that message; a repeated
/// signal only tries the idempotent placement again.
/// </summary>
public sealed class InboundPlacementTests(DurableHub hub) : IClassFixture<DurableHub>
{
    private const string Tenant = "demo";
    private const string Channel = "100200300400500";
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private static string NewId(string hint) => hint + Guid.NewGuid().ToString("N")[..10];

    // Meta's wamids are base64 and may hold '/', '+' and '=': the instance id must escape what Azure Storage keys refuse.
    private static string NewWamid() => "wamid.HBgM/" + Guid.NewGuid().ToString("N") + "+Rk==";

    private Task SignalAsync(string customerKey, string wamid, DateTimeOffset? at = null, bool bot = false) =>
        hub.Client.SignalEntityAsync(EntityKeys.Customer(Tenant, Channel, customerKey), nameof(CustomerConversation.InboundStaged),
            new StagedInbound(wamid, at ?? Now, "Maria", NewId("wait"), bot));

    private Task<IReadOnlyDictionary<string, PlaceInboundInput>> PlacedAsync(IEnumerable<string> wamids)
    {
        var all = wamids.ToList();
        return DurableHub.EventuallyAsync(() => Task.FromResult(hub.Placements.Placed), p => all.All(p.ContainsKey));
    }

    private Task<InstanceStatusOrNone> CompletedAsync(string wamid) =>
        DurableHub.EventuallyAsync(async () => new InstanceStatusOrNone(await hub.Client.GetInstanceAsync(EntityKeys.Placement(Tenant, Channel, wamid))),
            s => s.Status?.Status == OrchestrationStatus.Completed);

    /// <summary>
    /// The customer's entity state once it has taken in every one of <paramref name="wamids"/>: the entity places a message
    /// inside the operation, so a placement is seen before the operation's state is saved.
    /// </summary>
    private Task<CustomerConversationState?> StateAfterAsync(string customerKey, IEnumerable<string> wamids)
    {
        var all = wamids.ToList();
        return DurableHub.EventuallyAsync(() => hub.Client.GetEntityStateAsync<CustomerConversationState>(EntityKeys.Customer(Tenant, Channel, customerKey), default),
            s => s?.Recent is { } recent && all.All(w => recent.Any(r => r.Wamid == w)));
    }

    /// <summary>Placed by the entity itself: no placement orchestration was ever scheduled for it.</summary>
    private async Task AssertPlacedInlineAsync(string wamid) =>
        Assert.Null(await hub.Client.GetInstanceAsync(EntityKeys.Placement(Tenant, Channel, wamid)));

    private sealed record InstanceStatusOrNone(Runtime.InstanceStatus? Status);

    [Fact]
    public async Task NewCustomer_TheMessageGoesIntoTheWaitingConversationTheEntityCreated_PlacedOnce_ByTheEntityItself()
    {
        var customerKey = NewId("5511");
        var wamid = NewWamid();

        await SignalAsync(customerKey, wamid, bot: true);
        var placed = (await PlacedAsync([wamid]))[wamid];

        var state = await StateAfterAsync(customerKey, [wamid]);
        Assert.Equal(state!.ConversationId, placed.ConversationId);
        Assert.Equal(InboundPlacementKind.CreatedWaiting, placed.Kind);
        Assert.Null(placed.StageBefore);
        Assert.Equal(ConversationStage.Bot, placed.StageAfter);
        Assert.Equal(state.Version, placed.EntityVersion);
        Assert.Null(placed.PreviousInboundAt); // P4: the customer's first message opens a window
        Assert.Equal((Tenant, Channel, customerKey, Now), (placed.TenantId, placed.ChannelId, placed.CustomerKey, placed.At));
        Assert.Equal(1, hub.Placements.CallsFor(wamid));
        await AssertPlacedInlineAsync(wamid);
    }

    /// <summary>
    /// LGPD: a message erased before its placement ran (the placement answers <see cref="PlacementOutcome.Gone"/>) begins
    /// nothing: the entity keeps the state it had before it — here none, so the next message is a first message again.
    /// </summary>
    [Fact]
    public async Task AMessageErasedBeforeItWasPlaced_BeginsNothing_TheEntityKeepsItsStateFromBefore()
    {
        var customerKey = NewId("5511");
        var erased = NewWamid();
        var next = NewWamid();
        hub.Placements.Erased[erased] = true;

        await SignalAsync(customerKey, erased);
        await DurableHub.EventuallyAsync(() => Task.FromResult(hub.Placements.CallsFor(erased)), n => n == 1);
        await AssertTheNextMessageIsAFirstMessageAsync(customerKey, erased, next);
    }

    [Fact]
    public async Task AMessageErasedWhileItsPlacementWaitedForRetries_BeginsNothing_TheEntityGoesBackToItsStateFromBefore()
    {
        var customerKey = NewId("5511");
        var erased = NewWamid();
        var next = NewWamid();
        hub.Placements.FailNext(erased, 1); // the inline placement fails: the placement orchestration takes the message ...
        hub.Placements.Erased[erased] = true; // ... and finds it erased (LGPD) when its activity runs

        await SignalAsync(customerKey, erased);
        await DurableHub.EventuallyAsync(() => Task.FromResult(hub.Placements.CallsFor(erased)), n => n == 2, TimeSpan.FromSeconds(60));
        await DurableHub.EventuallyAsync(() => hub.Client.GetEntityStateAsync<CustomerConversationState>(EntityKeys.Customer(Tenant, Channel, customerKey), default),
            s => s is not null && s.ConversationId is null, TimeSpan.FromSeconds(60));
        await AssertTheNextMessageIsAFirstMessageAsync(customerKey, erased, next);
    }

    /// <summary>After an erased message, the customer's next message is placed as a first message: nothing of the erased one remains.</summary>
    private async Task AssertTheNextMessageIsAFirstMessageAsync(string customerKey, string erased, string next)
    {
        await SignalAsync(customerKey, next, Now.AddMinutes(1));
        var placed = (await PlacedAsync([next]))[next];

        Assert.False(hub.Placements.Placed.ContainsKey(erased));
        Assert.Equal(InboundPlacementKind.CreatedWaiting, placed.Kind);
        Assert.Null(placed.PreviousInboundAt); // P4: the erased message opened no window
        var state = await StateAfterAsync(customerKey, [next]);
        Assert.DoesNotContain(state!.Recent!, r => r.Wamid == erased);
        Assert.Equal(placed.ConversationId, state.ConversationId);
    }

    private Task<CustomerConversationState?> RepeatsSeenAsync(string customerKey, string wamid, int repeats) =>
        DurableHub.EventuallyAsync(() => hub.Client.GetEntityStateAsync<CustomerConversationState>(EntityKeys.Customer(Tenant, Channel, customerKey), default),
            s => s?.Recent?.FirstOrDefault(r => r.Wamid == wamid)?.Repeats == repeats, TimeSpan.FromSeconds(60));

    [Fact]
    public async Task SameWamidSignalledTwiceAtOnce_TheEntityTakesItInOnce_PlacedOnce()
    {
        var customerKey = NewId("5511");
        var wamid = NewWamid();

        await Task.WhenAll(SignalAsync(customerKey, wamid), SignalAsync(customerKey, wamid));
        await PlacedAsync([wamid]);
        var state = await RepeatsSeenAsync(customerKey, wamid, 1); // the repeat reached the entity and was recognised
        var calls = await DurableHub.EventuallyAsync(() => Task.FromResult(hub.Placements.CallsFor(wamid)), c => c >= 2);

        Assert.Equal(1, state!.Recent!.Single(r => r.Wamid == wamid).Repeats);
        Assert.Equal(2, calls); // the repeat tried the placement again (the repair path) ...
        Assert.Equal(1, hub.Placements.EffectsFor(wamid)); // ... and the idempotent port placed nothing twice
        Assert.Single(state.Recent!, r => r.Wamid == wamid);
        await AssertPlacedInlineAsync(wamid);
    }

    [Fact]
    public async Task SameWamidSignalledAgainAfterItWasPlaced_EvenAfterTheConversationEnded_IsNotPlacedAgain_NorOpensAConversation()
    {
        var agentId = NewId("agent");
        await hub.Client.SignalEntityAsync(EntityKeys.Agent(Tenant, agentId), nameof(AgentCapacity.Update), new AgentUpdate(MaxConcurrent: 2, Available: true));
        var customerKey = NewId("5511");
        var wamid = NewWamid();
        await SignalAsync(customerKey, wamid);
        var placed = (await PlacedAsync([wamid]))[wamid];
        // The queued conversation goes to an agent and is finished: a repeat must not start a new waiting one.
        await hub.Client.RunAsync<AssignmentOutcome>(AssignQueuedCustomerOrchestration.Name, new AssignQueuedCustomerInput(Tenant, agentId, Channel, customerKey, placed.ConversationId), default);
        var finished = await hub.Client.RunAsync<FinishConversationOutcome>(FinishConversationOrchestration.Name, new FinishConversationInput(Tenant, agentId, Channel, customerKey, placed.ConversationId), default);
        Assert.True(finished.Finished);

        await SignalAsync(customerKey, wamid, at: Now.AddMinutes(3)); // Meta's retry, re-signalled by the webhook
        var state = await RepeatsSeenAsync(customerKey, wamid, 1);

        Assert.Equal(1, hub.Placements.EffectsFor(wamid));
        Assert.All(hub.Placements.Calls.Where(c => c.Input.Wamid == wamid), c => Assert.Equal(placed.ConversationId, c.Input.ConversationId));
        Assert.Equal(ConversationStage.Closed, state!.Stage);
        Assert.Equal(placed.ConversationId, state.ConversationId);
        Assert.Equal(finished.Customer.Version, state.Version);
        Assert.Equal(Now, state.LastInboundAt);
    }

    [Fact]
    public async Task ARepeatTheEntityNoLongerRemembers_IsTakenAsNew_TheIdempotentPortKeepsTheEffectOnce()
    {
        // Past the entity's memory of recent wamids a repeat is taken as a new message: the port's idempotence by wamid is
        // what keeps the effect single.
        var customerKey = NewId("5511");
        var wamid = NewWamid();
        await SignalAsync(customerKey, wamid);
        var first = (await PlacedAsync([wamid]))[wamid];
        var others = Enumerable.Range(0, AssignmentRules.RecentInboundKept).Select(_ => NewWamid()).ToList();
        await Task.WhenAll(others.Select(w => SignalAsync(customerKey, w)));
        await PlacedAsync(others);

        await SignalAsync(customerKey, wamid, at: Now.AddMinutes(1));
        var calls = await DurableHub.EventuallyAsync(() => Task.FromResult(hub.Placements.CallsFor(wamid)), c => c >= 2, TimeSpan.FromSeconds(60));

        Assert.Equal(2, calls);
        Assert.Same(first, hub.Placements.Placed[wamid]);
        Assert.Equal(1, hub.Placements.EffectsFor(wamid));
        await AssertPlacedInlineAsync(wamid);
    }

    [Fact]
    public async Task APlacementThatFails_IsPlacedByThePlacementOrchestrationWithRetries_Once()
    {
        // The store is down when the entity places the message: the entity keeps its decision and schedules the placement
        // orchestration (committed with its state), whose activity retries until the store answers.
        var customerKey = NewId("5511");
        var wamid = NewWamid();
        hub.Placements.FailNext(wamid, 2); // the entity's own try, then the activity's first attempt

        await SignalAsync(customerKey, wamid);
        var placed = (await PlacedAsync([wamid]))[wamid];
        var done = await CompletedAsync(wamid);

        var state = await StateAfterAsync(customerKey, [wamid]);
        Assert.Equal(state!.ConversationId, placed.ConversationId);
        Assert.Equal("true", done.Status?.Output);
        Assert.Equal(3, hub.Placements.CallsFor(wamid));
        Assert.Equal(1, hub.Placements.EffectsFor(wamid));
    }

    [Fact]
    public async Task TwentyMessagesFromOneCustomerAtOnce_AllPlacedExactlyOnce_AllIntoTheSameConversation()
    {
        var customerKey = NewId("5511");
        var wamids = Enumerable.Range(0, 20).Select(_ => NewWamid()).ToList();

        await Task.WhenAll(wamids.Select(w => SignalAsync(customerKey, w)));
        var placed = await PlacedAsync(wamids);

        var state = await StateAfterAsync(customerKey, wamids);
        var mine = wamids.Select(w => placed[w]).ToList();
        Assert.All(wamids, w => Assert.Equal((1, 1), (hub.Placements.CallsFor(w), hub.Placements.EffectsFor(w))));
        Assert.All(mine, p => Assert.Equal(state!.ConversationId, p.ConversationId));
        Assert.Single(mine, p => p.Kind == InboundPlacementKind.CreatedWaiting);
        Assert.All(mine.Where(p => p.Kind != InboundPlacementKind.CreatedWaiting), p => Assert.Equal(InboundPlacementKind.Attached, p.Kind));
        Assert.Equal(ConversationStage.Queued, state!.Stage);
    }

    [Fact]
    public async Task R8_TheReplyToATemplate_IsPlacedIntoTheAgentsConversation_WhichItOpens()
    {
        var agentId = NewId("agent");
        await hub.Client.SignalEntityAsync(EntityKeys.Agent(Tenant, agentId), nameof(AgentCapacity.Update), new AgentUpdate(MaxConcurrent: 2, Available: true));
        var customerKey = NewId("5511");
        var started = await hub.Client.RunAsync<StartConversationOutcome>(StartConversationOrchestration.Name,
            new StartConversationInput(Tenant, agentId, Channel, customerKey, NewId("conv"), TemplateProvided: true, Now), default);
        Assert.Equal(ConversationStage.AwaitingReply, started.Stage);
        var wamid = NewWamid();

        await SignalAsync(customerKey, wamid, at: Now.AddMinutes(1));
        var placed = (await PlacedAsync([wamid]))[wamid];

        Assert.Equal(started.ConversationId, placed.ConversationId);
        Assert.Equal(InboundPlacementKind.OpenedByReply, placed.Kind);
        Assert.Equal(ConversationStage.AwaitingReply, placed.StageBefore);
        Assert.Equal(ConversationStage.Open, placed.StageAfter);
        var state = await StateAfterAsync(customerKey, [wamid]);
        Assert.Equal(ConversationStage.Open, state!.Stage);
        Assert.Equal(agentId, state.AgentId);
    }

    [Fact]
    public async Task R14_AStartRacingInboundMessages_EveryMessageLandsOnce_InTheConversationTheEntityHadWhenItProcessedIt()
    {
        var agentId = NewId("agent");
        await hub.Client.SignalEntityAsync(EntityKeys.Agent(Tenant, agentId), nameof(AgentCapacity.Update), new AgentUpdate(MaxConcurrent: 3, Available: true));
        var customerKey = NewId("5511");
        var opening = NewWamid();
        await SignalAsync(customerKey, opening);
        var waiting = (await PlacedAsync([opening]))[opening].ConversationId; // queued, waiting for an agent

        var racing = Enumerable.Range(0, 16).Select(_ => NewWamid()).ToList();
        var signals = Task.Run(async () =>
        {
            foreach (var wamid in racing)
            {
                await SignalAsync(customerKey, wamid, at: Now.AddSeconds(1));
                await Task.Delay(15);
            }
        });
        var started = await hub.Client.RunAsync<StartConversationOutcome>(StartConversationOrchestration.Name,
            new StartConversationInput(Tenant, agentId, Channel, customerKey, NewId("conv"), false, Now.AddSeconds(2)), default);
        await signals;
        var after = Enumerable.Range(0, 3).Select(_ => NewWamid()).ToList();
        await Task.WhenAll(after.Select(w => SignalAsync(customerKey, w, at: Now.AddSeconds(3))));
        var all = racing.Concat(after).Append(opening).ToList();
        var placed = await PlacedAsync(all);

        Assert.Equal(StartKind.Created, started.Kind);
        Assert.Equal(waiting, started.Ended); // R14: the start ended the queued conversation
        var beganAt = started.Customer.Version; // the entity's version right after the start began its conversation
        Assert.All(all, w => Assert.Equal(1, hub.Placements.CallsFor(w)));
        Assert.All(all.Select(w => placed[w]), p =>
        {
            // Before the start: the queued conversation (versions before it); after: the agent's (versions from it on).
            Assert.Equal(p.EntityVersion < beganAt ? waiting : started.ConversationId, p.ConversationId);
            Assert.Equal(p.EntityVersion < beganAt ? ConversationStage.Queued : ConversationStage.Open, p.StageAfter);
        });
        Assert.All(after, w => Assert.Equal(started.ConversationId, placed[w].ConversationId));
        Assert.Equal(waiting, placed[opening].ConversationId);
        var state = await StateAfterAsync(customerKey, after);
        Assert.Equal(started.ConversationId, state!.ConversationId);
        Assert.Equal(beganAt, state.Version); // attaching to the open conversation never changed the entity's version
    }
}

/// <summary>The placement instance id, without a runtime.</summary>
public sealed class PlacementKeyTests
{
    [Fact]
    public void PlacementId_IsTheSameForTheSameMessage_DistinctForDistinctParts_AndFreeOfCharactersStorageKeysRefuse()
    {
        var id = EntityKeys.Placement("demo", "100", "wamid.HBg/a+b#c?d\\e==");

        Assert.Equal(id, EntityKeys.Placement("demo", "100", "wamid.HBg/a+b#c?d\\e=="));
        Assert.NotEqual(EntityKeys.Placement("a|b", "c", "d"), EntityKeys.Placement("a", "b|c", "d"));
        Assert.NotEqual(EntityKeys.Placement("demo", "100", "w1"), EntityKeys.Placement("demo", "101", "w1"));
        Assert.NotEqual(EntityKeys.Placement("demo", "100", "w1"), EntityKeys.Placement("demo2", "100", "w1"));
        Assert.Equal(-1, id.AsSpan().IndexOfAny("/\\#?@"));
        Assert.Equal("place|demo|100|wamid.HBg%2Fa+b%23c%3Fd%5Ce==", id);
    }
}
