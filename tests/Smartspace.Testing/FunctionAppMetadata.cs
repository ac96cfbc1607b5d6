using System.Text.Json.Nodes;

namespace Smartspace.Testing;

/// <summary>One function of the Function App as the Worker SDK describes it in <c>functions.metadata</c>.</summary>
/// <param name="Trigger">The trigger binding (type, route, methods, authLevel, schedule…).</param>
public sealed record AppFunction(string Name, JsonObject Trigger)
{
    public string TriggerType => Trigger["type"]!.GetValue<string>();

    public bool IsHttp => string.Equals(TriggerType, "httpTrigger", StringComparison.OrdinalIgnoreCase);

    public bool IsTimer => string.Equals(TriggerType, "timerTrigger", StringComparison.OrdinalIgnoreCase);

    /// <summary>The route without the host's prefix (the function's name when none is declared).</summary>
    public string? Route => IsHttp ? (Trigger["route"]?.GetValue<string>() ?? Name).Trim('/') : null;

    public IReadOnlyList<string> Methods => (Trigger["methods"] as JsonArray ?? []).Select(m => m!.GetValue<string>().ToUpperInvariant()).ToList();
}

/// <summary>
/// The Function App's <c>functions.metadata</c> (written by the Worker SDK at build and publish), read from the
/// build output of <c>functions/Smartspace.FunctionApp</c> in the configuration the tests were built in.
/// </summary>
public static class FunctionAppMetadata
{
    public static string BuildOutput
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            return Path.Combine(RepoPaths.RepoRoot, "functions", "Smartspace.FunctionApp", "bin", configuration, "net10.0");
        }
    }

    public static IReadOnlyList<AppFunction> Read()
    {
        var path = Path.Combine(BuildOutput, "functions.metadata");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: build functions/Smartspace.FunctionApp first.");
        }

        var functions = JsonNode.Parse(File.ReadAllText(path))!.AsArray();
        return functions.OfType<JsonObject>().Select(f =>
        {
            var bindings = (f["bindings"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            var trigger = bindings.Single(b => b["direction"]?.GetValue<string>() is "In" or "in" && b["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.OrdinalIgnoreCase));
            return new AppFunction(f["name"]!.GetValue<string>(), trigger);
        }).ToList();
    }
}
