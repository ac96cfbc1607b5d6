using Smartspace.Core.Conversations;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Routing;

/// <summary>
/// Inbound routing: customers who write wait in arrival order and go to available agents with free
/// capacity — least loaded first, then the one idle the longest — as capacity frees up. An active
/// conversation takes priority over the queue (R14).
/// </summary>
public sealed class QueueRoutingTests : IDisposable
{
    private readonly HandlerFactory factory = new();

    private LedgerStore Ledger => factory.Get<LedgerStore>();

    /// <summary>Customer <paramref name="index"/> writes one second after the previous event.</summary>
    private async Task<ConversationRow> WritesAsync(int index)
    {
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        await factory.CustomerWritesAsync(Desk.Mobile(index), $"wamid.route.{index}.{Guid.NewGuid():N}");
        var customer = await factory.CustomerOfAsync(Desk.Mobile(index));
        return (await factory.ConversationAsync(customer!.CurrentConversationId!))!;
    }

    private async Task<ConversationRow> CurrentAsync(int index) =>
        (await factory.ConversationAsync((await factory.CustomerOfAsync(Desk.Mobile(index)))!.CurrentConversationId!))!;

    [Fact]
    public async Task Routing_CustomersWaitInOrder_AndAreAssignedAsCapacityFrees()
    {
        await factory.SetAvailableAsync("bruno", false);
        var ana = factory.ClientFor("ana"); // maximum 3, filled with active conversations
        var held = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            held.Add((await ana.StartCreatedAsync(Desk.Mobile(100 + i), Desk.Retomada())).ConversationId());
        }

        var first = await WritesAsync(1);
        var second = await WritesAsync(2);
        var third = await WritesAsync(3);
        Assert.All([first, second, third], c => Assert.Equal(ConversationStage.Queued, c.Stage));

        await ana.FinishOkAsync(held[0]); // a finish frees one unit: the first in line gets it

        Assert.Equal(("ana", ConversationStage.Open), await HolderAsync(1));
        Assert.Equal(ConversationStage.Queued, (await CurrentAsync(2)).Stage);
        Assert.Equal(ConversationStage.Queued, (await CurrentAsync(3)).Stage);

        await factory.SetAvailableAsync("bruno", true); // an agent becoming available takes the next ones

        Assert.Equal(("bruno", ConversationStage.Open), await HolderAsync(2));
        Assert.Equal(("bruno", ConversationStage.Open), await HolderAsync(3));
        Assert.Empty(await Ledger.QueryAllAsync(HandlerFactory.TenantId, Keys.QueuePrefix, CancellationToken.None));
        await factory.Events.WaitForAsync(e => e.Type == "conversation.assigned" && e.ConversationId == second.ConversationId && e.AgentId == "bruno", what: "conversation.assigned to bruno");
        await LedgerInvariants.AssertHoldAsync(factory, HandlerFactory.TenantId);
    }

    [Fact]
    public async Task Routing_LeastLoadedFirst_ThenLongestIdle()
    {
        // Both idle and never assigned: a tie, broken by id.
        Assert.Equal(("ana", ConversationStage.Open), (await HoldersAfterWriteAsync(1)));
        // ana holds one now: bruno is less loaded.
        Assert.Equal(("bruno", ConversationStage.Open), (await HoldersAfterWriteAsync(2)));

        await factory.ClientFor("ana").FinishOkAsync((await CurrentAsync(1)).ConversationId);
        await factory.ClientFor("bruno").FinishOkAsync((await CurrentAsync(2)).ConversationId);
        // Equal load (0): ana's last assignment is older than bruno's → ana.
        Assert.Equal(("ana", ConversationStage.Open), (await HoldersAfterWriteAsync(3)));

        await factory.ClientFor("ana").FinishOkAsync((await CurrentAsync(3)).ConversationId);
        // Equal load again, and now bruno has been idle the longest → bruno, although "ana" sorts first.
        Assert.Equal(("bruno", ConversationStage.Open), (await HoldersAfterWriteAsync(4)));
    }

    [Fact]
    public async Task Routing_NoAgentAboveMaximum_UnavailableAgentsAndSupervisorsGetNothing()
    {
        await factory.SetAvailableAsync("bruno", false);
        await factory.SetAvailableAsync("carla", true); // a supervisor is never routed to

        for (var i = 1; i <= 5; i++)
        {
            await WritesAsync(i);
        }

        Assert.Equal(3, (await factory.AgentAsync("ana"))!.OpenConversationIds.Count);
        Assert.Empty((await factory.AgentAsync("bruno"))!.OpenConversationIds);
        Assert.Empty((await factory.AgentAsync("carla"))!.OpenConversationIds);
        Assert.Equal(ConversationStage.Queued, (await CurrentAsync(4)).Stage);
        Assert.Equal(ConversationStage.Queued, (await CurrentAsync(5)).Stage);
        Assert.Equal(2, (await Ledger.QueryAllAsync(HandlerFactory.TenantId, Keys.QueuePrefix, CancellationToken.None)).Count);
        await LedgerInvariants.AssertHoldAsync(factory, HandlerFactory.TenantId);
    }

    [Fact]
    public async Task Routing_ConcurrentArrivals_NeverPushAnAgentAboveMaximum()
    {
        var writes = Enumerable.Range(1, 12).Select(i =>
            factory.CustomerWritesAsync(Desk.Mobile(i), $"wamid.burst.{i}", factory.Clock.GetUtcNow().AddSeconds(-i)));
        await Task.WhenAll(writes);

        Assert.Equal(3, (await factory.AgentAsync("ana"))!.OpenConversationIds.Count);
        Assert.Equal(2, (await factory.AgentAsync("bruno"))!.OpenConversationIds.Count);
        Assert.Equal(7, (await Ledger.QueryAllAsync(HandlerFactory.TenantId, Keys.QueuePrefix, CancellationToken.None)).Count);
        await LedgerInvariants.AssertHoldAsync(factory, HandlerFactory.TenantId);
    }

    [Fact]
    public async Task R14_ActiveConversationTakesPriorityOverTheQueue()
    {
        await factory.NobodyAvailableAsync();
        await WritesAsync(1);
        var second = await WritesAsync(2);
        Assert.Equal(2, (await Ledger.QueryAllAsync(HandlerFactory.TenantId, Keys.QueuePrefix, CancellationToken.None)).Count);

        // bruno (unavailable for routing) calls the second customer actively.
        var started = await factory.ClientFor("bruno").StartCreatedAsync(Desk.Mobile(2));

        Assert.Equal(ConversationStage.Closed, (await factory.ConversationAsync(second.ConversationId))!.Stage);
        var queue = await Ledger.QueryAllAsync(HandlerFactory.TenantId, Keys.QueuePrefix, CancellationToken.None);
        Assert.DoesNotContain(queue, q => q.GetString("ConversationId") == second.ConversationId);

        // When ana becomes available she gets the first customer only; the second stays with bruno.
        await factory.SetAvailableAsync("ana", true);
        Assert.Equal(("ana", ConversationStage.Open), await HolderAsync(1));
        Assert.Equal(started.ConversationId(), (await CurrentAsync(2)).ConversationId);
        Assert.Equal("bruno", (await CurrentAsync(2)).AgentId);
        Assert.Single((await factory.AgentAsync("ana"))!.OpenConversationIds);
        await LedgerInvariants.AssertHoldAsync(factory, HandlerFactory.TenantId);
    }

    private async Task<(string?, ConversationStage)> HolderAsync(int index)
    {
        var conversation = await CurrentAsync(index);
        return (conversation.AgentId, conversation.Stage);
    }

    private async Task<(string?, ConversationStage)> HoldersAfterWriteAsync(int index)
    {
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await WritesAsync(index);
        return await HolderAsync(index);
    }

    public void Dispose() => factory.Dispose();
}
