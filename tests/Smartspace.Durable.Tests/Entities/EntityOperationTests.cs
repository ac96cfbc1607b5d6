using Smartspace.Core.Conversations;
using Smartspace.Durable.Entities;

namespace Smartspace.Durable.Tests.Entities;

/// <summary>Signals and reads of the two entities on the local runtime (DTFx + Azure Storage provider on Azurite).</summary>
public sealed class EntityOperationTests(DurableHub hub) : IClassFixture<DurableHub>
{
    private static string NewId(string hint) => hint + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task R12_AgentCapacity_Update_KeepsMaximumAndAvailability()
    {
        var agent = EntityKeys.Agent("demo", NewId("ana"));
        await hub.Client.SignalEntityAsync(agent, nameof(AgentCapacity.Update), new AgentUpdate(MaxConcurrent: 3, Available: true));

        var state = await DurableHub.EventuallyAsync(() => hub.Client.GetEntityStateAsync<AgentCapacityState>(agent, default), s => s is not null);

        Assert.NotNull(state);
        Assert.Equal(3, state.MaxConcurrent);
        Assert.True(state.Available);
        Assert.Empty(state.Held);
    }

    [Fact]
    public async Task P4_CustomerConversation_InboundStaged_RecordsWindowAndQueuesTheCustomer()
    {
        var customer = EntityKeys.Customer("demo", "100200300400500", NewId("5511"));
        var at = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        await hub.Client.SignalEntityAsync(customer, nameof(CustomerConversation.InboundStaged), new StagedInbound("wamid." + Guid.NewGuid().ToString("N"), at, "Maria", "c-1", false));

        var state = await DurableHub.EventuallyAsync(() => hub.Client.GetEntityStateAsync<CustomerConversationState>(customer, default), s => s is not null);

        Assert.NotNull(state);
        Assert.Equal(at, state.LastInboundAt);
        Assert.Equal("c-1", state.ConversationId);
        Assert.Equal(ConversationStage.Queued, state.Stage);
        Assert.Equal("Maria", state.DisplayName);
    }

    [Fact]
    public async Task P4_CustomerConversation_AnOlderMessageArrivingLater_NeverMovesTheWindowBack()
    {
        // (A client's signals are not ordered among themselves: the second is sent once the first has been applied.)
        var customer = EntityKeys.Customer("demo", "100200300400500", NewId("5511"));
        var first = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        await hub.Client.SignalEntityAsync(customer, nameof(CustomerConversation.InboundStaged), new StagedInbound("wamid." + Guid.NewGuid().ToString("N"), first.AddMinutes(5), "Maria", "c-1", true));
        await DurableHub.EventuallyAsync(() => hub.Client.GetEntityStateAsync<CustomerConversationState>(customer, default), s => s is not null);
        await hub.Client.SignalEntityAsync(customer, nameof(CustomerConversation.InboundStaged), new StagedInbound("wamid." + Guid.NewGuid().ToString("N"), first, "Maria Souza", "c-2", true));

        var state = await DurableHub.EventuallyAsync(() => hub.Client.GetEntityStateAsync<CustomerConversationState>(customer, default), s => s?.DisplayName == "Maria Souza");

        Assert.NotNull(state);
        Assert.Equal("Maria Souza", state.DisplayName);
        Assert.Equal(first.AddMinutes(5), state.LastInboundAt);
        Assert.Equal("c-1", state.ConversationId); // the second message joined the conversation in progress
        Assert.Equal(ConversationStage.Bot, state.Stage);
    }

    [Fact]
    public async Task EntityNeverTouched_ReadsAsNoState()
    {
        var state = await hub.Client.GetEntityStateAsync<AgentCapacityState>(EntityKeys.Agent("demo", NewId("nobody")), default);

        Assert.Null(state);
    }
}

/// <summary>The local runtime's options and defaults, without a runtime.</summary>
public sealed class DurableOptionsTests
{
    [Fact]
    public void DefaultWorkerId_IsUniqueAndAtMost60Characters()
    {
        var a = Runtime.LocalDurableRuntime.DefaultWorkerId();
        var b = Runtime.LocalDurableRuntime.DefaultWorkerId();

        Assert.NotEqual(a, b);
        Assert.InRange(a.Length, 1, 60);
        Assert.Contains(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), a, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ReportsEveryProblemAtOnce()
    {
        var options = new Runtime.DurableOptions
        {
            ConnectionString = "",
            TaskHub = "9-bad hub",
            PartitionCount = 0,
            MaxQueuePollingInterval = TimeSpan.Zero,
            CompletionTimeout = TimeSpan.Zero,
        };

        var errors = options.Validate();

        Assert.Equal(5, errors.Count);
        Assert.Contains(errors, e => e.Contains("Durable:TaskHub", StringComparison.Ordinal));
        Assert.Empty(new Runtime.DurableOptions { ConnectionString = "UseDevelopmentStorage=true" }.Validate());
    }
}
