using Smartspace.Core.Conversations;

namespace Smartspace.Core.Routing;

/// <summary>Queue routing: who gets the next waiting customer.</summary>
public static class RoutingRules
{
    /// <summary>
    /// Among available agents with free capacity, the least loaded; ties go to the one idle the longest
    /// (oldest last assignment, never-assigned first), then by id for determinism. Null when nobody can take it.
    /// </summary>
    public static AgentState? PickAgent(IEnumerable<AgentState> agents) =>
        agents
            .Where(a => a.Role == AgentRole.Agent && a.Available && a.HasCapacity)
            .OrderBy(a => a.Load)
            .ThenBy(a => a.LastAssignedAt ?? DateTimeOffset.MinValue)
            .ThenBy(a => a.Id, StringComparer.Ordinal)
            .FirstOrDefault();
}
