using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Meta.Signing;
using Smartspace.Testing;

namespace Smartspace.Functions.Tests.Features.Reliability;

/// <summary>One inbound text message as Meta delivers it: its <c>wamid</c> and the raw body that is signed and POSTed.</summary>
public sealed record Webhook(int Index, string Wamid, string Body);

public enum DeliveryOutcome
{
    /// <summary>200: Meta considers it delivered and never sends it again on its own.</summary>
    Acknowledged,
    /// <summary>503: the store is down; Meta delivers it again later.</summary>
    Unavailable,
    /// <summary>No answer at all (the process died, or nothing listens): Meta delivers it again later.</summary>
    Unanswered,
    /// <summary>Anything else (a 500 above all): a failure of the test.</summary>
    Unexpected,
}

/// <summary>
/// A stream of distinct inbound text webhooks from a few customers of the demo channel, delivered the way Meta does
/// (a non-2xx or no answer is delivered again later), and the ledger checks the reliability tests make afterwards.
/// </summary>
public sealed class WebhookStream
{
    private readonly ConcurrentDictionary<string, int> acknowledged = new();

    public WebhookStream(string name, int count, int customers)
    {
        // Meta's timestamps are whole seconds; recent, so every message falls in an open window.
        var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddMinutes(-30).ToUnixTimeSeconds());
        Items = Enumerable.Range(0, count).Select(i =>
        {
            var customer = i % customers + 1;
            var wamid = $"wamid.{name}.{i}";
            return new Webhook(i, wamid, MetaPayloads.Text(Desk.WaId(Desk.Mobile(customer)), wamid, start.AddSeconds(i), $"mensagem {i}", $"Cliente {customer}"));
        }).ToList();
    }

    public IReadOnlyList<Webhook> Items { get; }

    /// <summary>
    /// After a crash or an outage: waits (bounded by <paramref name="timeout"/>) until every acknowledged message is placed
    /// and the task hub is quiet. After a failure, DTFx may keep hiding early entity answers for minutes (each time for
    /// twice as long, up to 10 min; see <see cref="StagedMessages.OnlyHiddenMessagesLeftAsync"/>) although nothing waits
    /// on them any more: when nothing is staged, only such hidden messages are left, and no customer or agent entity is
    /// locked, for <see cref="HiddenOnlySettle"/> in a row, that counts as placed. Anything else at the bound fails, with
    /// each staged message's entity named, or the entities left locked.
    /// </summary>
    public static async Task WaitPlacedAfterFailureAsync(string connectionString, string prefix, TimeSpan timeout, string failure, Xunit.Abstractions.ITestOutputHelper output)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TimeSpan? hiddenOnlySince = null;
        while (true)
        {
            try
            {
                await StagedMessages.WaitPlacedAsync(connectionString, prefix, timeout: HiddenOnlyPoll);
                return;
            }
            catch (TimeoutException e)
            {
                var staged = (await StagedMessages.ListAsync(connectionString, prefix)).Count;
                var hiddenOnly = staged == 0 && await StagedMessages.OnlyHiddenMessagesLeftAsync(connectionString, TestDurable.TaskHubFor(prefix));
                var locked = hiddenOnly ? await LedgerInvariants.LockedEntitiesAsync(connectionString, prefix, HandlerFactory.TenantId) : [];
                hiddenOnlySince = hiddenOnly && locked.Count == 0 ? hiddenOnlySince ?? clock.Elapsed : null;
                if (hiddenOnlySince is { } since && clock.Elapsed - since >= HiddenOnlySettle)
                {
                    output.WriteLine($"after the {failure}, only messages DTFx holds back are left in the task hub (nothing staged, no entity locked, for {HiddenOnlySettle.TotalSeconds:0} s): " + e.Message);
                    return;
                }

                if (clock.Elapsed >= timeout)
                {
                    if (!hiddenOnly)
                    {
                        throw new TimeoutException($"Not placed within {timeout.TotalSeconds:0} s after the {failure}: " + e.Message + "\n" + await LedgerInvariants.DescribeStagedAsync(connectionString, prefix), e);
                    }

                    Assert.Fail($"entities left locked after the {failure}:\n" + string.Join("\n", locked) + "\n" + e.Message);
                }
            }
        }
    }

    /// <summary>How often <see cref="WaitPlacedAfterFailureAsync"/> looks again when the task hub is not quiet yet.</summary>
    private static readonly TimeSpan HiddenOnlyPoll = TimeSpan.FromSeconds(3);

    /// <summary>How long "nothing staged, only hidden messages, no entity locked" must hold before it counts as placed.</summary>
    private static readonly TimeSpan HiddenOnlySettle = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the checks wait for placement after a crash or an outage: a host's Durable runtime takes a partition only
    /// once the previous owner's lease (30 s in DTFx's Azure Storage provider) has expired, then catches up.
    /// </summary>
    public static readonly TimeSpan PlacementAfterRestart = TimeSpan.FromSeconds(120);

    /// <summary>
    /// After a storage outage, longer: an orchestration that held a customer's lock when its checkpoint failed gets the
    /// entity's answers back only after it replays, and DTFx's Azure Storage provider hides such an answer, each time it
    /// arrives too early, for twice as long as the time before (2, 4, 8 … 128 s). Measured: one run in a few needed more
    /// than 120 s to place the last messages behind such a lock; none is lost meanwhile.
    /// </summary>
    public static readonly TimeSpan PlacementAfterOutage = TimeSpan.FromSeconds(300);

    /// <summary>Answers that were neither 200, 503 nor "no answer" (a 500 above all).</summary>
    public ConcurrentQueue<string> Unexpected { get; } = new();

    /// <summary>How many deliveries were answered 200, duplicates included.</summary>
    public int Acknowledgements => acknowledged.Values.Sum();

    /// <summary>Distinct webhooks answered 200 at least once.</summary>
    public IReadOnlyCollection<string> AcknowledgedWamids => acknowledged.Keys.ToList();

    public bool IsAcknowledged(Webhook webhook) => acknowledged.ContainsKey(webhook.Wamid);

    /// <summary>One delivery of <paramref name="webhook"/> to <paramref name="handler"/> (no wait for its placement).</summary>
    public async Task<DeliveryOutcome> DeliverOnceAsync(HandlerProcess handler, Webhook webhook)
    {
        try
        {
            using var response = await handler.SendWebhookAsync(webhook.Body);
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    acknowledged.AddOrUpdate(webhook.Wamid, 1, (_, n) => n + 1);
                    return DeliveryOutcome.Acknowledged;
                case HttpStatusCode.ServiceUnavailable:
                    return DeliveryOutcome.Unavailable;
                default:
                    Unexpected.Enqueue($"{webhook.Wamid}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    return DeliveryOutcome.Unexpected;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return DeliveryOutcome.Unanswered;
        }
    }

    /// <summary>
    /// A delivery caught by a crash for certain: the headers and half of the signed body are sent, then
    /// <paramref name="halfSent"/> completes and the rest waits for <paramref name="rest"/> — the host is reading the body
    /// when it dies. Meta gets no answer and delivers it again later.
    /// </summary>
    public async Task<DeliveryOutcome> DeliverHeldOpenAsync(HandlerProcess handler, Webhook webhook, TaskCompletionSource halfSent, Task rest)
    {
        var bytes = Encoding.UTF8.GetBytes(webhook.Body);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/whatsapp/webhook") { Content = new HalfThenRest(bytes, halfSent, rest) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", MetaSignature.Compute(HandlerProcess.AppSecret, bytes));
        try
        {
            using var response = await handler.Http.SendAsync(request);
            Unexpected.Enqueue($"{webhook.Wamid}: answered {(int)response.StatusCode} while the host was being killed");
            return DeliveryOutcome.Unexpected;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            halfSent.TrySetResult(); // (if it failed before sending anything, the caller must not wait)
            return DeliveryOutcome.Unanswered;
        }
    }

    private sealed class HalfThenRest(byte[] bytes, TaskCompletionSource halfSent, Task rest) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
            await stream.FlushAsync();
            halfSent.TrySetResult();
            await rest;
            await stream.WriteAsync(bytes.AsMemory(bytes.Length / 2));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = bytes.Length;
            return true;
        }
    }

    /// <summary>Meta's retries: delivers until it is answered 200 (bounded), waiting a little after a 503 or no answer.</summary>
    public async Task DeliverUntilAcknowledgedAsync(HandlerProcess handler, Webhook webhook, int maxAttempts = 20)
    {
        for (var attempt = 0; attempt < maxAttempts; attempt++)
        {
            var outcome = await DeliverOnceAsync(handler, webhook);
            if (outcome is DeliveryOutcome.Acknowledged or DeliveryOutcome.Unexpected)
            {
                return;
            }

            await Task.Delay(200);
        }

        Unexpected.Enqueue($"{webhook.Wamid}: not acknowledged after {maxAttempts} deliveries");
    }

    /// <summary>Runs <paramref name="work"/> on <paramref name="senders"/> concurrent senders, each taking the next item.</summary>
    public static Task SendAllAsync(IReadOnlyList<Webhook> work, int senders, Func<Webhook, Task> deliver)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < work.Count; i = Interlocked.Increment(ref next))
            {
                await deliver(work[i]);
            }
        })));
    }

    /// <summary>
    /// P3 and the state's agreement with the timeline, read straight from the store: every webhook of the stream is stored
    /// exactly once (one message, one dedupe row naming its conversation), nothing else is stored, each conversation's
    /// sequence, version and last inbound time agree with its stored messages, and the R12–R15 invariants hold (customer
    /// rows, agents' open lists and the queue agree with the conversations). Returns how many distinct webhooks are stored.
    /// Wait for placement first (<see cref="StagedMessages.WaitPlacedAsync"/>): an acknowledged message may still be staged.
    /// </summary>
    public async Task<int> AssertStoredExactlyOnceAndStateAgreesAsync(LedgerStore ledger, Smartspace.Durable.Client.IConversationEntities entities)
    {
        var tenantId = HandlerFactory.TenantId;
        var messages = (await ledger.QueryAllAsync(tenantId, "msg|", CancellationToken.None)).Select(MessageRow.From).ToList();
        var conversations = (await ledger.QueryAllAsync(tenantId, Keys.ConversationPrefix, CancellationToken.None)).Select(ConversationRow.From).ToDictionary(c => c.ConversationId);
        var byWamid = messages.Where(m => m.Wamid is not null).GroupBy(m => m.Wamid!).ToDictionary(g => g.Key, g => g.ToList());
        var problems = new List<string>();
        foreach (var webhook in Items)
        {
            var stored = byWamid.GetValueOrDefault(webhook.Wamid) ?? [];
            if (stored.Count != 1)
            {
                problems.Add($"{webhook.Wamid} stored {stored.Count} times");
                continue;
            }

            var dedupe = await ledger.GetAsync(tenantId, Keys.Wamid(webhook.Wamid), CancellationToken.None);
            if (dedupe?.GetString("ConversationId") != stored[0].ConversationId)
            {
                problems.Add($"{webhook.Wamid}: dedupe row names {dedupe?.GetString("ConversationId") ?? "nothing"}, the message is in {stored[0].ConversationId}");
            }
        }

        var known = Items.Select(w => w.Wamid).ToHashSet();
        problems.AddRange(messages.Where(m => m.Wamid is null || !known.Contains(m.Wamid)).Select(m => $"a message nobody sent: {m.ConversationId} #{m.Seq} {m.Wamid}"));

        foreach (var group in messages.GroupBy(m => m.ConversationId))
        {
            if (!conversations.TryGetValue(group.Key, out var conversation))
            {
                problems.Add($"{group.Count()} messages in missing conversation {group.Key}");
                continue;
            }

            var seqs = group.Select(m => m.Seq).Order().ToList();
            if (!seqs.SequenceEqual(Enumerable.Range(1, seqs.Count).Select(n => (long)n)) || conversation.MessageSeq != seqs.Count)
            {
                problems.Add($"{group.Key}: message sequence {conversation.MessageSeq}, stored seqs [{string.Join(",", seqs)}]");
            }

            var lastInbound = group.Where(m => m.Direction == "in").Max(m => (DateTimeOffset?)m.At);
            if (conversation.LastInboundAt != lastInbound)
            {
                problems.Add($"{group.Key}: last inbound {conversation.LastInboundAt:O}, newest stored inbound message {lastInbound:O}");
            }

            if (conversation.Version < group.Max(m => m.Version))
            {
                problems.Add($"{group.Key}: version {conversation.Version} behind a message's version {group.Max(m => m.Version)}");
            }
        }

        problems.AddRange(conversations.Values.Where(c => c.MessageSeq > 0 && !messages.Any(m => m.ConversationId == c.ConversationId))
            .Select(c => $"{c.ConversationId}: sequence {c.MessageSeq} but no stored message"));
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(30)));
        await LedgerInvariants.AssertHoldAsync(ledger, entities, tenantId);
        return Items.Count(w => byWamid.ContainsKey(w.Wamid));
    }
}
