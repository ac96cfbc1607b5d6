using System.Collections.Concurrent;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Testing;

namespace Smartspace.Functions.Tests.Features.Reliability;

/// <summary>
/// P3 across a crash: the local host (Azure Tables on Azurite) is killed with SIGKILL while several senders stream signed
/// webhooks at it, then started again on the same tables. Like Meta, every webhook that got no 200 is delivered again,
/// and some that did get a 200 arrive once more. Every webhook answered 200 is stored exactly once, the conversation,
/// customer and agent rows agree with the stored messages, and the redeliveries converge: nothing lost, nothing doubled.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CrashRecoveryTests(AzuriteFixture azurite, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Webhooks = 240;
    private const int Customers = 10;
    private const int Senders = 4;
    private const int KillAfterAcknowledged = 80;

    [Fact]
    public async Task P3_LocalHostKilledMidStream_EveryAcknowledgedMessageStoredOnce_RedeliveryConverges()
    {
        var prefix = AzuriteFixture.NewTablePrefix("crash");
        var stream = new WebhookStream("crash", Webhooks, Customers);
        var unanswered = new ConcurrentDictionary<string, Webhook>();
        var first = await HandlerProcess.StartAsync(azurite.ConnectionString, prefix);
        HandlerProcess? second = null;
        try
        {
            // Phase 1: the stream until the host is killed; whatever was in flight then gets no answer.
            var killing = 0;
            var killed = false;
            await WebhookStream.SendAllAsync(stream.Items, Senders, async webhook =>
            {
                if (Volatile.Read(ref killed))
                {
                    return; // not sent before the crash: sent after the restart
                }

                var outcome = await stream.DeliverOnceAsync(first, webhook);
                if (outcome is DeliveryOutcome.Unavailable or DeliveryOutcome.Unanswered)
                {
                    unanswered[webhook.Wamid] = webhook;
                }

                if (outcome == DeliveryOutcome.Acknowledged && stream.AcknowledgedWamids.Count >= KillAfterAcknowledged && Interlocked.Exchange(ref killing, 1) == 0)
                {
                    await first.KillAsync(); // SIGKILL to the host's process id, while the other senders wait for answers
                    Volatile.Write(ref killed, true);
                }
            });
            var acknowledgedBeforeKill = stream.AcknowledgedWamids.Count;
            var unansweredAtKill = unanswered.Count;
            Assert.True(Volatile.Read(ref killed), "the host was never killed");
            Assert.True(unansweredAtKill > 0, "no webhook was in flight when the host was killed");

            // Phase 2: restarted on the same tables; Meta delivers the unanswered again, some acknowledged ones once more,
            // and the rest of the stream for the first time, in no particular order.
            second = await HandlerProcess.StartAsync(azurite.ConnectionString, prefix);
            var random = new Random(19);
            var redeliveredAcknowledged = stream.Items.Where(stream.IsAcknowledged).Where(_ => random.Next(4) == 0).ToList();
            var rest = stream.Items.Where(w => !stream.IsAcknowledged(w) && !unanswered.ContainsKey(w.Wamid)).ToList();
            var work = unanswered.Values.Concat(redeliveredAcknowledged).Concat(rest).OrderBy(_ => random.Next()).ToList();
            var restarted = second;
            await WebhookStream.SendAllAsync(work, Senders, webhook => stream.DeliverUntilAcknowledgedAsync(restarted, webhook));

            Assert.True(stream.Unexpected.IsEmpty, string.Join("\n", stream.Unexpected.Take(20)));
            Assert.Equal(Webhooks, stream.AcknowledgedWamids.Count);
            var stored = await stream.AssertStoredExactlyOnceAndStateAgreesAsync(LedgerInvariants.TablesLedger(azurite.ConnectionString, prefix));
            output.WriteLine($"SIGKILL mid-stream: webhooks sent {Webhooks}, acknowledged before the kill {acknowledgedBeforeKill}, "
                + $"unanswered (in flight at the kill, or sent before the restart) {unansweredAtKill}, redelivered after the restart {unanswered.Count + redeliveredAcknowledged.Count} "
                + $"({redeliveredAcknowledged.Count} already acknowledged), acknowledged {stream.AcknowledgedWamids.Count} "
                + $"({stream.Acknowledgements} 200s), stored {stored}, doubled 0, lost {Webhooks - stored}");
            Assert.Equal(Webhooks, stored);
        }
        finally
        {
            await first.DisposeAsync();
            if (second is not null)
            {
                await second.DisposeAsync();
            }
        }
    }
}
