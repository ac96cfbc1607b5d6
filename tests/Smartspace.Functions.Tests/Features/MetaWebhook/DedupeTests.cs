using Smartspace.Core.Conversations;
using Smartspace.Functions.Features.MetaWebhook;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Testing;

namespace Smartspace.Functions.Tests.Features.MetaWebhook;

/// <summary>
/// P3: Meta delivers at least once and concurrently. The same webhook posted 20 times at once is stored
/// once; different messages of one customer posted at once all land in one conversation with distinct
/// sequence numbers. Run against every store adapter.
/// </summary>
public abstract class DedupeContract : IDisposable
{
    private const string Customer = "5511987654321";
    private readonly Lazy<HandlerFactory> lazyFactory;
    private readonly List<HandlerFactory> others = [];

    protected DedupeContract() => lazyFactory = new Lazy<HandlerFactory>(() => CreateFactory(SharedStore));

    protected HandlerFactory Factory => lazyFactory.Value;

    /// <summary>Settings that make two hosts (two "instances" of the function app) use the same store.</summary>
    protected abstract IDictionary<string, string?> SharedStore { get; }

    protected abstract HandlerFactory CreateFactory(IDictionary<string, string?> sharedStore);

    [Fact]
    public async Task P3_SameWebhookOnTwoInstancesConcurrently_IsStoredOnce()
    {
        // Two hosts share the store but not the in-process gate: only the store's conditional insert of the wamid row decides.
        var second = CreateFactory(SharedStore);
        others.Add(second);
        var json = WebhookJson.SingleMessage(Customer, WebhookJson.TextMessage(Customer, "wamid.TWOHOSTS", Factory.Clock.GetUtcNow(), "duas instâncias"));
        var clients = Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? Factory : second).CreateClient()).ToList();

        var responses = await Task.WhenAll(clients.Select(c => Factory.PostWebhookAsync(json, c)));

        foreach (var response in responses)
        {
            await response.AssertOkAsync();
        }

        Assert.Equal(1, await Factory.CountAsync("msg|"));
        Assert.Equal(1, await Factory.CountAsync("wamid|"));
        Assert.Equal(1, await Factory.CountAsync("conv|"));
        Assert.Equal(1, (await Factory.CurrentConversationAsync(Customer)).MessageSeq);
        Assert.Equal(19, Factory.Get<WebhookMetrics>().DuplicateCount + second.Get<WebhookMetrics>().DuplicateCount);
    }

    [Fact]
    public async Task P3_SameWebhookPosted20TimesConcurrently_IsStoredOnce()
    {
        var json = WebhookJson.SingleMessage(Customer, WebhookJson.TextMessage(Customer, "wamid.DUP20", Factory.Clock.GetUtcNow(), "só uma vez"));
        var clients = Enumerable.Range(0, 20).Select(_ => Factory.CreateClient()).ToList();
        using var start = new SemaphoreSlim(0);

        var posts = clients.Select(async client =>
        {
            await start.WaitAsync();
            return await Factory.PostWebhookAsync(json, client);
        }).ToList();
        start.Release(clients.Count);
        var responses = await Task.WhenAll(posts);

        foreach (var response in responses)
        {
            await response.AssertOkAsync();
        }

        Assert.Equal(1, await Factory.CountAsync("msg|"));
        Assert.Equal(1, await Factory.CountAsync("wamid|"));
        Assert.Equal(1, await Factory.CountAsync("conv|"));
        var conversation = await Factory.CurrentConversationAsync(Customer);
        Assert.Equal(1, conversation.MessageSeq);
        Assert.Equal(19, Factory.Get<WebhookMetrics>().DuplicateCount);
    }

    [Fact]
    public async Task P3_DifferentMessagesOfOneCustomerPostedConcurrently_AllLandInOneConversation()
    {
        var at = Factory.Clock.GetUtcNow().AddMinutes(-10);
        var bodies = Enumerable.Range(1, 20)
            .Select(i => WebhookJson.SingleMessage(Customer, WebhookJson.TextMessage(Customer, $"wamid.SEQ{i:D2}", at.AddSeconds(i), $"mensagem {i}")))
            .ToList();

        var responses = await Task.WhenAll(bodies.Select(b => Factory.PostWebhookAsync(b, Factory.CreateClient())));

        foreach (var response in responses)
        {
            await response.AssertOkAsync();
        }

        var conversation = await Factory.CurrentConversationAsync(Customer);
        var messages = await Factory.MessagesAsync(conversation.ConversationId);
        Assert.Equal(20, messages.Count);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), messages.Select(m => m.Seq));
        Assert.Equal(20, messages.Select(m => m.Wamid).Distinct().Count());
        Assert.Equal(20, conversation.MessageSeq);
        Assert.Equal(1, await Factory.CountAsync("conv|"));
        Assert.Equal(at.AddSeconds(20), await Factory.LastInboundAsync(Customer));
    }

    public void Dispose()
    {
        foreach (var other in others)
        {
            other.Dispose();
        }

        if (lazyFactory.IsValueCreated)
        {
            lazyFactory.Value.Dispose();
        }

        GC.SuppressFinalize(this);
    }
}

public sealed class DedupeOnAzuriteTests(AzuriteFixture azurite) : DedupeContract, IClassFixture<AzuriteFixture>
{
    private readonly string prefix = AzuriteFixture.NewTablePrefix("dedupe");

    protected override IDictionary<string, string?> SharedStore => new Dictionary<string, string?> { ["Storage:TablePrefix"] = prefix };

    protected override HandlerFactory CreateFactory(IDictionary<string, string?> sharedStore) => new(azurite.ConnectionString, sharedStore);
}

/// <summary>P3: the steps after the commit are repaired by Meta's retry of the same webhook.</summary>
public sealed class RedeliveryTests : IDisposable
{
    private const string Customer = "5511987654321";
    private readonly HandlerFactory factory = new();

    [Fact]
    public async Task P3_RedeliveryAfterRoutingDidNotHappen_CompletesTheRouting()
    {
        // The commit happened but the follow-up (routing) could not: nobody was available, as after a crash.
        await factory.SetAvailableWithoutRoutingAsync("ana", false);
        await factory.SetAvailableWithoutRoutingAsync("bruno", false);
        var json = WebhookJson.SingleMessage(Customer, WebhookJson.TextMessage(Customer, "wamid.REDELIVER", factory.Clock.GetUtcNow(), "alguém aí?"));
        await (await factory.PostWebhookAsync(json)).AssertOkAsync();
        var queued = await factory.CurrentConversationAsync(Customer);
        Assert.Equal(ConversationStage.Queued, queued.Stage);
        Assert.Equal(1, await factory.CountAsync("queue|"));

        // An agent becomes available without anything routing; Meta then redelivers the same webhook. The redelivery
        // routes again in the background (the webhook never waits on an assignment's orchestration).
        await factory.SetAvailableWithoutRoutingAsync("ana", true);
        await (await factory.PostWebhookAsync(json)).AssertOkAsync();
        await LedgerProbe.EventuallyAsync(async () => (await factory.CurrentConversationAsync(Customer)).Stage == ConversationStage.Open, "the redelivery to route the queued conversation");

        var routed = await factory.CurrentConversationAsync(Customer);
        Assert.Equal(queued.ConversationId, routed.ConversationId);
        Assert.Equal(ConversationStage.Open, routed.Stage);
        Assert.Equal("ana", routed.AgentId);
        Assert.Equal(0, await factory.CountAsync("queue|"));
        Assert.Single(await factory.MessagesAsync(routed.ConversationId));
        Assert.Equal(1, factory.Get<WebhookMetrics>().DuplicateCount);
    }

    [Fact]
    public async Task P3_RedeliveryOfAnAlreadyRoutedMessage_ChangesNothing()
    {
        var json = WebhookJson.SingleMessage(Customer, WebhookJson.TextMessage(Customer, "wamid.ROUTED", factory.Clock.GetUtcNow(), "oi"));
        await (await factory.PostWebhookAsync(json)).AssertOkAsync();
        var before = await factory.SnapshotAsync();

        await (await factory.PostWebhookAsync(json)).AssertOkAsync();

        Assert.Equal(before, await factory.SnapshotAsync());
    }

    public void Dispose() => factory.Dispose();
}
