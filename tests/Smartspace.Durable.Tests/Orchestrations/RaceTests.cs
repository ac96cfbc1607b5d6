using Smartspace.Core.Conversations;
using Smartspace.Durable.Entities;
using Smartspace.Durable.Orchestrations;

namespace Smartspace.Durable.Tests.Orchestrations;

/// <summary>R15: R12–R14 under concurrency, through the critical sections (no ETag loops, no per-tenant partition).</summary>
public sealed class RaceTests(DurableHub hub) : IClassFixture<DurableHub>
{
    private const string Tenant = "demo";
    private const string Channel = "100200300400500";
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private static string NewId(string hint) => hint + Guid.NewGuid().ToString("N")[..10];

    private static async Task ConfigureAsync(Runtime.DurableClient client, string agentId, int max)
    {
        var entity = EntityKeys.Agent(Tenant, agentId);
        await client.SignalEntityAsync(entity, nameof(AgentCapacity.Update), new AgentUpdate(MaxConcurrent: max, Available: true));
        await DurableHub.EventuallyAsync(() => client.GetEntityStateAsync<AgentCapacityState>(entity, default), s => s?.MaxConcurrent == max);
    }

    private static async Task WroteAsync(Runtime.DurableClient client, string customerKey)
    {
        var entity = EntityKeys.Customer(Tenant, Channel, customerKey);
        await client.SignalEntityAsync(entity, nameof(CustomerConversation.InboundStaged), new StagedInbound("wamid." + Guid.NewGuid().ToString("N"), Now.AddHours(-1), null, NewId("wait"), false));
        await DurableHub.EventuallyAsync(() => client.GetEntityStateAsync<CustomerConversationState>(entity, default), s => s?.LastInboundAt is not null);
    }

    private static Task<StartConversationOutcome> StartAsync(Runtime.DurableClient client, string agentId, string customerKey) =>
        client.RunAsync<StartConversationOutcome>(StartConversationOrchestration.Name,
            new StartConversationInput(Tenant, agentId, Channel, customerKey, NewId("conv"), false, Now), default);

    [Fact]
    public async Task R13_R15_FiftyAgentsStartWithOneCustomer_ExactlyOneWins_TheRestAreRefusedCustomerInService()
    {
        var agents = Enumerable.Range(0, 50).Select(_ => NewId("agent")).ToList();
        await Task.WhenAll(agents.Select(a => ConfigureAsync(hub.Client, a, 3)));
        var customerKey = NewId("5511");
        await WroteAsync(hub.Client, customerKey);

        var outcomes = await Task.WhenAll(agents.Select(a => StartAsync(hub.Client, a, customerKey)));

        var winners = outcomes.Where(o => o.Kind == StartKind.Created).ToList();
        Assert.Single(winners);
        Assert.All(outcomes.Where(o => o.Kind != StartKind.Created), o => Assert.Equal(RefusalCode.CustomerInService, o.Refusal));
        var customer = await hub.Client.GetEntityStateAsync<CustomerConversationState>(EntityKeys.Customer(Tenant, Channel, customerKey), default);
        Assert.Equal(winners[0].ConversationId, customer!.ConversationId);
        var held = await Task.WhenAll(agents.Select(a => hub.Client.GetEntityStateAsync<AgentCapacityState>(EntityKeys.Agent(Tenant, a), default)));
        Assert.Equal(1, held.Sum(s => s!.Held.Count));
    }

    [Fact]
    public async Task R12_R15_OneAgentWithMaximum3_23ConcurrentStarts_ExactlyThreeWin()
    {
        const int max = 3;
        var agentId = NewId("agent");
        await ConfigureAsync(hub.Client, agentId, max);
        var customers = Enumerable.Range(0, max + 20).Select(_ => NewId("5511")).ToList();
        await Task.WhenAll(customers.Select(c => WroteAsync(hub.Client, c)));

        var outcomes = await Task.WhenAll(customers.Select(c => StartAsync(hub.Client, agentId, c)));

        Assert.Equal(max, outcomes.Count(o => o.Kind == StartKind.Created));
        Assert.All(outcomes.Where(o => o.Kind != StartKind.Created), o => Assert.Equal(RefusalCode.AgentAtCapacity, o.Refusal));
        var agent = await hub.Client.GetEntityStateAsync<AgentCapacityState>(EntityKeys.Agent(Tenant, agentId), default);
        Assert.Equal(outcomes.Where(o => o.Kind == StartKind.Created).Select(o => o.ConversationId).Order(), agent!.Held.Order());
    }

    [Fact]
    public async Task R12_R13_R16_MixedStartsFinishesAndAssignments_FromTwoWorkersOnOneHub_KeepTheInvariants()
    {
        var second = await hub.JoinAsync("w1");
        var clients = new[] { hub.Client, second.Client };
        var agents = Enumerable.Range(0, 4).Select(_ => NewId("agent")).ToList();
        var customers = Enumerable.Range(0, 8).Select(_ => NewId("5511")).ToList();
        await Task.WhenAll(agents.Select(a => ConfigureAsync(hub.Client, a, 2)));
        await Task.WhenAll(customers.Select(c => WroteAsync(hub.Client, c)));

        var random = new Random(14);
        var operations = Enumerable.Range(0, 60).Select(i => (Client: clients[i % 2], Agent: agents[random.Next(agents.Count)], Customer: customers[random.Next(customers.Count)], Kind: random.Next(3))).ToList();
        await Task.WhenAll(operations.Select(async op =>
        {
            var customerEntity = EntityKeys.Customer(Tenant, Channel, op.Customer);
            switch (op.Kind)
            {
                case 0:
                    await StartAsync(op.Client, op.Agent, op.Customer);
                    break;
                case 1:
                    var state = await op.Client.GetEntityStateAsync<CustomerConversationState>(customerEntity, default);
                    if (state is { ConversationId: { } id, AgentId: { } holder })
                    {
                        await op.Client.RunAsync<FinishConversationOutcome>(FinishConversationOrchestration.Name, new FinishConversationInput(Tenant, holder, Channel, op.Customer, id), default);
                    }

                    break;
                default:
                    var waiting = await op.Client.GetEntityStateAsync<CustomerConversationState>(customerEntity, default);
                    if (waiting is { ConversationId: { } queued, Stage: ConversationStage.Queued })
                    {
                        await op.Client.RunAsync<AssignmentOutcome>(AssignQueuedCustomerOrchestration.Name, new AssignQueuedCustomerInput(Tenant, op.Agent, Channel, op.Customer, queued), default);
                    }

                    break;
            }
        }));

        var agentStates = (await Task.WhenAll(agents.Select(a => hub.Client.GetEntityStateAsync<AgentCapacityState>(EntityKeys.Agent(Tenant, a), default)))).Select(s => s!).ToList();
        var customerStates = (await Task.WhenAll(customers.Select(c => hub.Client.GetEntityStateAsync<CustomerConversationState>(EntityKeys.Customer(Tenant, Channel, c), default)))).Select(s => s!).ToList();
        Assert.All(agentStates, a => Assert.InRange(a.Held.Count, 0, a.MaxConcurrent));
        var heldByCustomers = customerStates.Where(c => c.Stage is { } s && s.IsHeldByAgent()).Select(c => c.ConversationId!).Order().ToList();
        var heldByAgents = agentStates.SelectMany(a => a.Held).Order().ToList();
        Assert.Equal(heldByCustomers, heldByAgents);
        Assert.Equal(heldByAgents.Count, heldByAgents.Distinct().Count());
        Assert.True(heldByAgents.Count > 0, "no start succeeded: the mix did not exercise the critical sections");
    }
}
