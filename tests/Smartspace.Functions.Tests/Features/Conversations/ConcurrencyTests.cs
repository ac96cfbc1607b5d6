using System.Diagnostics;
using System.Net;
using Smartspace.Core.Conversations;
using Smartspace.Functions.Features.Seed;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Testing;

namespace Smartspace.Functions.Tests.Features.Conversations;

/// <summary>
/// R15: R12–R14 under concurrency, on every store adapter. Requests are released together from a gate so
/// they really overlap; every loop is bounded by a count and a deadline.
/// </summary>
public abstract class ConcurrencyContract
{
    protected abstract HandlerFactory NewFactory();

    private static async Task<List<HttpResponseMessage>> TogetherAsync(IEnumerable<Func<Task<HttpResponseMessage>>> calls)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = calls.Select(async call =>
        {
            await gate.Task;
            return await call();
        }).ToList();
        gate.SetResult();
        return (await Task.WhenAll(tasks)).ToList();
    }

    private static async Task<List<string>> AddAgentsAsync(HandlerFactory factory, int count, int maxConcurrent = 3)
    {
        var ids = new List<string>();
        for (var i = 1; i <= count; i++)
        {
            var id = $"extra{i}";
            await factory.Get<SeedLoader>().EnsureAgentAsync(HandlerFactory.TenantId, id, "Extra " + i, AgentRole.Agent, maxConcurrent, available: false, CancellationToken.None);
            ids.Add(id);
        }

        return ids;
    }

    [Fact]
    public async Task R15_AgentsRacingForOneCustomer_ExactlyOneWins()
    {
        using var factory = NewFactory();
        await factory.NobodyAvailableAsync();
        var agents = new List<string> { "ana", "bruno" };
        agents.AddRange(await AddAgentsAsync(factory, 6));
        var clients = agents.Select(a => factory.ClientFor(a)).ToList();

        // Window open: the customer waits in the queue; every agent calls them at once (R13 + R14).
        await factory.CustomerWritesAsync(Desk.Mobile(1), "wamid.race.1");
        var queued = (await factory.CustomerOfAsync(Desk.Mobile(1)))!.CurrentConversationId!;
        await AssertOneWinnerAsync(await TogetherAsync(clients.Select(c => (Func<Task<HttpResponseMessage>>)(() => c.StartAsync(Desk.Mobile(1))))));
        Assert.Equal(ConversationStage.Closed, (await factory.ConversationAsync(queued))!.Stage);

        // Window closed: every agent sends a template at once.
        await AssertOneWinnerAsync(await TogetherAsync(clients.Select(c => (Func<Task<HttpResponseMessage>>)(() => c.StartAsync(Desk.Mobile(2), Desk.Retomada())))));

        await LedgerInvariants.AssertHoldAsync(factory, HandlerFactory.TenantId);
        Assert.Empty(await factory.Get<LedgerStore>().QueryAllAsync(HandlerFactory.TenantId, Keys.QueuePrefix, CancellationToken.None));
    }

    private static async Task AssertOneWinnerAsync(List<HttpResponseMessage> responses)
    {
        var outcomes = new List<string>();
        foreach (var response in responses)
        {
            var body = await response.ReadJsonAsync();
            outcomes.Add(response.StatusCode == HttpStatusCode.Created ? "created"
                : body.ValueKind == System.Text.Json.JsonValueKind.Object && body.TryGetProperty("code", out var code) ? code.GetString()! : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            response.Dispose();
        }

        Assert.True(outcomes.Count(o => o == "created") == 1, string.Join(", ", outcomes));
        Assert.All(outcomes.Where(o => o != "created"), o => Assert.Equal("customer_in_service", o));
    }

    [Fact]
    public async Task R15_OneAgentFiringMoreStartsThanTheMaximum_NeverExceedsIt()
    {
        using var factory = NewFactory();
        var bruno = factory.ClientFor("bruno"); // maximum 2

        var responses = await TogetherAsync(Enumerable.Range(1, 8).Select(i => (Func<Task<HttpResponseMessage>>)(() => bruno.StartAsync(Desk.Mobile(i), Desk.Retomada()))));
        var statuses = new List<string>();
        foreach (var response in responses)
        {
            var body = await response.ReadJsonAsync();
            statuses.Add(response.StatusCode == HttpStatusCode.Created ? "created" : body.GetProperty("code").GetString()!);
            response.Dispose();
        }

        Assert.True(statuses.Count(s => s == "created") == 2, string.Join(", ", statuses));
        Assert.All(statuses.Where(s => s != "created"), s => Assert.Equal("agent_at_capacity", s));
        var ledger = factory.Get<LedgerStore>();
        var agent = (await factory.AgentAsync("bruno"))!;
        Assert.Equal(2, agent.OpenConversationIds.Count);
        var held = (await ledger.QueryAllAsync(HandlerFactory.TenantId, Keys.ConversationPrefix, CancellationToken.None))
            .Select(ConversationRow.From).Where(c => c.AgentId == "bruno" && c.Stage.IsHeldByAgent()).ToList();
        Assert.Equal(2, held.Count);
        await LedgerInvariants.AssertHoldAsync(factory, HandlerFactory.TenantId);
    }

    [Fact]
    public async Task R15_StartsRacingFinishes_OpenListsEqualWhatAgentsReallyHold()
    {
        using var factory = NewFactory();
        await factory.NobodyAvailableAsync();
        const int customers = 6;
        for (var i = 1; i <= customers; i++)
        {
            await factory.CustomerWritesAsync(Desk.Mobile(i), $"wamid.churn.{i}"); // window open for everyone
        }

        var deadline = Stopwatch.StartNew();
        var unexpected = new System.Collections.Concurrent.ConcurrentBag<string>();
        var workers = new List<Task>();
        foreach (var (agentId, seedBase) in new[] { ("ana", 100), ("bruno", 200) })
        {
            for (var w = 0; w < 3; w++)
            {
                var client = factory.ClientFor(agentId);
                var random = new Random(seedBase + w);
                workers.Add(Task.Run(async () =>
                {
                    for (var iteration = 0; iteration < 20 && deadline.Elapsed < TimeSpan.FromSeconds(6); iteration++)
                    {
                        using var start = await client.StartAsync(Desk.Mobile(random.Next(1, customers + 1)));
                        var body = await start.ReadJsonAsync();
                        if (start.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                        {
                            if (random.Next(2) == 0)
                            {
                                await FinishAsync(client, body.ConversationId(), unexpected);
                            }
                        }
                        else if (start.StatusCode != HttpStatusCode.Conflict)
                        {
                            unexpected.Add($"start {(int)start.StatusCode} {body}");
                        }

                        if (random.Next(3) == 0)
                        {
                            var mine = await client.GetJsonAsync(Desk.Conversations);
                            var list = mine.GetProperty("conversations").EnumerateArray().ToList();
                            if (list.Count > 0)
                            {
                                await FinishAsync(client, list[random.Next(list.Count)].GetProperty("id").GetString()!, unexpected);
                            }
                        }
                    }
                }));
            }
        }

        await Task.WhenAll(workers);

        Assert.Empty(unexpected);
        await LedgerInvariants.AssertHoldAsync(factory, HandlerFactory.TenantId);
        foreach (var agentId in new[] { "ana", "bruno" })
        {
            var me = await factory.ClientFor(agentId).GetJsonAsync("/api/agent/me");
            var list = await factory.ClientFor(agentId).GetJsonAsync(Desk.Conversations);
            Assert.Equal(me.GetProperty("open").GetInt32(), list.GetProperty("conversations").GetArrayLength());
            Assert.True(me.GetProperty("open").GetInt32() <= me.GetProperty("maxConcurrent").GetInt32());
        }
    }

    private static async Task FinishAsync(HttpClient client, string conversationId, System.Collections.Concurrent.ConcurrentBag<string> unexpected)
    {
        using var finish = await client.FinishAsync(conversationId);
        if (finish.StatusCode != HttpStatusCode.OK)
        {
            unexpected.Add($"finish {(int)finish.StatusCode} {await finish.Content.ReadAsStringAsync()}");
        }
    }
}

[Collection(AzuriteCollection.Name)]
public sealed class ConcurrencyOnAzuriteTests(AzuriteFixture azurite) : ConcurrencyContract
{
    protected override HandlerFactory NewFactory() => new(azurite.ConnectionString);
}
