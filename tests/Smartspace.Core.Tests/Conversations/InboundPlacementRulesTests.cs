using Smartspace.Core.Conversations;

namespace Smartspace.Core.Tests.Conversations;

/// <summary>Which conversation a stored customer message belongs to (<see cref="AssignmentRules.InboundOnce"/>), and repeats by wamid.</summary>
public sealed class InboundPlacementRulesTests
{
    private const string Channel = "100200300400500";
    private const string Customer = "5511999990000";
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private static InboundOutcome Inbound(CustomerConversationState state, string wamid, string newId = "w1", bool bot = false, DateTimeOffset? at = null) =>
        AssignmentRules.InboundOnce(state, wamid, at ?? Now, "Maria", newId, bot, Channel, Customer);

    [Fact]
    public void NoConversationInProgress_CreatesAWaitingOne_AndTheMessageGoesThere()
    {
        var outcome = Inbound(CustomerConversationState.Empty, "wamid.1", bot: true);

        Assert.False(outcome.Repeated);
        Assert.Equal(InboundPlacementKind.CreatedWaiting, outcome.Kind);
        Assert.Equal("w1", outcome.Placed.ConversationId);
        Assert.Null(outcome.Placed.StageBefore);
        Assert.Equal(ConversationStage.Bot, outcome.Placed.StageAfter);
        Assert.Equal(outcome.State.Version, outcome.Placed.Version);
        Assert.Equal("w1", outcome.State.ConversationId);
    }

    [Fact]
    public void ConversationInProgress_TheMessageAttaches_AndNoNewConversationStarts()
    {
        var first = Inbound(CustomerConversationState.Empty, "wamid.1");

        var second = Inbound(first.State, "wamid.2", newId: "w2");

        Assert.Equal(InboundPlacementKind.Attached, second.Kind);
        Assert.Equal("w1", second.Placed.ConversationId);
        Assert.Equal(ConversationStage.Queued, second.Placed.StageBefore);
        Assert.Equal(ConversationStage.Queued, second.Placed.StageAfter);
        Assert.Equal(first.State.Version, second.State.Version);
    }

    [Fact]
    public void R8_TheReplyToATemplate_OpensTheAgentsConversation_AndGoesThere()
    {
        var awaiting = AssignmentRules.Begin(CustomerConversationState.Empty, "c1", "ana", ConversationStage.AwaitingReply).State;

        var reply = Inbound(awaiting, "wamid.1", newId: "w-unused");

        Assert.Equal(InboundPlacementKind.OpenedByReply, reply.Kind);
        Assert.Equal("c1", reply.Placed.ConversationId);
        Assert.Equal(ConversationStage.AwaitingReply, reply.Placed.StageBefore);
        Assert.Equal(ConversationStage.Open, reply.Placed.StageAfter);
        Assert.Equal(ConversationStage.Open, reply.State.Stage);
        Assert.Equal("ana", reply.State.AgentId);
    }

    [Fact]
    public void RepeatedWamid_ChangesNothing_AndIsPlacedWhereItWasTheFirstTime_EvenAfterTheConversationEnded()
    {
        var first = Inbound(CustomerConversationState.Empty, "wamid.1");
        var finished = AssignmentRules.Finish(first.State, "w1");

        var repeat = Inbound(finished, "wamid.1", newId: "w2", at: Now.AddMinutes(5));

        Assert.True(repeat.Repeated);
        Assert.Equal(finished with { Recent = null }, repeat.State with { Recent = null });
        Assert.Equal(first.Placed with { Repeats = 1 }, repeat.Placed);
        Assert.Equal([first.Placed with { Repeats = 1 }], repeat.State.Recent!);
        Assert.Equal(InboundPlacementKind.CreatedWaiting, repeat.Kind);
    }

    [Fact]
    public void RecentMemory_IsBounded_TheOldestWamidIsForgottenFirst()
    {
        var state = CustomerConversationState.Empty;
        for (var i = 0; i <= AssignmentRules.RecentInboundKept; i++)
        {
            state = Inbound(state, "wamid." + i).State;
        }

        Assert.Equal(AssignmentRules.RecentInboundKept, state.Recent!.Count);
        Assert.DoesNotContain(state.Recent, r => r.Wamid == "wamid.0");
        Assert.Equal("wamid." + AssignmentRules.RecentInboundKept, state.Recent[^1].Wamid);
    }

    [Fact]
    public void AMessageErasedBeforeItWasPlaced_NothingBuiltOnIt_TheStateGoesBackToBefore()
    {
        var before = Inbound(CustomerConversationState.Empty, "wamid.1").State with { Stage = ConversationStage.Closed };
        var erased = Inbound(before, "wamid.2", newId: "w2");

        var after = AssignmentRules.InboundGone(erased.State, "wamid.2", erased.Placed.Version, before);

        Assert.Same(before, after);
    }

    [Fact]
    public void AMessageErasedBeforeItWasPlaced_ALaterMessageJoinedItsConversation_TheStateStays()
    {
        var erased = Inbound(CustomerConversationState.Empty, "wamid.1");
        var later = Inbound(erased.State, "wamid.2", newId: "w2", at: Now.AddMinutes(1));

        var after = AssignmentRules.InboundGone(later.State, "wamid.1", erased.Placed.Version, CustomerConversationState.Empty);

        Assert.Same(later.State, after);
        Assert.Equal("w1", after.ConversationId); // the later message is placed in the conversation the erased one began
    }

    [Fact]
    public void AMessageErasedBeforeItWasPlaced_AnOperationChangedTheCustomerSince_TheStateStays()
    {
        var erased = Inbound(CustomerConversationState.Empty, "wamid.1");
        var assigned = AssignmentRules.Assign(erased.State, "w1", "ana").State;

        var after = AssignmentRules.InboundGone(assigned, "wamid.1", erased.Placed.Version, CustomerConversationState.Empty);

        Assert.Same(assigned, after);
    }
}
