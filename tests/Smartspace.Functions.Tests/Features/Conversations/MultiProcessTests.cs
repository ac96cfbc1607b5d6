using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Testing;

namespace Smartspace.Functions.Tests.Features.Conversations;

/// <summary>
/// R15 and P3 across instances: three handler processes share one Azure Tables store (Azurite). For a
/// bounded time customers write (signed webhooks to random instances, some delivered twice to different
/// instances) while agents start and finish conversations on random instances. Afterwards the store
/// itself must satisfy every invariant.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class MultiProcessTests(AzuriteFixture azurite, Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>Each worker runs for this long, but at least <see cref="MinOperations"/> and at most <see cref="MaxOperations"/> times.</summary>
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(12);
    private const int MinOperations = 10;
    private const int MaxOperations = 400;
    private const int Customers = 12;

    [Fact]
    public async Task R15_P3_ThreeInstancesUnderLoad_KeepEveryInvariant()
    {
        var prefix = AzuriteFixture.NewTablePrefix("mp");
        var started = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => HandlerProcess.StartAsync(azurite.ConnectionString, prefix)));
        var instances = started.ToList();
        try
        {
            await RunLoadAsync(instances, prefix);
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }
        }
    }

    private async Task RunLoadAsync(List<HandlerProcess> instances, string prefix)
    {
        var agents = new Dictionary<string, List<HttpClient>>();
        foreach (var agentId in new[] { "ana", "bruno" })
        {
            agents[agentId] = [];
            foreach (var instance in instances)
            {
                agents[agentId].Add(await instance.ClientForAsync(agentId));
            }
        }

        // ana takes the queue; bruno only calls customers actively (R14 supersedes the queue for them).
        using (var unavailable = await agents["bruno"][0].PostAsJsonAsync("/api/agent/me/status", new { available = false }, HttpJson.Options))
        {
            Assert.Equal(HttpStatusCode.OK, unavailable.StatusCode);
        }

        var acknowledged = new ConcurrentDictionary<string, string>(); // wamid → body
        var unexpected = new ConcurrentQueue<string>();
        var clock = Stopwatch.StartNew();
        var counts = new ConcurrentDictionary<string, int>();

        var customerWorkers = Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
        {
            var random = new Random(1000 + w);
            for (var n = 0; n < MaxOperations && (n < MinOperations || clock.Elapsed < Duration); n++)
            {
                string wamid;
                string body;
                if (random.Next(4) == 0 && !acknowledged.IsEmpty)
                {
                    // Meta's at-least-once delivery: an acknowledged webhook arrives again, maybe elsewhere.
                    var again = acknowledged.ElementAt(random.Next(acknowledged.Count));
                    (wamid, body) = (again.Key, again.Value);
                    counts.AddOrUpdate("redelivered", 1, (_, c) => c + 1);
                }
                else
                {
                    var customer = random.Next(1, Customers + 1);
                    wamid = $"wamid.mp.{w}.{n}";
                    body = MetaPayloads.Text(Desk.WaId(Desk.Mobile(customer)), wamid, DateTimeOffset.UtcNow, $"mensagem {n}", $"Cliente {customer}");
                }

                await DeliverAsync(instances, random, wamid, body, acknowledged, unexpected);
            }
        })).ToList();

        var agentWorkers = agents.SelectMany(a => Enumerable.Range(0, 2).Select(w => (AgentId: a.Key, Clients: a.Value, Seed: a.Key.Length * 100 + w))).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker.Seed);
            for (var n = 0; n < MaxOperations && (n < MinOperations || clock.Elapsed < Duration); n++)
            {
                var client = worker.Clients[random.Next(worker.Clients.Count)];
                if (random.Next(2) == 0)
                {
                    await StartAsync(client, Desk.Mobile(random.Next(1, Customers + 1)), counts, unexpected);
                }
                else
                {
                    await FinishOneAsync(client, random, counts, unexpected);
                }
            }
        })).ToList();

        await Task.WhenAll(customerWorkers.Concat(agentWorkers));

        output.WriteLine($"webhooks acknowledged: {acknowledged.Count}; " + string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key}={c.Value}")));
        Assert.True(unexpected.IsEmpty, string.Join("\n", unexpected.Take(20)));

        // Acknowledged messages are placed by the customers' entities just after their 200: the store is checked once all are.
        await StagedMessages.WaitPlacedAsync(azurite.ConnectionString, prefix, timeout: TimeSpan.FromSeconds(60));
        var ledger = LedgerInvariants.TablesLedger(azurite.ConnectionString, prefix);
        await LedgerInvariants.AssertHoldAsync(ledger, await LedgerInvariants.TablesEntitiesAsync(azurite.ConnectionString, prefix), HandlerFactory.TenantId);
        await AssertEveryWamidStoredOnceAsync(ledger, acknowledged.Keys.ToList());
        Assert.True(counts.GetValueOrDefault("created") > 0 && counts.GetValueOrDefault("finished") > 0, string.Join(", ", counts.Select(c => $"{c.Key}={c.Value}")));
    }

    private static async Task DeliverAsync(List<HandlerProcess> instances, Random random, string wamid, string body,
        ConcurrentDictionary<string, string> acknowledged, ConcurrentQueue<string> unexpected)
    {
        // Like Meta: a non-2xx answer is retried (bounded), possibly on another instance.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            // No wait for placement per delivery (under load some message is nearly always staged): once, after the load.
            using var response = await instances[random.Next(instances.Count)].PostWebhookAsync(body, waitForPlacement: false);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                acknowledged.TryAdd(wamid, body);
                return;
            }

            if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                unexpected.Enqueue($"webhook {wamid}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                return;
            }
        }

        unexpected.Enqueue($"webhook {wamid}: 503 five times in a row");
    }

    private static async Task StartAsync(HttpClient client, string typed, ConcurrentDictionary<string, int> counts, ConcurrentQueue<string> unexpected)
    {
        using var response = await client.PostAsJsonAsync(Desk.Conversations, new { number = typed }, HttpJson.Options);
        var body = await response.ReadJsonAsync();
        var code = body.ValueKind == System.Text.Json.JsonValueKind.Object && body.TryGetProperty("code", out var c) ? c.GetString() : null;
        if (code == "template_required")
        {
            using var withTemplate = await client.PostAsJsonAsync(Desk.Conversations, new { number = typed, template = Desk.Confirmacao() }, HttpJson.Options);
            body = await withTemplate.ReadJsonAsync();
            Record(withTemplate.StatusCode, body.ValueKind == System.Text.Json.JsonValueKind.Object && body.TryGetProperty("code", out var c2) ? c2.GetString() : null);
            return;
        }

        Record(response.StatusCode, code);

        void Record(HttpStatusCode status, string? refusal)
        {
            var outcome = status switch
            {
                HttpStatusCode.Created => "created",
                HttpStatusCode.OK => "existing",
                HttpStatusCode.Conflict when refusal is "agent_at_capacity" or "customer_in_service" => refusal,
                _ => null,
            };
            if (outcome is null)
            {
                unexpected.Enqueue($"start {typed}: {(int)status} {body}");
            }
            else
            {
                counts.AddOrUpdate(outcome, 1, (_, n) => n + 1);
            }
        }
    }

    private static async Task FinishOneAsync(HttpClient client, Random random, ConcurrentDictionary<string, int> counts, ConcurrentQueue<string> unexpected)
    {
        var mine = await client.GetJsonAsync(Desk.Conversations);
        var list = mine.GetProperty("conversations").EnumerateArray().ToList();
        if (list.Count == 0)
        {
            return;
        }

        var id = list[random.Next(list.Count)].GetProperty("id").GetString()!;
        using var finish = await client.FinishAsync(id, random.Next(2) == 0 ? "duvida" : null);
        if (finish.StatusCode == HttpStatusCode.OK)
        {
            counts.AddOrUpdate("finished", 1, (_, n) => n + 1);
        }
        else
        {
            unexpected.Enqueue($"finish {id}: {(int)finish.StatusCode} {await finish.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>P3: each acknowledged wamid has one dedupe row and exactly one message, in an existing conversation it names.</summary>
    private static async Task AssertEveryWamidStoredOnceAsync(LedgerStore ledger, List<string> wamids)
    {
        var messages = (await ledger.QueryAllAsync(HandlerFactory.TenantId, "msg|", CancellationToken.None)).Select(MessageRow.From).Where(m => m.Wamid is not null).ToList();
        var byWamid = messages.GroupBy(m => m.Wamid!).ToDictionary(g => g.Key, g => g.ToList());
        var conversations = (await ledger.QueryAllAsync(HandlerFactory.TenantId, Keys.ConversationPrefix, CancellationToken.None)).Select(ConversationRow.From).ToDictionary(c => c.ConversationId);
        var problems = new List<string>();
        foreach (var wamid in wamids)
        {
            var stored = byWamid.GetValueOrDefault(wamid) ?? [];
            if (stored.Count != 1)
            {
                problems.Add($"{wamid} stored {stored.Count} times");
                continue;
            }

            var dedupe = await ledger.GetAsync(HandlerFactory.TenantId, Keys.Wamid(wamid), CancellationToken.None);
            if (dedupe?.GetString("ConversationId") != stored[0].ConversationId)
            {
                problems.Add($"{wamid}: dedupe row names {dedupe?.GetString("ConversationId") ?? "nothing"}, message is in {stored[0].ConversationId}");
            }

            if (!conversations.ContainsKey(stored[0].ConversationId))
            {
                problems.Add($"{wamid} is attached to missing conversation {stored[0].ConversationId}");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(30)));
    }
}
