using Smartspace.Core.Conversations;
using Smartspace.Core.Routing;

namespace Smartspace.Core.Tests.Conversations;

/// <summary>Who gets the next waiting customer: pure, with plain agent values.</summary>
public sealed class RoutingRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private static AgentState Agent(string id, int open, int max = 3, bool available = true, DateTimeOffset? lastAssigned = null, AgentRole role = AgentRole.Agent) =>
        new(id, role, max, Enumerable.Range(1, open).Select(i => $"{id}-{i}").ToList(), available, lastAssigned);

    [Fact]
    public void Routing_LeastLoadedAgentFirst() =>
        Assert.Equal("bruno", RoutingRules.PickAgent([Agent("ana", 2), Agent("bruno", 1), Agent("diego", 2)])?.Id);

    [Fact]
    public void Routing_EqualLoad_LongestIdleFirst() =>
        Assert.Equal("diego", RoutingRules.PickAgent([Agent("ana", 1, lastAssigned: T0.AddMinutes(5)), Agent("bruno", 1, lastAssigned: T0.AddMinutes(2)), Agent("diego", 1, lastAssigned: T0)])?.Id);

    [Fact]
    public void Routing_NeverAssigned_CountsAsIdleTheLongest() =>
        Assert.Equal("bruno", RoutingRules.PickAgent([Agent("ana", 0, lastAssigned: T0), Agent("bruno", 0)])?.Id);

    [Fact]
    public void Routing_CompleteTie_IsBrokenByIdForDeterminism()
    {
        Assert.Equal("ana", RoutingRules.PickAgent([Agent("bruno", 0), Agent("ana", 0)])?.Id);
        Assert.Equal("ana", RoutingRules.PickAgent([Agent("bruno", 1, lastAssigned: T0), Agent("ana", 1, lastAssigned: T0)])?.Id);
    }

    [Fact]
    public void Routing_LoadWinsOverIdleTime() =>
        Assert.Equal("bruno", RoutingRules.PickAgent([Agent("ana", 2, lastAssigned: T0), Agent("bruno", 1, lastAssigned: T0.AddHours(1))])?.Id);

    [Fact]
    public void R12_Routing_AgentAtMaximum_GetsNothing()
    {
        Assert.Equal("ana", RoutingRules.PickAgent([Agent("ana", 2, max: 3), Agent("bruno", 2, max: 2)])?.Id);
        Assert.Null(RoutingRules.PickAgent([Agent("ana", 3, max: 3), Agent("bruno", 2, max: 2)]));
    }

    [Fact]
    public void Routing_UnavailableAgent_GetsNothing()
    {
        Assert.Equal("bruno", RoutingRules.PickAgent([Agent("ana", 0, available: false), Agent("bruno", 1)])?.Id);
        Assert.Null(RoutingRules.PickAgent([Agent("ana", 0, available: false)]));
    }

    [Theory]
    [InlineData(AgentRole.Supervisor)]
    [InlineData(AgentRole.Bot)]
    public void Routing_OnlyAgentsAreRoutedTo(AgentRole role) =>
        Assert.Null(RoutingRules.PickAgent([Agent("carla", 0, role: role)]));

    [Fact]
    public void Routing_NobodyAtAll_GetsNull() => Assert.Null(RoutingRules.PickAgent([]));

    [Fact]
    public void R12_Routing_RepeatedPicks_FillAgentsUpToTheirMaximumAndNoFurther()
    {
        // Simulate assigning one customer after another: every pick gains one conversation.
        var agents = new Dictionary<string, AgentState> { ["ana"] = Agent("ana", 0, max: 3), ["bruno"] = Agent("bruno", 0, max: 2) };
        var order = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var pick = RoutingRules.PickAgent(agents.Values);
            if (pick is null)
            {
                break;
            }

            order.Add(pick.Id);
            agents[pick.Id] = pick with { OpenConversationIds = [.. pick.OpenConversationIds, $"n{i}"], LastAssignedAt = T0.AddMinutes(i) };
        }

        Assert.Equal(["ana", "bruno", "ana", "bruno", "ana"], order);
        Assert.Equal(3, agents["ana"].Load);
        Assert.Equal(2, agents["bruno"].Load);
    }
}
