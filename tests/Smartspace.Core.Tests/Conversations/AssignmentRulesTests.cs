using Smartspace.Core.Conversations;

namespace Smartspace.Core.Tests.Conversations;

/// <summary>The two entities' decisions (<see cref="AssignmentRules"/>), pure: no runtime, no mocks.</summary>
public sealed class AssignmentRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly AgentCapacityState TwoMax = AssignmentRules.Update(AgentCapacityState.Empty, new AgentUpdate(MaxConcurrent: 2, Available: true));

    [Fact]
    public void R12_Hold_BelowMaximum_Takes_AtMaximum_Refuses()
    {
        var one = AssignmentRules.Hold(TwoMax, "c1");
        var two = AssignmentRules.Hold(one.State, "c2");
        var three = AssignmentRules.Hold(two.State, "c3");

        Assert.Null(one.Refusal);
        Assert.Null(two.Refusal);
        Assert.Equal(RefusalCode.AgentAtCapacity, three.Refusal);
        Assert.Equal(["c1", "c2"], three.State.Held);
    }

    [Fact]
    public void R12_Hold_SameConversationTwice_CountsOnce()
    {
        var once = AssignmentRules.Hold(TwoMax, "c1").State;

        var twice = AssignmentRules.Hold(once, "c1");

        Assert.Null(twice.Refusal);
        Assert.Single(twice.State.Held);
        Assert.Equal(once.Version, twice.State.Version);
    }

    [Fact]
    public void R16_Release_FreesOneUnit_AndReleasingTwiceChangesNothing()
    {
        var held = AssignmentRules.Hold(AssignmentRules.Hold(TwoMax, "c1").State, "c2").State;

        var released = AssignmentRules.Release(held, "c1");
        var again = AssignmentRules.Release(released, "c1");

        Assert.Equal(["c2"], released.Held);
        Assert.Same(released, again);
        Assert.True(released.HasRoom);
    }

    [Fact]
    public void R12_Update_NegativeMaximum_IsAClearError()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => AssignmentRules.Update(TwoMax, new AgentUpdate(MaxConcurrent: -1)));

        Assert.Contains("cannot be negative", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void R13_Begin_CustomerHeldByAnotherAgent_IsRefused_AndChangesNothing()
    {
        var held = AssignmentRules.Begin(CustomerConversationState.Empty, "c1", "ana", ConversationStage.AwaitingReply).State;

        var other = AssignmentRules.Begin(held, "c2", "bruno", ConversationStage.Open);

        Assert.Equal(RefusalCode.CustomerInService, other.Refusal);
        Assert.Same(held, other.State);
    }

    [Fact]
    public void R14_Begin_CustomerWithBot_EndsTheBotConversation()
    {
        var withBot = AssignmentRules.Inbound(CustomerConversationState.Empty, Now, "Maria", "bot1", botEnabled: true, "ch", "k");

        var begun = AssignmentRules.Begin(withBot, "c1", "ana", ConversationStage.Open);

        Assert.Null(begun.Refusal);
        Assert.Equal("bot1", begun.Ended);
        Assert.Equal("bot1", begun.State.LastConversationId);
        Assert.Equal(ConversationStage.Open, begun.State.Stage);
        Assert.Equal(Now, begun.State.LastInboundAt);
    }

    [Fact]
    public void R8_Inbound_ReplyToTemplate_OpensTheConversation()
    {
        var awaiting = AssignmentRules.Begin(CustomerConversationState.Empty, "c1", "ana", ConversationStage.AwaitingReply).State;

        var replied = AssignmentRules.Inbound(awaiting, Now, "Maria", "unused", botEnabled: false, "ch", "k");

        Assert.Equal("c1", replied.ConversationId);
        Assert.Equal(ConversationStage.Open, replied.Stage);
        Assert.Equal("ana", replied.AgentId);
    }

    [Fact]
    public void R16_Finish_ClosesTheCurrentConversation_ThenANewMessageQueuesAFreshOne()
    {
        var open = AssignmentRules.Begin(CustomerConversationState.Empty, "c1", "ana", ConversationStage.Open).State;

        var finished = AssignmentRules.Finish(open, "c1");
        var wrote = AssignmentRules.Inbound(finished, Now, null, "c2", botEnabled: false, "ch", "k");

        Assert.Equal(ConversationStage.Closed, finished.Stage);
        Assert.Same(finished, AssignmentRules.Finish(finished, "c1"));
        Assert.Equal("c2", wrote.ConversationId);
        Assert.Equal(ConversationStage.Queued, wrote.Stage);
        Assert.Equal("c1", wrote.LastConversationId);
        Assert.Null(wrote.AgentId);
    }

    [Fact]
    public void Routing_HandOff_ThenAssign_OnlyAQueuedConversation()
    {
        var withBot = AssignmentRules.Inbound(CustomerConversationState.Empty, Now, null, "b1", botEnabled: true, "ch", "k");

        var early = AssignmentRules.Assign(withBot, "b1", "ana");
        var queued = AssignmentRules.HandOff(withBot, "b1");
        var assigned = AssignmentRules.Assign(queued, "b1", "ana");
        var again = AssignmentRules.Assign(assigned.State, "b1", "bruno");

        Assert.Equal(RefusalCode.ConversationClosed, early.Refusal);
        Assert.Equal(ConversationStage.Queued, queued.Stage);
        Assert.Null(assigned.Refusal);
        Assert.Equal("ana", assigned.State.AgentId);
        Assert.Equal(RefusalCode.ConversationClosed, again.Refusal);
    }

    [Fact]
    public void R12_HoldAt_RecordsTheAssignmentTime_ForRouting_AndARefusalChangesNothing()
    {
        var one = AssignmentRules.HoldAt(TwoMax, "c1", Now);
        var full = AssignmentRules.HoldAt(AssignmentRules.Hold(one.State, "c2").State, "c3", Now.AddMinutes(5));

        Assert.Equal(Now, one.State.LastAssignedAt);
        Assert.Equal(Now, one.State.ToAgentState("ana").LastAssignedAt);
        Assert.Equal(RefusalCode.AgentAtCapacity, full.Refusal);
        Assert.Equal(Now, full.State.LastAssignedAt);
    }

    [Fact]
    public void Availability_FollowsConnections_TwoTabsAndALateDisconnect_KeepTheAgentAvailable()
    {
        var offline = AssignmentRules.Update(AgentCapacityState.Empty, new AgentUpdate(MaxConcurrent: 2, Available: false));

        var tab1 = AssignmentRules.Update(offline, new AgentUpdate(ConnectionId: "c1", Connected: true));
        var tab2 = AssignmentRules.Update(tab1, new AgentUpdate(ConnectionId: "c2", Connected: true));
        var closedOne = AssignmentRules.Update(tab2, new AgentUpdate(ConnectionId: "c1", Connected: false));
        var lateAgain = AssignmentRules.Update(closedOne, new AgentUpdate(ConnectionId: "c1", Connected: false));
        var closedAll = AssignmentRules.Update(lateAgain, new AgentUpdate(ConnectionId: "c2", Connected: false));

        Assert.True(tab1.Available);
        Assert.True(closedOne.Available);
        Assert.Same(closedOne, lateAgain); // nothing changed: same state, same version
        Assert.False(closedAll.Available);
        Assert.Empty(closedAll.Connections!);
    }

    [Fact]
    public void R18_AConnectedArrivingAfterItsOwnDisconnected_IsLate_AndLeavesNoGhost_WhileOnlyTheLastClosedAreRemembered()
    {
        var offline = AssignmentRules.Update(AgentCapacityState.Empty, new AgentUpdate(MaxConcurrent: 2, Available: false));

        var closedFirst = AssignmentRules.Update(offline, new AgentUpdate(ConnectionId: "short", Connected: false));
        var lateConnected = AssignmentRules.Update(closedFirst, new AgentUpdate(ConnectionId: "short", Connected: true));
        var repeatClose = AssignmentRules.Update(lateConnected, new AgentUpdate(ConnectionId: "short", Connected: false));

        Assert.False(lateConnected.Available);
        Assert.Empty(lateConnected.Connections!);
        Assert.Same(closedFirst, lateConnected);
        Assert.Same(lateConnected, repeatClose);

        // A thousand tabs closing: the state remembers only the last few closed ids, so it stays small.
        var state = offline;
        for (var i = 0; i < 1000; i++)
        {
            state = AssignmentRules.Update(state, new AgentUpdate(ConnectionId: $"tab-{i}", Connected: true));
        }

        Assert.Equal(1000, state.Connections!.Count);
        for (var i = 0; i < 1000; i++)
        {
            state = AssignmentRules.Update(state, new AgentUpdate(ConnectionId: $"tab-{i}", Connected: false));
        }

        Assert.False(state.Available);
        Assert.Empty(state.Connections!);
        Assert.Equal(AgentCapacityState.ClosedKept, state.Closed!.Count);
        Assert.Equal("tab-999", state.Closed[^1]);

        // An id forgotten long ago connects again: it counts as open (the hub never reuses connection ids).
        var reused = AssignmentRules.Update(state, new AgentUpdate(ConnectionId: "tab-0", Connected: true));
        Assert.True(reused.Available);
    }

    [Fact]
    public void Settings_AnExplicitStatusAndTheMaximum_Change_AndARepeatChangesNothing()
    {
        var away = AssignmentRules.Update(TwoMax, new AgentUpdate(Available: false));
        var raised = AssignmentRules.Update(away, new AgentUpdate(MaxConcurrent: 5));
        var again = AssignmentRules.Update(raised, new AgentUpdate(MaxConcurrent: 5, Available: false));

        Assert.False(away.Available);
        Assert.Equal(TwoMax.Version + 1, away.Version);
        Assert.Equal(5, raised.MaxConcurrent);
        Assert.Same(raised, again);
    }

    [Fact]
    public void Lgpd_Forget_ClearsTheCustomer_ButIsRefusedWhileAnAgentHoldsThem()
    {
        var waiting = AssignmentRules.Inbound(CustomerConversationState.Empty, Now, "Maria", "q1", botEnabled: false, "100", "5511");
        var held = AssignmentRules.Begin(waiting, "a1", "ana", ConversationStage.Open).State;

        var refused = AssignmentRules.Forget(held);
        var forgotten = AssignmentRules.Forget(AssignmentRules.Finish(held, "a1"));

        Assert.Equal(RefusalCode.ErasureWhileInService, refused.Refusal);
        Assert.Same(held, refused.State);
        Assert.Null(forgotten.Refusal);
        Assert.Equal((null, null, null, null), (forgotten.State.ConversationId, forgotten.State.LastInboundAt, forgotten.State.LastConversationId, forgotten.State.DisplayName));
    }
}
