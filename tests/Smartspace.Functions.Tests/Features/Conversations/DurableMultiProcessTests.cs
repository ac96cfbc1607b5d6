using Smartspace.Core.Conversations;
using Smartspace.Durable.Entities;
using Smartspace.Durable.Orchestrations;
using Smartspace.Durable.Client;
using Smartspace.Durable.Runtime;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Testing;

namespace Smartspace.Functions.Tests.Features.Conversations;

/// <summary>
/// R12, R13, R15, R16 across processes on the Durable path: three local host processes run the entities and
/// orchestrations on one task hub (Durable:Enabled, Azurite); this test is only a client of that hub (it runs no work
/// itself), so every start, finish and assignment below was executed by the local hosts. Afterwards no agent is above
/// its maximum, no customer has two conversations in progress, and every capacity count equals the conversations held.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DurableMultiProcessTests(AzuriteFixture azurite)
{
    // The bot contact center: a customer who writes waits with the bot (nothing routes them), so the mix alone decides.
    private const string Tenant = "outro";
    private const string Channel = HandlerFactory.OtherTenantChannelId;

    [Fact]
    public async Task R12_R13_R15_R16_ThreeLocalHostsOnOneTaskHub_MixedStartsFinishesAssignments_KeepTheInvariants()
    {
        var taskHub = "mp" + Guid.NewGuid().ToString("N")[..12];
        var settings = new Dictionary<string, string>
        {
            ["Durable__Enabled"] = "true",
            ["Durable__ConnectionString"] = azurite.ConnectionString,
            ["Durable__TaskHub"] = taskHub,
            // Several partitions, so the three hosts share the work (the test hosts' default is one).
            ["Durable__PartitionCount"] = "4",
            ["Durable__MaxQueuePollingInterval"] = "00:00:00.250",
        };
        var prefix = AzuriteFixture.NewTablePrefix("dmp");
        var hosts = (await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => HandlerProcess.StartAsync(azurite.ConnectionString, prefix, settings)))).ToList();
        try
        {
            var client = await LocalDurableRuntime.ConnectClientAsync(new DurableOptions
            {
                ConnectionString = azurite.ConnectionString,
                TaskHub = taskHub,
                PartitionCount = 4,
                MaxQueuePollingInterval = TimeSpan.FromMilliseconds(250),
                CompletionTimeout = TimeSpan.FromSeconds(300),
            });
            await RunMixAsync(client, hosts);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    private static async Task RunMixAsync(DurableClient client, IReadOnlyList<HandlerProcess> hosts)
    {
        var now = DateTimeOffset.UtcNow;
        var agents = Enumerable.Range(0, 3).Select(i => $"agent{i}-{Guid.NewGuid():N}"[..20]).ToList();
        // Brazilian mobiles (13 digits), distinct per run: the webhook stores only valid WhatsApp numbers.
        var customers = Enumerable.Range(0, 8).Select(i => "55119" + i + Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        foreach (var agent in agents)
        {
            await client.SignalEntityAsync(EntityKeys.Agent(Tenant, agent), nameof(AgentCapacity.Update), new AgentUpdate(MaxConcurrent: 2, Available: true));
        }

        // Each customer writes through a different host's webhook (its conversation with the bot gets its rows there).
        await Task.WhenAll(customers.Select(async (customer, i) =>
        {
            using var response = await hosts[i % hosts.Count].PostWebhookAsync(MetaPayloads.Text(customer, "wamid.DMP" + Guid.NewGuid().ToString("N"), now.AddMinutes(-30), "Oi", "Cliente " + i, Channel));
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }));

        // Signals are applied asynchronously: the mix starts once every entity has its initial state.
        var deadline = DateTime.UtcNow.AddMinutes(3);
        foreach (var agent in agents)
        {
            while (await client.GetEntityStateAsync<AgentCapacityState>(EntityKeys.Agent(Tenant, agent), default) is null && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }

        foreach (var customer in customers)
        {
            while (await client.GetEntityStateAsync<CustomerConversationState>(EntityKeys.Customer(Tenant, Channel, customer), default) is null && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }

        // One start before the mix, so the critical sections are certainly exercised: in the mix an assignment may reach
        // each customer before any start does (the start is then R13's refusal or the same agent's existing conversation).
        var first = await client.RunAsync<StartConversationOutcome>(StartConversationOrchestration.Name,
            new StartConversationInput(Tenant, agents[0], Channel, customers[0], Guid.NewGuid().ToString("N"), false, now), default);
        Assert.True(first.Kind == StartKind.Created, $"R14: the first start (customer with the bot) must create the agent's conversation; it answered {first.Kind} {first.Refusal}");

        var random = new Random(16);
        var operations = Enumerable.Range(0, 24).Select(_ => (Agent: agents[random.Next(agents.Count)], Customer: customers[random.Next(customers.Count)], Kind: random.Next(3))).ToList();
        var created = 1;
        var refusals = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Task.WhenAll(operations.Select(async op =>
        {
            var customerEntity = EntityKeys.Customer(Tenant, Channel, op.Customer);
            if (op.Kind == 0)
            {
                var outcome = await client.RunAsync<StartConversationOutcome>(StartConversationOrchestration.Name,
                    new StartConversationInput(Tenant, op.Agent, Channel, op.Customer, Guid.NewGuid().ToString("N"), false, now), default);
                if (outcome.Kind == StartKind.Created)
                {
                    Interlocked.Increment(ref created);
                }
                else
                {
                    refusals.Add($"{outcome.Kind} {outcome.Refusal}");
                }

                return;
            }

            var state = await client.GetEntityStateAsync<CustomerConversationState>(customerEntity, default);
            if (op.Kind == 1 && state is { ConversationId: { } id, AgentId: { } holder })
            {
                await client.RunAsync<FinishConversationOutcome>(FinishConversationOrchestration.Name, new FinishConversationInput(Tenant, holder, Channel, op.Customer, id), default);
            }
            else if (op.Kind == 2 && state is { ConversationId: { } bot, Stage: ConversationStage.Bot })
            {
                // The bot hands the customer straight to an agent with room (both locked): queue, then assignment.
                await client.RunAsync<AssignmentOutcome>(BotHandoffOrchestration.Name, new BotHandoffInput(Tenant, Channel, op.Customer, bot, op.Agent), default);
            }
            else if (op.Kind == 2 && state is { ConversationId: { } queued, Stage: ConversationStage.Queued })
            {
                await client.RunAsync<AssignmentOutcome>(AssignQueuedCustomerOrchestration.Name, new AssignQueuedCustomerInput(Tenant, op.Agent, Channel, op.Customer, queued), default);
            }
        }));

        var agentStates = new List<AgentCapacityState>();
        foreach (var agent in agents)
        {
            agentStates.Add((await client.GetEntityStateAsync<AgentCapacityState>(EntityKeys.Agent(Tenant, agent), default))!);
        }

        var customerStates = new List<CustomerConversationState>();
        foreach (var customer in customers)
        {
            customerStates.Add((await client.GetEntityStateAsync<CustomerConversationState>(EntityKeys.Customer(Tenant, Channel, customer), default))!);
        }

        Assert.True(created > 0, "no start was created: the mix did not exercise the critical sections; the starts answered: " + string.Join(", ", refusals));
        Assert.All(agentStates, a => Assert.InRange(a.Held.Count, 0, a.MaxConcurrent));
        var heldByAgents = agentStates.SelectMany(a => a.Held).Order(StringComparer.Ordinal).ToList();
        var inProgress = customerStates.Where(c => c.Stage is { } s && s.IsHeldByAgent()).Select(c => c.ConversationId!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(inProgress, heldByAgents);
        Assert.Equal(heldByAgents.Count, heldByAgents.Distinct().Count());
        // The rows the activities wrote agree with the entities (the agents here exist only as entities: their ids are the test's).
        var prefix = hosts[0].TablePrefix;
        await LedgerInvariants.AssertHoldAsync(LedgerInvariants.TablesLedger(hosts[0].TablesConnectionString!, prefix!), new LocalConversationEntities(() => client), Tenant);
    }
}
