using System.Collections.Concurrent;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Testing;

namespace Smartspace.Functions.Tests.Features.Reliability;

/// <summary>
/// P3 across a crash: the local host is killed with SIGKILL while several senders stream signed webhooks at it, then
/// started again on the same store (Azure Tables on Azurite, as the run command uses it). Like Meta, every webhook that got no 200 is delivered
/// again, and some that did get a 200 arrive once more. Every webhook answered 200 is stored exactly once, the
/// conversation, customer and agent rows agree with the stored messages, and the redeliveries converge: nothing lost,
/// nothing doubled.
/// </summary>
[Collection(FailureDrillCollection.Name)]
public sealed class CrashRecoveryTests(AzuriteFixture azurite, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Webhooks = 240;
    private const int Customers = 10;
    private const int Senders = 4;
    private const int KillAfterAcknowledged = 80;

    private static readonly Dictionary<string, string> AfterCrash = new() { ["Durable__CompletionTimeout"] = "00:02:00" };

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
            // The last webhook of the stream is the one certainly caught by the crash: half its body is sent when the
            // SIGKILL comes. Others are caught too when the timing allows it.
            var held = stream.Items[^1];
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var killing = 0;
            var killed = false;
            var killedAt = long.MaxValue;
            var inFlightAtKill = 0;
            await WebhookStream.SendAllAsync(stream.Items.Take(Webhooks - 1).ToList(), Senders, async webhook =>
            {
                if (Volatile.Read(ref killed))
                {
                    return; // not sent before the crash: sent after the restart
                }

                var sentAt = clock.ElapsedTicks;
                var outcome = await stream.DeliverOnceAsync(first, webhook);
                if (outcome is DeliveryOutcome.Unavailable or DeliveryOutcome.Unanswered)
                {
                    unanswered[webhook.Wamid] = webhook;
                    if (sentAt < Volatile.Read(ref killedAt))
                    {
                        Interlocked.Increment(ref inFlightAtKill); // sent before the SIGKILL, never answered
                    }
                }

                if (outcome == DeliveryOutcome.Acknowledged && stream.AcknowledgedWamids.Count >= KillAfterAcknowledged && Interlocked.Exchange(ref killing, 1) == 0)
                {
                    var halfSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    var dead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    var heldDelivery = stream.DeliverHeldOpenAsync(first, held, halfSent, dead.Task);
                    await halfSent.Task.WaitAsync(TimeSpan.FromSeconds(30));
                    Volatile.Write(ref killedAt, clock.ElapsedTicks);
                    Volatile.Write(ref killed, true); // nothing new is sent to the dying host; what is in flight stays so
                    await first.KillAsync(); // SIGKILL to the host's process id, while the other senders wait for answers
                    dead.SetResult();
                    if (await heldDelivery == DeliveryOutcome.Unanswered)
                    {
                        unanswered[held.Wamid] = held;
                        Interlocked.Increment(ref inFlightAtKill);
                    }
                }
            });
            var acknowledgedBeforeKill = stream.AcknowledgedWamids.Count;
            var unansweredBeforeRestart = unanswered.Count;
            Assert.True(Volatile.Read(ref killed), "the host was never killed");
            Assert.True(unanswered.ContainsKey(held.Wamid), "the webhook held open was answered although the host died reading it");

            // Phase 2: restarted on the same tables; Meta delivers the unanswered again, some acknowledged ones once more,
            // and the rest of the stream for the first time, in no particular order.
            // The dead host's partition lease (and the entity locks of what it had in flight) lasts until it expires, about
            // 30 s after the kill: the restarted host's start-up (seeding runs orchestrations) waits that long, not 30 s.
            second = await HandlerProcess.StartAsync(azurite.ConnectionString, prefix, AfterCrash);
            var random = new Random(19);
            var redeliveredAcknowledged = stream.Items.Where(stream.IsAcknowledged).Where(_ => random.Next(4) == 0).ToList();
            var rest = stream.Items.Where(w => !stream.IsAcknowledged(w) && !unanswered.ContainsKey(w.Wamid)).ToList();
            var work = unanswered.Values.Concat(redeliveredAcknowledged).Concat(rest).OrderBy(_ => random.Next()).ToList();
            var restarted = second;
            await WebhookStream.SendAllAsync(work, Senders, webhook => stream.DeliverUntilAcknowledgedAsync(restarted, webhook));

            Assert.True(stream.Unexpected.IsEmpty, string.Join("\n", stream.Unexpected.Take(20)));
            Assert.Equal(Webhooks, stream.AcknowledgedWamids.Count);
            // What the killed host acknowledged but had not placed is placed by the restarted one (same store, same task hub)
            // once the dead worker's partition leases expire.
            await WebhookStream.WaitPlacedAfterFailureAsync(azurite.ConnectionString, prefix, WebhookStream.PlacementAfterRestart, "crash", output);

            var stored = await stream.AssertStoredExactlyOnceAndStateAgreesAsync(LedgerInvariants.TablesLedger(azurite.ConnectionString, prefix), await LedgerInvariants.TablesEntitiesAsync(azurite.ConnectionString, prefix));
            output.WriteLine($"SIGKILL mid-stream (Tables on Azurite): webhooks sent {Webhooks}, acknowledged before the kill {acknowledgedBeforeKill}, "
                + $"in flight at the kill {inFlightAtKill}, unanswered before the restart {unansweredBeforeRestart}, "
                + $"redelivered after the restart {unanswered.Count + redeliveredAcknowledged.Count} "
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
