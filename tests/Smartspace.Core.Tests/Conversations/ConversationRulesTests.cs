using Smartspace.Core.Conversations;

namespace Smartspace.Core.Tests.Conversations;

/// <summary>The Conversa ativa rules as pure functions: plain values in, decisions out, no mocks.</summary>
public sealed class ConversationRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private static AgentState Agent(string id = "ana", int max = 3, int open = 0, bool available = true, AgentRole role = AgentRole.Agent) =>
        new(id, role, max, Enumerable.Range(1, open).Select(i => $"{id}-c{i}").ToList(), available, null);

    private static ConversationState Conversation(ConversationStage stage, string? agentId = null, string id = "c1") =>
        new(id, "100200300400500", "5511987650001", agentId, stage, 1);

    // ---- Starting (R6, R7, R12, R13, R14) ----

    [Fact]
    public void R6_WindowOpen_NoConversation_CreatesAnOpenConversationWithoutTemplate()
    {
        var decision = ConversationRules.DecideStart(Agent(), null, windowOpen: true, templateProvided: false);

        var create = Assert.IsType<StartDecision.Create>(decision);
        Assert.Equal(ConversationStage.Open, create.Stage);
        Assert.False(create.SendTemplate);
        Assert.Null(create.Supersedes);
    }

    [Fact]
    public void R7_WindowClosed_WithoutTemplate_IsRefusedAsTemplateRequired() =>
        Assert.Equal(new StartDecision.Refused(RefusalCode.TemplateRequired), ConversationRules.DecideStart(Agent(), null, windowOpen: false, templateProvided: false));

    [Fact]
    public void R7_R8_WindowClosed_WithTemplate_CreatesAConversationAwaitingTheReply()
    {
        var create = Assert.IsType<StartDecision.Create>(ConversationRules.DecideStart(Agent(), null, windowOpen: false, templateProvided: true));

        Assert.Equal(ConversationStage.AwaitingReply, create.Stage);
        Assert.True(create.SendTemplate);
    }

    [Fact]
    public void R6_WindowOpen_WithTemplate_OpensAndSendsIt()
    {
        var create = Assert.IsType<StartDecision.Create>(ConversationRules.DecideStart(Agent(), null, windowOpen: true, templateProvided: true));

        Assert.Equal(ConversationStage.Open, create.Stage);
        Assert.True(create.SendTemplate);
    }

    [Theory]
    [InlineData(3, 3)]
    [InlineData(3, 4)]
    [InlineData(1, 1)]
    public void R12_AgentAtMaximum_IsRefused(int max, int open) =>
        Assert.Equal(new StartDecision.Refused(RefusalCode.AgentAtCapacity), ConversationRules.DecideStart(Agent(max: max, open: open), null, windowOpen: true, templateProvided: false));

    [Fact]
    public void R12_OneBelowMaximum_IsAllowed() =>
        Assert.IsType<StartDecision.Create>(ConversationRules.DecideStart(Agent(max: 3, open: 2), null, windowOpen: true, templateProvided: false));

    [Theory]
    [InlineData(ConversationStage.Open)]
    [InlineData(ConversationStage.AwaitingReply)]
    public void R13_CustomerHeldByAnotherAgent_IsRefusedAsCustomerInService(ConversationStage stage) =>
        Assert.Equal(new StartDecision.Refused(RefusalCode.CustomerInService),
            ConversationRules.DecideStart(Agent("bruno"), Conversation(stage, "ana"), windowOpen: true, templateProvided: true));

    [Theory]
    [InlineData(ConversationStage.Open)]
    [InlineData(ConversationStage.AwaitingReply)]
    public void R13_CustomerHeldBySameAgent_ReturnsTheExistingConversation_EvenAtCapacity(ConversationStage stage)
    {
        var held = Conversation(stage, "ana");

        var decision = ConversationRules.DecideStart(Agent("ana", max: 1, open: 1), held, windowOpen: false, templateProvided: false);

        Assert.Equal(new StartDecision.ReturnExisting(held), decision);
    }

    [Fact]
    public void R12_R13_AgentAtCapacityAndCustomerWithAnother_CapacityIsReported() =>
        Assert.Equal(new StartDecision.Refused(RefusalCode.AgentAtCapacity),
            ConversationRules.DecideStart(Agent("bruno", max: 2, open: 2), Conversation(ConversationStage.Open, "ana"), windowOpen: true, templateProvided: false));

    [Theory]
    [InlineData(ConversationStage.Bot)]
    [InlineData(ConversationStage.Queued)]
    public void R14_BotOrQueueConversation_IsSupersededByTheActiveOne(ConversationStage stage)
    {
        var waiting = Conversation(stage);

        var create = Assert.IsType<StartDecision.Create>(ConversationRules.DecideStart(Agent(), waiting, windowOpen: true, templateProvided: false));

        Assert.Equal(waiting, create.Supersedes);
        Assert.Equal(ConversationStage.Open, create.Stage);
    }

    [Fact]
    public void R14_R12_BotOrQueueDoesNotBypassCapacity() =>
        Assert.Equal(new StartDecision.Refused(RefusalCode.AgentAtCapacity),
            ConversationRules.DecideStart(Agent(max: 1, open: 1), Conversation(ConversationStage.Queued), windowOpen: true, templateProvided: false));

    [Fact]
    public void R14_R7_QueuedCustomerWithClosedWindow_StillNeedsATemplate() =>
        Assert.Equal(new StartDecision.Refused(RefusalCode.TemplateRequired),
            ConversationRules.DecideStart(Agent(), Conversation(ConversationStage.Queued), windowOpen: false, templateProvided: false));

    [Fact]
    public void R16_ClosedConversation_DoesNotBlockANewStart()
    {
        var create = Assert.IsType<StartDecision.Create>(ConversationRules.DecideStart(Agent("bruno"), Conversation(ConversationStage.Closed, "ana"), windowOpen: true, templateProvided: false));
        Assert.Null(create.Supersedes);
    }

    // ---- Sending (R8, R9, P4) ----

    [Fact]
    public void R8_FreeText_WhileAwaitingTheReply_IsRefused() =>
        Assert.Equal(new SendDecision.Refused(RefusalCode.AwaitingCustomerReply),
            ConversationRules.DecideSendText(Conversation(ConversationStage.AwaitingReply, "ana"), "ana", windowOpen: true));

    [Fact]
    public void R6_FreeText_InAnOpenConversationInsideTheWindow_IsAccepted() =>
        Assert.IsType<SendDecision.Accept>(ConversationRules.DecideSendText(Conversation(ConversationStage.Open, "ana"), "ana", windowOpen: true));

    [Fact]
    public void P4_FreeText_OutsideTheWindow_IsRefusedAsWindowClosed() =>
        Assert.Equal(new SendDecision.Refused(RefusalCode.WindowClosed),
            ConversationRules.DecideSendText(Conversation(ConversationStage.Open, "ana"), "ana", windowOpen: false));

    [Theory]
    [InlineData(ConversationStage.Open, "bruno")]
    [InlineData(ConversationStage.Queued, "ana")]
    [InlineData(ConversationStage.Bot, "ana")]
    public void R13_FreeText_ByAnyoneButTheHolder_IsRefused(ConversationStage stage, string sender) =>
        Assert.Equal(new SendDecision.Refused(RefusalCode.NotConversationOwner),
            ConversationRules.DecideSendText(Conversation(stage, stage == ConversationStage.Open ? "ana" : null), sender, windowOpen: true));

    [Fact]
    public void R16_Sending_InAFinishedConversation_IsRefused()
    {
        var closed = Conversation(ConversationStage.Closed, "ana");
        Assert.Equal(new SendDecision.Refused(RefusalCode.ConversationClosed), ConversationRules.DecideSendText(closed, "ana", windowOpen: true));
        Assert.Equal(new SendDecision.Refused(RefusalCode.ConversationClosed), ConversationRules.DecideSendTemplate(closed, "ana"));
    }

    [Theory]
    [InlineData(ConversationStage.AwaitingReply)]
    [InlineData(ConversationStage.Open)]
    public void R9_AnotherTemplate_ByTheHolder_IsAccepted(ConversationStage stage) =>
        Assert.IsType<SendDecision.Accept>(ConversationRules.DecideSendTemplate(Conversation(stage, "ana"), "ana"));

    [Fact]
    public void R9_Template_ByAnotherAgent_IsRefused() =>
        Assert.Equal(new SendDecision.Refused(RefusalCode.NotConversationOwner), ConversationRules.DecideSendTemplate(Conversation(ConversationStage.Open, "ana"), "bruno"));

    [Fact]
    public void R8_TemplateOutsideTheWindow_MakesTheAgentWait_InsideItChangesNothing()
    {
        var open = Conversation(ConversationStage.Open, "ana");
        Assert.Equal(ConversationStage.AwaitingReply, ConversationRules.StageAfterTemplate(open, windowOpen: false));
        Assert.Equal(ConversationStage.Open, ConversationRules.StageAfterTemplate(open, windowOpen: true));
        Assert.Equal(ConversationStage.AwaitingReply, ConversationRules.StageAfterTemplate(Conversation(ConversationStage.AwaitingReply, "ana"), windowOpen: true));
    }

    // ---- Inbound (R8, routing) ----

    [Fact]
    public void R8_CustomerReply_LiftsTheWait() =>
        Assert.Equal(new InboundDecision.Attach(ConversationStage.Open), ConversationRules.DecideInbound(Conversation(ConversationStage.AwaitingReply, "ana"), botEnabled: false));

    [Theory]
    [InlineData(ConversationStage.Open)]
    [InlineData(ConversationStage.Queued)]
    [InlineData(ConversationStage.Bot)]
    public void Routing_CustomerMessage_JoinsTheConversationInProgress(ConversationStage stage) =>
        Assert.Equal(new InboundDecision.Attach(stage), ConversationRules.DecideInbound(Conversation(stage, stage == ConversationStage.Open ? "ana" : null), botEnabled: true));

    [Theory]
    [InlineData(false, ConversationStage.Queued)]
    [InlineData(true, ConversationStage.Bot)]
    public void Routing_NoConversationInProgress_WaitsInTheQueueOrTalksToTheBot(bool botEnabled, ConversationStage expected)
    {
        Assert.Equal(new InboundDecision.CreateWaiting(expected), ConversationRules.DecideInbound(null, botEnabled));
        Assert.Equal(new InboundDecision.CreateWaiting(expected), ConversationRules.DecideInbound(Conversation(ConversationStage.Closed, "ana"), botEnabled));
    }

    // ---- Finishing (R16) ----

    [Fact]
    public void R16_Holder_Finishes() =>
        Assert.Null(ConversationRules.DecideFinish(Conversation(ConversationStage.Open, "ana"), "ana", AgentRole.Agent));

    [Fact]
    public void R16_AnotherAgent_CannotFinish() =>
        Assert.Equal(RefusalCode.NotConversationOwner, ConversationRules.DecideFinish(Conversation(ConversationStage.AwaitingReply, "ana"), "bruno", AgentRole.Agent));

    [Fact]
    public void R16_Supervisor_Finishes() =>
        Assert.Null(ConversationRules.DecideFinish(Conversation(ConversationStage.Open, "ana"), "carla", AgentRole.Supervisor));

    [Fact]
    public void R16_FinishingTwice_IsNotAnError() =>
        Assert.Null(ConversationRules.DecideFinish(Conversation(ConversationStage.Closed, "ana"), "bruno", AgentRole.Agent));

    // ---- Stages and the window ----

    [Theory]
    [InlineData(ConversationStage.Open, true, true)]
    [InlineData(ConversationStage.AwaitingReply, true, true)]
    [InlineData(ConversationStage.Queued, false, true)]
    [InlineData(ConversationStage.Bot, false, true)]
    [InlineData(ConversationStage.Closed, false, false)]
    public void R12_HeldStagesCountAgainstCapacity(ConversationStage stage, bool held, bool active)
    {
        Assert.Equal(held, stage.IsHeldByAgent());
        Assert.Equal(active, stage.IsActive());
    }

    [Fact]
    public void R6_R7_Window_OpenUntilJustBefore24Hours_ClosedAtExactly24()
    {
        var last = Now;
        Assert.True(ServiceWindow.IsOpen(last, last));
        Assert.True(ServiceWindow.IsOpen(last, last + TimeSpan.FromHours(24) - TimeSpan.FromMilliseconds(1)));
        Assert.True(ServiceWindow.IsOpen(last, last + TimeSpan.FromHours(24) - TimeSpan.FromTicks(1)));
        Assert.False(ServiceWindow.IsOpen(last, last + TimeSpan.FromHours(24)));
        Assert.False(ServiceWindow.IsOpen(last, last + TimeSpan.FromDays(3)));
        Assert.False(ServiceWindow.IsOpen(null, last));
        Assert.Equal(last + TimeSpan.FromHours(24), ServiceWindow.ClosesAt(last));
        Assert.Null(ServiceWindow.ClosesAt(null));
    }

    [Fact]
    public void R12_AgentLoad_IsTheNumberOfConversationsHeld()
    {
        Assert.Equal(2, Agent(max: 3, open: 2).Load);
        Assert.True(Agent(max: 3, open: 2).HasCapacity);
        Assert.False(Agent(max: 2, open: 2).HasCapacity);
        Assert.False(Agent(max: 0, open: 0).HasCapacity);
    }

    [Fact]
    public void Errors_EveryRefusalHasAStableSnakeCaseCode()
    {
        var codes = Enum.GetValues<RefusalCode>().Select(c => c.ToCode()).ToList();
        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.All(codes, c => Assert.Matches("^[a-z]+(_[a-z]+)*$", c));
        Assert.Equal("agent_at_capacity", RefusalCode.AgentAtCapacity.ToCode());
        Assert.Equal("customer_in_service", RefusalCode.CustomerInService.ToCode());
    }
}
