using Microsoft.Extensions.Logging.Abstractions;
using Smartspace.Functions.Features.Outbound;
using Smartspace.Functions.Features.Templates;
using Smartspace.Functions.Health;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Functions.Tests.Features.MetaWebhook;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Meta.Graph;
using Smartspace.Meta.Sending;
using Smartspace.Storage;

namespace Smartspace.Functions.Tests.Features.Outbound;

/// <summary>
/// Reads and steers the transactional outbox of a <see cref="HandlerFactory"/>. The in-process worker sends a
/// committed message at once, in the background; hosted sweeps are off, so after that first send nothing
/// happens until a test calls <see cref="OutboxDispatcher.SweepAsync"/> (with the fake clock where it wants it).
/// </summary>
public static class OutboxProbe
{
    public static Task<Entity?> OutboxEntryAsync(this HandlerFactory factory, string ourMessageId) =>
        factory.Get<LedgerStore>().GetAsync(HandlerFactory.TenantId, Keys.Outbox(ourMessageId), CancellationToken.None);

    public static async Task<MessageRow> MessageAsync(this HandlerFactory factory, string ourMessageId)
    {
        Assert.True(Keys.TryParseOurMessageId(ourMessageId, out var conversationId, out var seq), ourMessageId);
        return await factory.Get<LedgerStore>().GetMessageAsync(HandlerFactory.TenantId, conversationId, seq, CancellationToken.None)
            ?? throw new Xunit.Sdk.XunitException($"Message {ourMessageId} is missing.");
    }

    /// <summary>
    /// Waits (bounded) until the fake Graph API has received <paramref name="sends"/> requests and the outcome of
    /// the last one is committed: the entry is gone or no longer in flight (the claim precedes the send).
    /// </summary>
    public static async Task<Entity?> WaitForSendsAsync(this HandlerFactory factory, string ourMessageId, int sends)
    {
        await LedgerProbe.EventuallyAsync(() => Task.FromResult(factory.Sender.Requests.Count >= sends), $"{sends} send(s) of {ourMessageId}");
        Entity? entry = null;
        await LedgerProbe.EventuallyAsync(async () =>
        {
            entry = await factory.OutboxEntryAsync(ourMessageId);
            return entry?.GetString("State") != OutboxStates.InFlight;
        }, $"the outcome of send {sends} of {ourMessageId} to be committed");
        return entry;
    }

    /// <summary>Runs the retry sweep once (the <c>outbox-retry</c> timer).</summary>
    public static Task<int> SweepAsync(this HandlerFactory factory) =>
        factory.Get<OutboxDispatcher>().SweepAsync(CancellationToken.None);

    public static int SendCount(this HandlerFactory factory) => factory.Sender.Requests.Count;

    public static OutboundRequest LastRequest(this HandlerFactory factory) => factory.Sender.Requests.Last();

    /// <summary>The product's template sync over the test host's catalog, events, health and clock, reading from <paramref name="templates"/>.</summary>
    public static TemplateSync TemplateSync(this HandlerFactory factory, IMessageTemplateSource templates) => new(
        factory.Get<ContactCenterDirectory>(), factory.Get<TemplateCatalog>(), templates, factory.Get<IAgentEventPublisher>(), factory.Get<MetaAccessHealth>(),
        factory.Clock, NullLogger<TemplateSync>.Instance);
}

/// <summary>What the fake Graph API answers, shaped like <see cref="Meta.Graph.GraphApiClient"/> classifies Meta's answers.</summary>
public static class Outcomes
{
    private static int counter;

    public static SendOutcome Accepted(OutboundRequest request) =>
        new SendOutcome.Accepted($"wamid.OUT{Interlocked.Increment(ref counter):D6}", request.ToE164.TrimStart('+'), null);

    /// <summary>130429: Cloud API throughput reached (synchronous Graph error, HTTP 400 per Meta's examples).</summary>
    public static SendOutcome ThroughputReached(OutboundRequest request) =>
        new SendOutcome.Rejected(MetaErrorCodes.ThroughputReached, "(#130429) Rate limit hit", "Cloud API message throughput has been reached.", 400,
            MetaErrorCodes.Classify(MetaErrorCodes.ThroughputReached, 400, request.Attempt));

    /// <summary>131056: too many messages to this recipient; Meta's pacing is 4^X seconds.</summary>
    public static SendOutcome PairRateLimited(OutboundRequest request) =>
        new SendOutcome.Rejected(MetaErrorCodes.PairRateLimit, "(#131056) (Business Account, Consumer Account) pair rate limit hit", null, 400,
            MetaErrorCodes.Classify(MetaErrorCodes.PairRateLimit, 400, request.Attempt));

    /// <summary>A 503 without a Meta error body.</summary>
    public static SendOutcome ServerError(OutboundRequest request) =>
        new SendOutcome.Rejected(null, "Service Unavailable", null, 503, MetaErrorCodes.Classify(null, 503, request.Attempt));

    /// <summary>The request may have reached Meta (timeout after sending): never re-send blindly.</summary>
    public static SendOutcome TimedOut(OutboundRequest request) =>
        new SendOutcome.Rejected(null, "timed out", null, null, RejectionKind.Ambiguous);

    /// <summary>131047 answered synchronously (the window is closed at Meta).</summary>
    public static SendOutcome Reengagement(OutboundRequest request) =>
        new SendOutcome.Rejected(MetaErrorCodes.ReEngagement, "Re-engagement message",
            "Message failed to send because more than 24 hours have passed since the customer last replied to this number.", 400, RejectionKind.Permanent);

    /// <summary>Answers the first <paramref name="failures"/> sends with <paramref name="failure"/>, then accepts.</summary>
    public static Func<OutboundRequest, SendOutcome> FailThenAccept(int failures, Func<OutboundRequest, SendOutcome> failure)
    {
        var calls = 0;
        return request => Interlocked.Increment(ref calls) <= failures ? failure(request) : Accepted(request);
    }
}
