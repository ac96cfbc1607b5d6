using Microsoft.Extensions.DependencyInjection;
using Smartspace.Core.Text;
using Smartspace.Functions.Features.Outbound;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Features.MetaWebhook;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Meta.Sending;
using Smartspace.Storage;

namespace Smartspace.Functions.Tests.Features.Outbound;

/// <summary>
/// The outbox against a Graph API that fails (reference §7, §9, §11): retryable refusals are sent again only
/// when Meta's pacing allows, permanent ones and exhausted retries fail the message with pt-BR text, and a
/// send that may have reached Meta is never sent twice — there is no idempotency key, only statuses tell.
/// Time moves only with the fake clock; every sweep after the first send is explicit.
/// </summary>
public sealed class OutboxRetryTests : IDisposable
{
    private const string Typed = "11987654321";
    private readonly HandlerFactory factory = new();

    private async Task<string> StartTemplateAsync(Func<OutboundRequest, SendOutcome> behaviour)
    {
        factory.Sender.Behaviour = behaviour;
        var started = await factory.ClientFor("ana").StartCreatedAsync(Typed, Desk.Retomada());
        return started.GetProperty("messages")[0].GetProperty("id").GetString()!;
    }

    private static DateTimeOffset NextAttemptAt(Entity? entry) =>
        entry?.GetDateTimeOffset("NextAttemptAt") ?? throw new Xunit.Sdk.XunitException("The outbox entry has no NextAttemptAt.");

    [Fact]
    public async Task P3_RateLimited130429_ThenAccepted_SendsExactlyTwice_SecondOnlyWhenDue()
    {
        var ourId = await StartTemplateAsync(Outcomes.FailThenAccept(1, Outcomes.ThroughputReached));
        var entry = await factory.WaitForSendsAsync(ourId, 1);
        var firstAt = factory.Clock.GetUtcNow();

        Assert.Equal(OutboxStates.Pending, entry!.GetString("State"));
        Assert.Equal(1, entry.GetInt32("Attempts"));
        Assert.Equal(130429, entry.GetInt32("LastError"));
        var due = NextAttemptAt(entry);
        Assert.Equal(firstAt + MetaErrorCodes.RetryDelay(130429, 0), due);

        // While it retries, the agent reads why and that the resend is automatic, and when it happens.
        var retrying = await factory.MessageAsync(ourId);
        Assert.Equal(("retrying", 130429, PtBr.MetaRateLimited130429, "automatic_retry", due),
            (retrying.Status, retrying.ErrorCode, retrying.ErrorText, retrying.NextStep, retrying.RetryAt));

        // Not yet due: sweeps send nothing.
        Assert.Equal(0, await factory.SweepAsync());
        factory.Clock.SetUtcNow(due - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, await factory.SweepAsync());
        Assert.Equal(1, factory.SendCount());

        factory.Clock.SetUtcNow(due);
        Assert.Equal(1, await factory.SweepAsync());
        Assert.Null(await factory.WaitForSendsAsync(ourId, 2));

        var message = await factory.MessageAsync(ourId);
        Assert.Equal("accepted", message.Status);
        Assert.StartsWith("wamid.OUT", message.Wamid);
        Assert.Equal((null, null, null, null), (message.ErrorCode, message.ErrorText, message.NextStep, message.RetryAt));
        Assert.Equal(1, factory.LastRequest().Attempt);

        // Done: any number of later sweeps sends nothing more.
        for (var i = 0; i < 5; i++)
        {
            factory.Clock.Advance(TimeSpan.FromMinutes(5));
            Assert.Equal(0, await factory.SweepAsync());
        }

        Assert.Equal(2, factory.SendCount());
    }

    [Fact]
    public async Task P3_PairRateLimit131056_BacksOffFourToTheX_ThenGivesUpWithPtBrText()
    {
        var ourId = await StartTemplateAsync(Outcomes.PairRateLimited);
        var maxAttempts = OutboundRetryPolicy.Default.MaxAttempts;
        var entry = await factory.WaitForSendsAsync(ourId, 1);

        var delays = new List<TimeSpan>();
        for (var attempt = 1; attempt < maxAttempts; attempt++)
        {
            var now = factory.Clock.GetUtcNow();
            var due = NextAttemptAt(entry);
            delays.Add(due - now);
            Assert.Equal(attempt, entry!.GetInt32("Attempts"));

            factory.Clock.SetUtcNow(due - TimeSpan.FromMilliseconds(1));
            Assert.Equal(0, await factory.SweepAsync());
            Assert.Equal(attempt, factory.SendCount());

            factory.Clock.SetUtcNow(due);
            Assert.Equal(1, await factory.SweepAsync());
            entry = await factory.WaitForSendsAsync(ourId, attempt + 1);
            Assert.Equal(attempt, factory.LastRequest().Attempt);
        }

        // 4^X seconds, X = 0, 1, 2… (reference §11).
        Assert.Equal(Enumerable.Range(0, maxAttempts - 1).Select(x => TimeSpan.FromSeconds(Math.Pow(4, x))), delays);

        // The last attempt was refused too: given up, the message failed with Meta's code and the agent's text.
        Assert.Null(entry);
        var message = await factory.MessageAsync(ourId);
        Assert.Equal("failed", message.Status);
        Assert.Equal(131056, message.ErrorCode);
        Assert.Equal(PtBr.MetaPairRateLimited131056, message.ErrorText);
        Assert.Equal("resend_may_help", message.NextStep);
        Assert.Null(message.RetryAt);

        factory.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await factory.SweepAsync());
        Assert.Equal(maxAttempts, factory.SendCount());

        Assert.True(Keys.TryParseOurMessageId(ourId, out var conversationId, out _));
        var detail = await factory.ClientFor("ana").GetJsonAsync($"{Desk.Conversations}/{conversationId}");
        var view = detail.GetProperty("messages")[0];
        Assert.Equal("failed", view.GetProperty("status").GetString());
        Assert.Equal(PtBr.MetaPairRateLimited131056, view.GetProperty("errorText").GetString());
        Assert.Equal("resend_may_help", view.GetProperty("nextStep").GetString());
    }

    [Fact]
    public async Task P3_ServerError5xx_IsRetried_ThenAccepted()
    {
        var ourId = await StartTemplateAsync(Outcomes.FailThenAccept(2, Outcomes.ServerError));

        var entry = await factory.WaitForSendsAsync(ourId, 1);
        factory.Clock.SetUtcNow(NextAttemptAt(entry));
        await factory.SweepAsync();
        entry = await factory.WaitForSendsAsync(ourId, 2);
        Assert.Equal(OutboxStates.Pending, entry!.GetString("State"));
        Assert.Equal(2, entry.GetInt32("Attempts"));

        factory.Clock.SetUtcNow(NextAttemptAt(entry));
        await factory.SweepAsync();
        Assert.Null(await factory.WaitForSendsAsync(ourId, 3));

        Assert.Equal(3, factory.SendCount());
        Assert.Equal("accepted", (await factory.MessageAsync(ourId)).Status);
    }

    [Fact]
    public async Task P3_AmbiguousSend_IsNeverResent_AndALaterSentStatusWithOurIdSettlesIt()
    {
        var ourId = await StartTemplateAsync(Outcomes.TimedOut);
        var entry = await factory.WaitForSendsAsync(ourId, 1);
        Assert.Equal(OutboxStates.Ambiguous, entry!.GetString("State"));
        var unconfirmed = await factory.MessageAsync(ourId);
        Assert.Equal(("unconfirmed", PtBr.SendUnconfirmed, "check_before_resending"), (unconfirmed.Status, unconfirmed.ErrorText, unconfirmed.NextStep));

        var awaitUntil = entry.GetDateTimeOffset("AwaitUntil")!.Value;
        while (factory.Clock.GetUtcNow() + TimeSpan.FromMinutes(1) < awaitUntil)
        {
            factory.Clock.Advance(TimeSpan.FromMinutes(1));
            await factory.SweepAsync();
        }

        Assert.Equal(1, factory.SendCount());

        // Meta did take it: its status carries our id as biz_opaque_callback_data (reference §10).
        await (await factory.PostWebhookAsync(MetaPayloads.Status("wamid.AMBIGUOUS.1", "sent", factory.Clock.GetUtcNow(), "55" + Typed, ourId))).AssertOkAsync();

        Assert.Null(await factory.OutboxEntryAsync(ourId));
        var message = await factory.MessageAsync(ourId);
        Assert.Equal("sent", message.Status);
        Assert.Equal("wamid.AMBIGUOUS.1", message.Wamid);
        Assert.Equal((null, null), (message.ErrorText, message.NextStep));

        factory.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await factory.SweepAsync());
        Assert.Equal(1, factory.SendCount());
        Assert.Equal("sent", (await factory.MessageAsync(ourId)).Status);
    }

    [Fact]
    public async Task P3_AmbiguousSend_WithoutAnyStatus_IsShownUnconfirmed_NotResent()
    {
        var ourId = await StartTemplateAsync(Outcomes.TimedOut);
        var entry = await factory.WaitForSendsAsync(ourId, 1);
        var awaitUntil = entry!.GetDateTimeOffset("AwaitUntil")!.Value;
        Assert.Equal(factory.Clock.GetUtcNow() + OutboundRetryPolicy.Default.StatusWait, awaitUntil);

        // Unconfirmed from the moment the send ended ambiguously: Meta may have it, so no "try again".
        var shown = await factory.MessageAsync(ourId);
        Assert.Equal(("unconfirmed", PtBr.SendUnconfirmed, "check_before_resending"), (shown.Status, shown.ErrorText, shown.NextStep));
        factory.Clock.SetUtcNow(awaitUntil - TimeSpan.FromMilliseconds(1));
        await factory.SweepAsync();
        Assert.NotNull(await factory.OutboxEntryAsync(ourId));

        factory.Clock.SetUtcNow(awaitUntil);
        Assert.Equal(1, await factory.SweepAsync());

        // The wait is over: the entry goes, the message stays as shown (same version: no second event for it).
        Assert.Null(await factory.OutboxEntryAsync(ourId));
        var message = await factory.MessageAsync(ourId);
        Assert.Equal("unconfirmed", message.Status);
        Assert.Equal(PtBr.SendUnconfirmed, message.ErrorText);
        Assert.Equal(shown.Version, message.Version);
        for (var i = 0; i < 3; i++)
        {
            factory.Clock.Advance(TimeSpan.FromMinutes(30));
            Assert.Equal(0, await factory.SweepAsync());
        }

        Assert.Equal(1, factory.SendCount());

        // A status that shows up even later still tells the truth (an unconfirmed message has no known Meta status yet).
        // ...and clears what it contradicts: no leftover warning next to "delivered".
        await (await factory.PostWebhookAsync(MetaPayloads.Status("wamid.LATE.1", "delivered", factory.Clock.GetUtcNow(), "55" + Typed, ourId))).AssertOkAsync();
        var delivered = await factory.MessageAsync(ourId);
        Assert.Equal(("delivered", null, null, null), (delivered.Status, delivered.ErrorCode, delivered.ErrorText, delivered.NextStep));
    }

    [Fact]
    public async Task P3_CrashedInFlightEntry_IsTreatedAsAmbiguous_NotResent()
    {
        // First try refused as retryable, so the entry is pending and due later; then the "process dies"
        // right after claiming it: state inflight, InFlightSince long ago.
        var ourId = await StartTemplateAsync(Outcomes.FailThenAccept(1, Outcomes.ThroughputReached));
        var entry = await factory.WaitForSendsAsync(ourId, 1);
        factory.Clock.SetUtcNow(NextAttemptAt(entry));
        var claimedAt = factory.Clock.GetUtcNow();
        entry!["State"] = OutboxStates.InFlight;
        entry["InFlightSince"] = claimedAt;
        Assert.True((await factory.Get<LedgerStore>().SubmitAsync([EntityOperation.Replace(entry)], CancellationToken.None)).Succeeded);

        // Still within the in-flight timeout: maybe another instance is sending right now; leave it.
        factory.Clock.SetUtcNow(claimedAt + OutboxDispatcher.InFlightTimeout - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, await factory.SweepAsync());
        Assert.Equal(OutboxStates.InFlight, (await factory.OutboxEntryAsync(ourId))!.GetString("State"));

        // Timed out: it may have reached Meta, so it waits for a status instead of being sent again.
        factory.Clock.SetUtcNow(claimedAt + OutboxDispatcher.InFlightTimeout);
        Assert.Equal(1, await factory.SweepAsync());
        var ambiguous = await factory.OutboxEntryAsync(ourId);
        Assert.Equal(OutboxStates.Ambiguous, ambiguous!.GetString("State"));
        for (var i = 0; i < 5; i++)
        {
            factory.Clock.Advance(TimeSpan.FromMinutes(1));
            await factory.SweepAsync();
        }

        Assert.Equal(1, factory.SendCount());

        factory.Clock.SetUtcNow(ambiguous.GetDateTimeOffset("AwaitUntil")!.Value);
        await factory.SweepAsync();
        Assert.Equal("unconfirmed", (await factory.MessageAsync(ourId)).Status);
        Assert.Equal(1, factory.SendCount());
    }

    [Fact]
    public async Task P3_TwoDispatchersRacingForOneEntry_SendExactlyOnce()
    {
        var ourId = await StartTemplateAsync(Outcomes.FailThenAccept(1, Outcomes.ThroughputReached));
        var entry = await factory.WaitForSendsAsync(ourId, 1);
        factory.Clock.SetUtcNow(NextAttemptAt(entry));

        // Two dispatchers (as on two instances) over the same store, each started several times at once.
        var first = factory.Get<OutboxDispatcher>();
        var second = ActivatorUtilities.CreateInstance<OutboxDispatcher>(factory.Services);
        using var start = new ManualResetEventSlim(false);
        var racers = Enumerable.Range(0, 8)
            .Select(i => Task.Run(async () =>
            {
                start.Wait(TimeSpan.FromSeconds(10));
                return await (i % 2 == 0 ? first : second).DispatchAsync(HandlerFactory.TenantId, ourId, CancellationToken.None);
            }))
            .ToArray();
        start.Set();
        await Task.WhenAll(racers);

        Assert.Equal(2, factory.SendCount());
        Assert.Null(await factory.OutboxEntryAsync(ourId));
        Assert.Equal("accepted", (await factory.MessageAsync(ourId)).Status);
        Assert.Equal(0, await first.SweepAsync(CancellationToken.None));
        Assert.Equal(0, await second.SweepAsync(CancellationToken.None));
        Assert.Equal(2, factory.SendCount());
    }

    [Fact]
    public async Task P3_SendsOfSeveralMessages_EachRetriedOnItsOwnSchedule()
    {
        // One customer rate-limited (131056), another accepted: the pair limit affects only that recipient.
        factory.Sender.Behaviour = request => request.ToE164.EndsWith("0001", StringComparison.Ordinal)
            ? Outcomes.PairRateLimited(request)
            : Outcomes.Accepted(request);
        var ana = factory.ClientFor("ana");
        var limited = (await ana.StartCreatedAsync(Desk.Mobile(1), Desk.Retomada())).GetProperty("messages")[0].GetProperty("id").GetString()!;
        var fine = (await ana.StartCreatedAsync(Desk.Mobile(2), Desk.Retomada())).GetProperty("messages")[0].GetProperty("id").GetString()!;

        Assert.Null(await factory.WaitForSendsAsync(fine, 2));
        await LedgerProbe.EventuallyAsync(async () => (await factory.OutboxEntryAsync(limited))?.GetInt32("Attempts") == 1, "the rate-limited send to be rescheduled");

        Assert.Equal(2, factory.SendCount());
        Assert.Equal("accepted", (await factory.MessageAsync(fine)).Status);
        Assert.Equal("retrying", (await factory.MessageAsync(limited)).Status);
        var entry = await factory.OutboxEntryAsync(limited);
        Assert.Equal(OutboxStates.Pending, entry!.GetString("State"));
        Assert.Equal(factory.Clock.GetUtcNow() + TimeSpan.FromSeconds(1), NextAttemptAt(entry));
    }

    public void Dispose() => factory.Dispose();
}
