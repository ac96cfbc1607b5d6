using System.Text.Json.Nodes;

namespace Smartspace.Functions.Hosting;

/// <summary>
/// A timer function's work (window expiry, outbox retry, template sync). In Azure a <c>[TimerTrigger]</c>
/// function of the Function App runs it on its schedule; on the local host a hosted loop runs the same
/// sweep, and <c>POST /api/local/timers/{name}</c> runs it on demand. Upstream failures are reported in
/// the result, not thrown: a timer run that could not reach Meta is not the caller's fault.
/// </summary>
public interface ITimerFunction
{
    /// <summary>The function's name (its <c>[Function]</c> name in the Function App).</summary>
    string Name { get; }

    Task<TimerResult> RunAsync(TimerRun run, CancellationToken cancellationToken);
}

/// <param name="IsPastDue">True when the schedule says this run is late.</param>
public sealed record TimerRun(bool IsPastDue);

/// <param name="Logs">What the run did, one line each, for the invocation's log.</param>
/// <param name="ReturnValue">A figure the run produced (e.g. how many windows it announced), if any.</param>
public sealed record TimerResult(IReadOnlyList<string> Logs, JsonNode? ReturnValue = null);

/// <summary>Marks an endpoint that exists only in local mode (embedded hub, Meta sandbox, dev tokens, timers on demand): no function serves it.</summary>
public sealed class LocalOnlyMetadata
{
    public static readonly LocalOnlyMetadata Instance = new();
}

public static class LocalOnlyExtensions
{
    public static TBuilder LocalOnly<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(b => b.Metadata.Add(LocalOnlyMetadata.Instance));
        return builder;
    }
}
