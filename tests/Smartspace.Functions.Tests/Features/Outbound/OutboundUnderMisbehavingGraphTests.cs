using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Smartspace.Core.Text;
using Smartspace.Functions.Features.Outbound;
using Smartspace.Functions.Realtime;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Features.MetaWebhook;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Meta.Sending;

namespace Smartspace.Functions.Tests.Features.Outbound;

/// <summary>
/// The outbox against a Graph API that hangs, answers late, holds or refuses (issue 18): a hung call delays only its
/// own message, every state the agent sees is true and says what happens next, one event per change, and nothing is
/// ever sent twice. (How promptly the others get through is measured in bench/OutboundBench, not asserted here.)
/// </summary>
public sealed class OutboundUnderMisbehavingGraphTests : IDisposable
{
    private readonly HandlerFactory factory = new();
    private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Calls to these customers hang until <see cref="release"/>; every other call is accepted at once.</summary>
    private void HangFor(params string[] typed)
    {
        var hung = typed.Select(t => "+" + Desk.WaId(t)).ToHashSet(StringComparer.Ordinal);
        factory.Sender.AsyncBehaviour = async (request, ct) =>
        {
            if (hung.Contains(request.ToE164))
            {
                await release.Task.WaitAsync(ct);
            }

            return Outcomes.Accepted(request);
        };
    }

    private static string FirstMessageId(JsonElement body) => body.GetProperty("messages")[0].GetProperty("id").GetString()!;

    private Task ReachesGraphAsync(string ourMessageId) =>
        LedgerProbe.EventuallyAsync(() => Task.FromResult(factory.Sender.Requests.Any(r => r.OurMessageId == ourMessageId)), $"{ourMessageId} to reach the Graph API");

    private Task AcceptedAsync(string ourMessageId) =>
        LedgerProbe.EventuallyAsync(async () => (await factory.MessageAsync(ourMessageId)).Status == "accepted", $"{ourMessageId} to be accepted");

    /// <summary>The statuses announced to the agent for one message, in order.</summary>
    private List<string> Announced(string ourMessageId) => factory.Events.Events
        .Where(e => e.Type == AgentEventTypes.MessageStatusChanged)
        .Select(e => JsonDocument.Parse(JsonSerializer.Serialize(e.Data, HttpJson.Options)).RootElement.GetProperty("message"))
        .Where(m => m.GetProperty("id").GetString() == ourMessageId)
        .Select(m => m.GetProperty("status").GetString()!)
        .ToList();

    /// <summary>Waits until the first send of <paramref name="ourMessageId"/> was refused and its retry scheduled; returns its outbox entry.</summary>
    private async Task<Smartspace.Storage.Entity> RetryingAsync(string ourMessageId)
    {
        Smartspace.Storage.Entity? entry = null;
        await LedgerProbe.EventuallyAsync(async () => (entry = await factory.OutboxEntryAsync(ourMessageId))?.GetInt32("Attempts") == 1
            && entry.GetString("State") == OutboxStates.Pending, $"{ourMessageId} to be scheduled for a retry");
        return entry!;
    }

    /// <summary>A conversation whose customer replied to the agent's template: free text may be sent (R6, R8).</summary>
    private async Task<JsonElement> OpenConversationAsync(HttpClient agent, string typed)
    {
        var started = await agent.StartCreatedAsync(typed, Desk.Retomada());
        await AcceptedAsync(FirstMessageId(started));
        await factory.CustomerWritesAsync(typed, "wamid.REPLY." + typed);
        return started;
    }

    [Fact]
    public async Task R6_R7_FourHungGraphCalls_DoNotHoldUpAnotherAgentsTextOrANewConversationsTemplate()
    {
        var bruno = factory.ClientFor("bruno");
        var open = await OpenConversationAsync(bruno, Desk.Mobile(10));

        // Ana's four sends hang at Meta: three new conversations and a second template in one of them.
        HangFor(Desk.Mobile(1), Desk.Mobile(2), Desk.Mobile(3));
        var ana = factory.ClientFor("ana");
        var hung = new List<string>();
        var anasFirst = "";
        for (var i = 1; i <= 3; i++)
        {
            var started = await ana.StartCreatedAsync(Desk.Mobile(i), Desk.Retomada());
            anasFirst = i == 1 ? started.ConversationId() : anasFirst;
            hung.Add(FirstMessageId(started));
        }

        using var again = await ana.SendTemplateAsync(anasFirst, Desk.Confirmacao());
        hung.Add((await again.ReadJsonAsync()).GetProperty("message").GetProperty("id").GetString()!);
        foreach (var id in hung)
        {
            await ReachesGraphAsync(id);
        }

        // While all four hang, Bruno's text and a new conversation's template get through and are accepted.
        using var text = await bruno.SendTextAsync(open.ConversationId(), "Olá, Maria! Em que posso ajudar?");
        Assert.Equal(HttpStatusCode.Accepted, text.StatusCode);
        var textId = (await text.ReadJsonAsync()).GetProperty("message").GetProperty("id").GetString()!;
        var templateId = FirstMessageId(await bruno.StartCreatedAsync(Desk.Mobile(20), Desk.Retomada()));
        await AcceptedAsync(textId);
        await AcceptedAsync(templateId);
        Assert.All(hung, id => Assert.False(release.Task.IsCompleted, id));
        foreach (var id in hung)
        {
            Assert.Equal("pending", (await factory.MessageAsync(id)).Status);
        }

        // Meta answers at last: each hung message accepted, every message sent exactly once.
        release.SetResult();
        foreach (var id in hung)
        {
            await AcceptedAsync(id);
        }

        Assert.Equal(factory.Sender.Requests.Count, factory.Sender.Requests.Select(r => r.OurMessageId).Distinct().Count());
        Assert.Equal(0, await factory.CountAsync("outbox|"));
    }

    [Fact]
    public async Task P3_RetrySweep_AHungRetryDoesNotHoldUpTheOtherDueRetries()
    {
        factory.Sender.Behaviour = Outcomes.ThroughputReached;
        var ana = factory.ClientFor("ana");
        var slow = FirstMessageId(await ana.StartCreatedAsync(Desk.Mobile(1), Desk.Retomada()));
        var fast = FirstMessageId(await ana.StartCreatedAsync(Desk.Mobile(2), Desk.Retomada()));
        var slowEntry = await RetryingAsync(slow);
        await RetryingAsync(fast);
        Assert.Equal("retrying", (await factory.MessageAsync(fast)).Status);

        HangFor(Desk.Mobile(1));
        factory.Clock.SetUtcNow(slowEntry.GetDateTimeOffset("NextAttemptAt")!.Value + TimeSpan.FromSeconds(1));
        var sweep = factory.SweepAsync();

        await AcceptedAsync(fast);
        Assert.False(sweep.IsCompleted);
        Assert.Equal("retrying", (await factory.MessageAsync(slow)).Status);

        release.SetResult();
        Assert.Equal(2, await sweep);
        await AcceptedAsync(slow);
        Assert.Equal(4, factory.SendCount());
    }

    [Fact]
    public async Task P3_RetrySweep_AHungRetryDoesNotHoldUpTheNextSweep()
    {
        factory.Sender.Behaviour = Outcomes.ThroughputReached;
        var ana = factory.ClientFor("ana");
        var slow = FirstMessageId(await ana.StartCreatedAsync(Desk.Mobile(1), Desk.Retomada()));
        var slowEntry = await RetryingAsync(slow);
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        var fast = FirstMessageId(await ana.StartCreatedAsync(Desk.Mobile(2), Desk.Retomada()));
        await RetryingAsync(fast);

        // The first sweep retries only the slow one, which hangs.
        HangFor(Desk.Mobile(1));
        factory.Clock.SetUtcNow(slowEntry.GetDateTimeOffset("NextAttemptAt")!.Value);
        var first = factory.SweepAsync();
        await LedgerProbe.EventuallyAsync(() => Task.FromResult(factory.SendCount() == 3), "the slow retry to hang at the Graph API");

        // The sweep stops waiting for it (its send goes on), so the next sweep retries the other one meanwhile.
        factory.Clock.Advance(factory.Get<OutboxDispatcher>().SweepWait);
        Assert.Equal(0, await first);
        Assert.Equal(1, await factory.SweepAsync());
        await AcceptedAsync(fast);
        Assert.Equal("retrying", (await factory.MessageAsync(slow)).Status);

        release.SetResult();
        await AcceptedAsync(slow);
        Assert.Equal(4, factory.SendCount());
    }

    [Fact]
    public async Task R6_PairRate_BeyondMetasBurstToOneCustomer_WaitsForItsSlot_InsteadOfBeingRefused()
    {
        var ana = factory.ClientFor("ana");
        var started = await OpenConversationAsync(ana, Desk.Mobile(1));
        var t0 = factory.Clock.GetUtcNow();

        // The template and 44 texts use the pair's burst of 45 (reference §11); the 45th text must wait 6 s.
        var texts = new List<string>();
        for (var i = 0; i < 45; i++)
        {
            using var sent = await ana.SendTextAsync(started.ConversationId(), $"Mensagem {i}");
            texts.Add((await sent.ReadJsonAsync()).GetProperty("message").GetProperty("id").GetString()!);
        }

        // 44 texts sent; the one left over was paced back into the outbox (pending again, due later; not in flight).
        await LedgerProbe.EventuallyAsync(async () => factory.SendCount() == 45 && await factory.CountAsync("outbox|") == 1
            && await factory.OutboxEntryAsync(texts.Single(id => factory.Sender.Requests.All(r => r.OurMessageId != id))) is { } left
            && left.GetString("State") == OutboxStates.Pending && left.GetDateTimeOffset("NextAttemptAt") > t0,
            "44 texts sent, one left waiting");
        var waiting = Assert.Single(texts, id => factory.Sender.Requests.All(r => r.OurMessageId != id));
        var entry = await factory.OutboxEntryAsync(waiting);
        Assert.Equal((OutboxStates.Pending, 0, t0 + SendLimits.Default.PairInterval),
            (entry!.GetString("State"), entry.GetInt32("Attempts"), entry.GetDateTimeOffset("NextAttemptAt")));
        Assert.Equal("pending", (await factory.MessageAsync(waiting)).Status);

        factory.Clock.SetUtcNow(t0 + SendLimits.Default.PairInterval);
        Assert.Equal(1, await factory.SweepAsync());
        await AcceptedAsync(waiting);
        Assert.Equal(46, factory.Sender.Requests.Select(r => r.OurMessageId).Distinct().Count());
        Assert.Equal(46, factory.SendCount());
    }

    [Fact]
    public async Task P3_RetryingThenAccepted_EachStateAnnouncedOnce()
    {
        factory.Sender.Behaviour = Outcomes.FailThenAccept(1, Outcomes.ThroughputReached);
        var id = FirstMessageId(await factory.ClientFor("ana").StartCreatedAsync(Desk.Mobile(1), Desk.Retomada()));
        var entry = await factory.WaitForSendsAsync(id, 1);
        factory.Clock.SetUtcNow(entry!.GetDateTimeOffset("NextAttemptAt")!.Value);
        await factory.SweepAsync();
        await AcceptedAsync(id);

        await (await factory.PostWebhookAsync(MetaPayloads.Status((await factory.MessageAsync(id)).Wamid!, "sent", factory.Clock.GetUtcNow(), Desk.WaId(Desk.Mobile(1)), id))).AssertOkAsync();
        await (await factory.PostWebhookAsync(MetaPayloads.Status((await factory.MessageAsync(id)).Wamid!, "sent", factory.Clock.GetUtcNow(), Desk.WaId(Desk.Mobile(1)), id))).AssertOkAsync();

        Assert.Equal(["retrying", "accepted", "sent"], Announced(id));
    }

    [Fact]
    public async Task P5_HeldForQualityAssessment_IsShownAsHeld_UntilMetaReleasesIt()
    {
        factory.Sender.Behaviour = request => new SendOutcome.Accepted("wamid.HELD.1", request.ToE164.TrimStart('+'), "held_for_quality_assessment");
        var id = FirstMessageId(await factory.ClientFor("ana").StartCreatedAsync(Desk.Mobile(1), Desk.Retomada()));
        Assert.Null(await factory.WaitForSendsAsync(id, 1));

        var held = await factory.MessageAsync(id);
        Assert.Equal(("held", PtBr.HeldForQualityAssessment, "wait_for_meta"), (held.Status, held.ErrorText, held.NextStep));

        await (await factory.PostWebhookAsync(MetaPayloads.Status("wamid.HELD.1", "delivered", factory.Clock.GetUtcNow(), Desk.WaId(Desk.Mobile(1)), id))).AssertOkAsync();
        var delivered = await factory.MessageAsync(id);
        Assert.Equal(("delivered", null, null), (delivered.Status, delivered.ErrorText, delivered.NextStep));
        Assert.Equal(["held", "delivered"], Announced(id));
    }

    [Fact]
    public async Task P3_ExpiredToken190_FailsAsAConfigurationProblem_AndHealthSaysSo_UntilASendSucceeds()
    {
        factory.Sender.Behaviour = request => new SendOutcome.Rejected(190, "Error validating access token: Session has expired", null, 401, RejectionKind.Permanent);
        var id = FirstMessageId(await factory.ClientFor("ana").StartCreatedAsync(Desk.Mobile(1), Desk.Retomada()));
        Assert.Null(await factory.WaitForSendsAsync(id, 1));

        var failed = await factory.MessageAsync(id);
        Assert.Equal(("failed", 190, PtBr.MetaAccessInvalid, "fix_configuration"), (failed.Status, failed.ErrorCode, failed.ErrorText, failed.NextStep));
        using var client = factory.CreateClient();
        var health = await (await client.GetAsync("/api/health")).ReadJsonAsync();
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        Assert.Equal("invalid", health.GetProperty("meta").GetProperty("access").GetString());
        Assert.Equal(190, health.GetProperty("meta").GetProperty("code").GetInt32());

        // The token was renewed: the next send works and health is back.
        factory.Sender.Behaviour = null;
        var next = FirstMessageId(await factory.ClientFor("ana").StartCreatedAsync(Desk.Mobile(2), Desk.Retomada()));
        Assert.Null(await factory.WaitForSendsAsync(next, 2));
        health = await (await client.GetAsync("/api/health")).ReadJsonAsync();
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Equal("ok", health.GetProperty("meta").GetProperty("access").GetString());
    }

    [Fact]
    public async Task P3_InvalidParameter100_FailsForGood_SayingARetryWillNotHelp()
    {
        factory.Sender.Behaviour = request => new SendOutcome.Rejected(100, "(#100) Invalid parameter", null, 400, MetaErrorCodes.Classify(100, 400, 0));
        var id = FirstMessageId(await factory.ClientFor("ana").StartCreatedAsync(Desk.Mobile(1), Desk.Retomada()));
        Assert.Null(await factory.WaitForSendsAsync(id, 1));

        var failed = await factory.MessageAsync(id);
        Assert.Equal(("failed", PtBr.MetaInvalidParameter100, "resend_will_not_help"), (failed.Status, failed.ErrorText, failed.NextStep));
        Assert.Equal(["failed"], Announced(id));
        Assert.Equal(1, factory.SendCount());
    }

    [Fact]
    public async Task P3_ManySendsWithSweepsRacingTheWorker_EachSentExactlyOnce()
    {
        var answered = new ConcurrentDictionary<string, int>();
        factory.Sender.AsyncBehaviour = async (request, ct) =>
        {
            answered.AddOrUpdate(request.OurMessageId, 1, (_, n) => n + 1);
            await Task.Delay(5, ct);
            return Outcomes.Accepted(request);
        };
        var agents = new[] { factory.ClientFor("ana"), factory.ClientFor("bruno") };
        var ids = new List<string>();
        var sweeps = new List<Task<int>>();
        for (var i = 0; i < 5; i++)
        {
            var started = await agents[i % 2].StartAsync(Desk.Mobile(i + 1), Desk.Retomada());
            if (started.StatusCode == HttpStatusCode.Created)
            {
                ids.Add(FirstMessageId(await started.ReadJsonAsync()));
            }

            sweeps.Add(factory.SweepAsync());
        }

        sweeps.AddRange(Enumerable.Range(0, 4).Select(_ => factory.SweepAsync()));
        await Task.WhenAll(sweeps);
        foreach (var id in ids)
        {
            await AcceptedAsync(id);
        }

        Assert.Equal(5, ids.Count);
        Assert.All(ids, id => Assert.Equal(1, answered[id]));
        Assert.Equal(0, await factory.CountAsync("outbox|"));
    }

    public void Dispose()
    {
        release.TrySetResult();
        factory.Dispose();
    }
}
