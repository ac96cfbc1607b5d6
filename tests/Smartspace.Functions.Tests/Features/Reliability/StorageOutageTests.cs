using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Testing;

namespace Smartspace.Functions.Tests.Features.Reliability;

/// <summary>
/// P3 across a storage outage: the local host runs on an Azurite of this test's own (tables, and the Durable runtime's queues,
/// blobs and tables, kept on disk — one account, as in Azure), which is stopped
/// (by its process id) while senders stream signed webhooks and an agent uses the agent API, then started again on the
/// same port and folder. While it is down every webhook is answered 503 (Meta retries; never a 500) and the agent API
/// answers 503 problem+json; once it is back, Meta's retries converge and the entities place what was acknowledged: every
/// webhook stored exactly once, nothing lost.
/// </summary>
[Collection(FailureDrillCollection.Name)]
public sealed class StorageOutageTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Webhooks = 160;
    private const int Customers = 8;
    private const int Senders = 3;
    private const int StopAfterAcknowledged = 40;
    private const int DeliveriesWhileDown = 24;

    private static readonly Dictionary<string, string> QuickToGiveUp = new()
    {
        // A down store is answered quickly (503) rather than after the default retries.
        ["Storage__TablesMaxRetries"] = "1",
        ["Storage__TablesNetworkTimeout"] = "00:00:02",
    };

    [Fact]
    public async Task P3_StoreStoppedMidLoad_Webhooks503_AgentApi503Problem_RetriesConverge()
    {
        var location = Directory.CreateTempSubdirectory("azurite-outage-").FullName;
        var ports = AzuritePorts.Free();
        var azurite = await AzuriteHost.StartOwnAsync(location, ports);
        HandlerProcess? handler = null;
        try
        {
            var prefix = AzuriteFixture.NewTablePrefix("outage");
            var stream = new WebhookStream("outage", Webhooks, Customers);
            // The tables and the Durable runtime (its connection string falls back to the tables') go down; media files stay
            // on the shared Azurite's blob service.
            var settings = new Dictionary<string, string>(QuickToGiveUp) { ["Storage__BlobsConnectionString"] = (await AzuriteHost.SharedAsync()).ConnectionString };
            var clock = System.Diagnostics.Stopwatch.StartNew();
            handler = await HandlerProcess.StartAsync(azurite.ConnectionString, prefix, settings);
            var started = clock.Elapsed;
            var ana = await handler.ClientForAsync("ana");
            var notAcknowledged = new ConcurrentDictionary<string, Webhook>();
            var answersWhileDown = new ConcurrentDictionary<string, int>();
            var stopping = 0;
            var down = false;
            var deliveriesWhileDown = 0;
            var host = handler;

            // Phase 1: the stream; after some acknowledgements the store stops, and the stream goes on into the outage.
            await WebhookStream.SendAllAsync(stream.Items, Senders, async webhook =>
            {
                var wasDown = Volatile.Read(ref down);
                if (wasDown && Interlocked.Increment(ref deliveriesWhileDown) > DeliveriesWhileDown)
                {
                    return; // Meta sends it later, once the store is back
                }

                var outcome = await stream.DeliverOnceAsync(host, webhook);
                if (outcome != DeliveryOutcome.Acknowledged)
                {
                    notAcknowledged[webhook.Wamid] = webhook;
                }

                if (wasDown)
                {
                    answersWhileDown.AddOrUpdate(outcome.ToString(), 1, (_, n) => n + 1);
                }

                if (outcome == DeliveryOutcome.Acknowledged && stream.AcknowledgedWamids.Count >= StopAfterAcknowledged && Interlocked.Exchange(ref stopping, 1) == 0)
                {
                    await azurite.StopAsync(); // by its process id, while the other senders wait for answers
                    Volatile.Write(ref down, true);
                    await AssertAgentApiIsUnavailableAsync(ana);
                }
            });

            Assert.True(Volatile.Read(ref down), "the store was never stopped");
            // Once the store was down, every webhook got 503: not a 500, not a 200, not a dropped connection.
            Assert.Equal([nameof(DeliveryOutcome.Unavailable)], answersWhileDown.Keys.ToList());
            var acknowledgedBeforeOutage = stream.AcknowledgedWamids.Count;
            var phase1 = clock.Elapsed;

            // Phase 2: the store is back on the same port with the same tables; Meta delivers again what got no 200, some
            // acknowledged webhooks once more, and the rest of the stream.
            var stopped = azurite;
            azurite = await AzuriteHost.StartOwnAsync(location, ports);
            await stopped.DisposeAsync();
            var random = new Random(19);
            var redeliveredAcknowledged = stream.Items.Where(stream.IsAcknowledged).Where(_ => random.Next(4) == 0).ToList();
            var rest = stream.Items.Where(w => !stream.IsAcknowledged(w) && !notAcknowledged.ContainsKey(w.Wamid)).ToList();
            var work = notAcknowledged.Values.Concat(redeliveredAcknowledged).Concat(rest).OrderBy(_ => random.Next()).ToList();
            var storeBack = clock.Elapsed;
            await WebhookStream.SendAllAsync(work, Senders, webhook => stream.DeliverUntilAcknowledgedAsync(host, webhook));
            var redelivered = clock.Elapsed;

            Assert.True(stream.Unexpected.IsEmpty, string.Join("\n", stream.Unexpected.Take(20)));
            using (var back = await ana.GetAsync(Desk.Conversations))
            {
                Assert.Equal(HttpStatusCode.OK, back.StatusCode);
            }

            Assert.Equal(Webhooks, stream.AcknowledgedWamids.Count);
            // The Durable runtime lost its partition leases in the outage: placement resumes once it has them back.
            await WebhookStream.WaitPlacedAfterFailureAsync(azurite.ConnectionString, prefix, WebhookStream.PlacementAfterOutage, "outage", output);
            output.WriteLine($"timeline: host ready {started.TotalSeconds:0.0} s, stream until the outage and into it {phase1.TotalSeconds:0.0} s, "
                + $"store back {storeBack.TotalSeconds:0.0} s, every webhook acknowledged {redelivered.TotalSeconds:0.0} s, all placed {clock.Elapsed.TotalSeconds:0.0} s");
            var stored = await stream.AssertStoredExactlyOnceAndStateAgreesAsync(LedgerInvariants.TablesLedger(azurite.ConnectionString, prefix), await LedgerInvariants.TablesEntitiesAsync(azurite.ConnectionString, prefix));
            output.WriteLine($"storage stopped mid-load: webhooks sent {Webhooks}, acknowledged before the outage {acknowledgedBeforeOutage}, "
                + $"answered 503 {notAcknowledged.Count} ({answersWhileDown.GetValueOrDefault(nameof(DeliveryOutcome.Unavailable))} while down, none 500), "
                + $"redelivered after it {notAcknowledged.Count + redeliveredAcknowledged.Count} ({redeliveredAcknowledged.Count} already acknowledged), "
                + $"acknowledged {stream.AcknowledgedWamids.Count} ({stream.Acknowledgements} 200s), stored {stored}, doubled 0, lost {Webhooks - stored}");
            Assert.Equal(Webhooks, stored);
        }
        finally
        {
            if (handler is not null)
            {
                await handler.DisposeAsync();
            }

            await azurite.DisposeAsync();
            Directory.Delete(location, recursive: true);
        }
    }

    /// <summary>While the store is down the agent API answers 503 problem+json (code store_unavailable), for reads and writes alike.</summary>
    private static async Task AssertAgentApiIsUnavailableAsync(HttpClient agent)
    {
        using var list = await agent.GetAsync(Desk.Conversations);
        await list.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "store_unavailable");
        using var start = await agent.PostAsJsonAsync(Desk.Conversations, new { number = Desk.Mobile(99) }, HttpJson.Options);
        await start.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "store_unavailable");
    }
}
