using Smartspace.Core.Conversations;
using Smartspace.Durable.Entities;
using Smartspace.Durable.Orchestrations;

namespace Smartspace.Durable.Tests.Orchestrations;

/// <summary>The orchestrations that lock a customer and an agent together: start (R6, R7, R12–R14), finish (R16), assignment, bot hand-off.</summary>
public sealed class StartFinishTests(DurableHub hub) : IClassFixture<DurableHub>
{
    private const string Tenant = "demo";
    private const string Channel = "100200300400500";
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private static string NewId(string hint) => hint + Guid.NewGuid().ToString("N")[..10];

    private async Task<string> AgentAsync(int max, bool available = true)
    {
        var agentId = NewId("agent");
        var entity = EntityKeys.Agent(Tenant, agentId);
        await hub.Client.SignalEntityAsync(entity, nameof(AgentCapacity.Update), new AgentUpdate(MaxConcurrent: max, Available: available));
        await DurableHub.EventuallyAsync(() => hub.Client.GetEntityStateAsync<AgentCapacityState>(entity, default), s => s?.MaxConcurrent == max);
        return agentId;
    }

    private async Task<CustomerConversationState?> CustomerWroteAsync(string customerKey, DateTimeOffset at, bool bot = false)
    {
        var entity = EntityKeys.Customer(Tenant, Channel, customerKey);
        var conversationId = NewId("wait");
        await hub.Client.SignalEntityAsync(entity, nameof(CustomerConversation.InboundStaged), new StagedInbound("wamid." + Guid.NewGuid().ToString("N"), at, "Maria", conversationId, bot));
        return await DurableHub.EventuallyAsync(() => hub.Client.GetEntityStateAsync<CustomerConversationState>(entity, default), s => s?.LastInboundAt == at);
    }

    private Task<StartConversationOutcome> StartAsync(string agentId, string customerKey, bool template, DateTimeOffset? at = null) =>
        hub.Client.RunAsync<StartConversationOutcome>(StartConversationOrchestration.Name,
            new StartConversationInput(Tenant, agentId, Channel, customerKey, NewId("conv"), template, at ?? Now), default);

    [Fact]
    public async Task R6_Start_WindowOpen_OpensAtOnce_AndTheAgentHoldsIt()
    {
        var agentId = await AgentAsync(max: 2);
        var customerKey = NewId("5511");
        await CustomerWroteAsync(customerKey, Now.AddHours(-2));

        var outcome = await StartAsync(agentId, customerKey, template: false);

        Assert.Equal(StartKind.Created, outcome.Kind);
        Assert.Equal(ConversationStage.Open, outcome.Stage);
        Assert.True(outcome.WindowOpen);
        Assert.Equal(outcome.ConversationId, outcome.Customer.ConversationId);
        Assert.Equal(agentId, outcome.Customer.AgentId);
        Assert.Equal([outcome.ConversationId!], outcome.Agent.Held);
    }

    [Fact]
    public async Task R7_Start_WindowClosed_WithoutTemplate_IsRefused_AndChangesNothing()
    {
        var agentId = await AgentAsync(max: 2);
        var customerKey = NewId("5511");

        var outcome = await StartAsync(agentId, customerKey, template: false);

        Assert.Equal(StartKind.Refused, outcome.Kind);
        Assert.Equal(RefusalCode.TemplateRequired, outcome.Refusal);
        Assert.Empty(outcome.Agent.Held);
        Assert.Null(outcome.Customer.ConversationId);
    }

    [Fact]
    public async Task R7_R8_Start_WindowClosedAtExactly24h_WithTemplate_AwaitsTheReply_ThenTheReplyOpensIt()
    {
        var agentId = await AgentAsync(max: 2);
        var customerKey = NewId("5511");
        await CustomerWroteAsync(customerKey, Now.AddHours(-24));

        var outcome = await StartAsync(agentId, customerKey, template: true);
        Assert.Equal(StartKind.Created, outcome.Kind);
        Assert.False(outcome.WindowOpen);
        Assert.Equal(ConversationStage.AwaitingReply, outcome.Stage);

        var replied = await CustomerWroteAsync(customerKey, Now.AddMinutes(1));
        Assert.NotNull(replied);
        Assert.Equal(outcome.ConversationId, replied.ConversationId);
        Assert.Equal(ConversationStage.Open, replied.Stage);
    }

    [Fact]
    public async Task R13_Start_SameAgentAgain_ReturnsTheExistingConversation()
    {
        var agentId = await AgentAsync(max: 2);
        var customerKey = NewId("5511");
        await CustomerWroteAsync(customerKey, Now.AddHours(-1));
        var first = await StartAsync(agentId, customerKey, template: false);

        var again = await StartAsync(agentId, customerKey, template: false);

        Assert.Equal(StartKind.Existing, again.Kind);
        Assert.Equal(first.ConversationId, again.ConversationId);
        Assert.Single(again.Agent.Held);
    }

    [Fact]
    public async Task R13_Start_CustomerHeldByAnotherAgent_IsRefused()
    {
        var ana = await AgentAsync(max: 2);
        var bruno = await AgentAsync(max: 2);
        var customerKey = NewId("5511");
        await CustomerWroteAsync(customerKey, Now.AddHours(-1));
        var first = await StartAsync(ana, customerKey, template: false);

        var second = await StartAsync(bruno, customerKey, template: false);

        Assert.Equal(StartKind.Refused, second.Kind);
        Assert.Equal(RefusalCode.CustomerInService, second.Refusal);
        Assert.Empty(second.Agent.Held);
        Assert.Equal(first.ConversationId, second.Customer.ConversationId);
    }

    [Fact]
    public async Task R12_Start_AgentAtMaximum_IsRefused()
    {
        var agentId = await AgentAsync(max: 1);
        var a = NewId("5511");
        var b = NewId("5511");
        await CustomerWroteAsync(a, Now.AddHours(-1));
        await CustomerWroteAsync(b, Now.AddHours(-1));
        Assert.Equal(StartKind.Created, (await StartAsync(agentId, a, template: false)).Kind);

        var refused = await StartAsync(agentId, b, template: false);

        Assert.Equal(StartKind.Refused, refused.Kind);
        Assert.Equal(RefusalCode.AgentAtCapacity, refused.Refusal);
        Assert.Single(refused.Agent.Held);
        Assert.Equal(ConversationStage.Queued, refused.Customer.Stage);
    }

    [Fact]
    public async Task R14_Start_CustomerInQueue_EndsTheQueuedConversation_AndStarts()
    {
        var agentId = await AgentAsync(max: 2);
        var customerKey = NewId("5511");
        var queued = await CustomerWroteAsync(customerKey, Now.AddMinutes(-10));
        Assert.Equal(ConversationStage.Queued, queued!.Stage);

        var outcome = await StartAsync(agentId, customerKey, template: false);

        Assert.Equal(StartKind.Created, outcome.Kind);
        Assert.Equal(queued.ConversationId, outcome.Ended);
        Assert.Equal(queued.ConversationId, outcome.Customer.LastConversationId);
    }

    [Fact]
    public async Task R16_Finish_EndsTheConversation_AndFreesOneUnit_AndFinishingTwiceChangesNothing()
    {
        var agentId = await AgentAsync(max: 1);
        var customerKey = NewId("5511");
        await CustomerWroteAsync(customerKey, Now.AddHours(-1));
        var started = await StartAsync(agentId, customerKey, template: false);
        var input = new FinishConversationInput(Tenant, agentId, Channel, customerKey, started.ConversationId!);

        var finished = await hub.Client.RunAsync<FinishConversationOutcome>(FinishConversationOrchestration.Name, input, default);
        var again = await hub.Client.RunAsync<FinishConversationOutcome>(FinishConversationOrchestration.Name, input, default);

        Assert.True(finished.Finished);
        Assert.Equal(ConversationStage.Closed, finished.Customer.Stage);
        Assert.Empty(finished.Agent.Held);
        Assert.False(again.Finished);
        Assert.Empty(again.Agent.Held);
        var other = NewId("5511");
        await CustomerWroteAsync(other, Now.AddHours(-1));
        Assert.Equal(StartKind.Created, (await StartAsync(agentId, other, template: false)).Kind);
    }

    [Fact]
    public async Task R6_InteractiveStart_GetsItsOutcomeFromTheInProcessNotice_NotFromPolling()
    {
        // Interactive calls must not wait on DTFx's 2-second completion polling: with one worker on the hub, the
        // orchestration runs here and its outcome reaches the waiter through the dispatcher middleware.
        var agentId = await AgentAsync(max: 1);
        var customerKey = NewId("5511");
        await CustomerWroteAsync(customerKey, Now.AddHours(-1));
        var before = hub.Runtime.NoticesDelivered;

        var outcome = await StartAsync(agentId, customerKey, template: false);

        Assert.Equal(StartKind.Created, outcome.Kind);
        Assert.True(hub.Runtime.NoticesDelivered > before, "the outcome came from the fallback poll, not the in-process notice");
    }

    [Fact]
    public async Task Routing_AssignQueuedCustomer_ToAvailableAgentWithRoom_OnlyOnce()
    {
        var agentId = await AgentAsync(max: 2);
        var other = await AgentAsync(max: 2);
        var customerKey = NewId("5511");
        var queued = await CustomerWroteAsync(customerKey, Now.AddMinutes(-1));

        var assigned = await hub.Client.RunAsync<AssignmentOutcome>(AssignQueuedCustomerOrchestration.Name,
            new AssignQueuedCustomerInput(Tenant, agentId, Channel, customerKey, queued!.ConversationId!), default);
        var twice = await hub.Client.RunAsync<AssignmentOutcome>(AssignQueuedCustomerOrchestration.Name,
            new AssignQueuedCustomerInput(Tenant, other, Channel, customerKey, queued.ConversationId!), default);

        Assert.True(assigned.Assigned);
        Assert.Equal(ConversationStage.Open, assigned.Customer.Stage);
        Assert.Equal(agentId, assigned.Customer.AgentId);
        Assert.Equal([queued.ConversationId!], assigned.Agent!.Held);
        Assert.False(twice.Assigned);
        Assert.Empty(twice.Agent!.Held);
    }

    [Fact]
    public async Task Routing_AssignQueuedCustomer_UnavailableAgent_IsNotAssigned()
    {
        var agentId = await AgentAsync(max: 2, available: false);
        var customerKey = NewId("5511");
        var queued = await CustomerWroteAsync(customerKey, Now.AddMinutes(-1));

        var outcome = await hub.Client.RunAsync<AssignmentOutcome>(AssignQueuedCustomerOrchestration.Name,
            new AssignQueuedCustomerInput(Tenant, agentId, Channel, customerKey, queued!.ConversationId!), default);

        Assert.False(outcome.Assigned);
        Assert.Equal(ConversationStage.Queued, outcome.Customer.Stage);
        Assert.Empty(outcome.Agent!.Held);
    }

    [Fact]
    public async Task Routing_BotHandoff_ToAgent_LeavesTheBotAndOpensWithTheAgent()
    {
        var agentId = await AgentAsync(max: 1);
        var customerKey = NewId("5511");
        var withBot = await CustomerWroteAsync(customerKey, Now.AddMinutes(-1), bot: true);
        Assert.Equal(ConversationStage.Bot, withBot!.Stage);

        var outcome = await hub.Client.RunAsync<AssignmentOutcome>(BotHandoffOrchestration.Name,
            new BotHandoffInput(Tenant, Channel, customerKey, withBot.ConversationId!, agentId), default);

        Assert.True(outcome.Assigned);
        Assert.Equal(ConversationStage.Open, outcome.Customer.Stage);
        Assert.Equal([withBot.ConversationId!], outcome.Agent!.Held);
    }

    [Fact]
    public async Task Routing_BotHandoff_ToQueue_QueuesTheCustomer()
    {
        var customerKey = NewId("5511");
        var withBot = await CustomerWroteAsync(customerKey, Now.AddMinutes(-1), bot: true);

        var outcome = await hub.Client.RunAsync<AssignmentOutcome>(BotHandoffOrchestration.Name,
            new BotHandoffInput(Tenant, Channel, customerKey, withBot!.ConversationId!, null), default);

        Assert.False(outcome.Assigned);
        Assert.Equal(ConversationStage.Queued, outcome.Customer.Stage);
    }
}
