using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Smartspace.Testing;

namespace Smartspace.Infra.Tests.Infrastructure;

public sealed record HttpFunction(string Name, string Route, IReadOnlyList<string> Methods)
{
    /// <summary>Regex for request paths this function answers (route template → regex), prefix included.</summary>
    public Regex PathPattern(string routePrefix)
    {
        var pattern = Regex.Escape(Route)
            .Replace(@"\{\*", "{*", StringComparison.Ordinal)
            .Replace(@"\{", "{", StringComparison.Ordinal);
        pattern = Regex.Replace(pattern, @"\{\*[^}]+}", ".*");
        pattern = Regex.Replace(pattern, @"\{[^}]+}", "[^/]+");
        return new Regex($"^/{Regex.Escape(routePrefix)}/{pattern}$");
    }
}

/// <summary>What the deployed package declares: host.json and the Function App's functions.metadata, read at test time.</summary>
public static class HandlerLayout
{
    public static JsonObject HostJson => RepoLayout.ReadJsonObject(Path.Combine(RepoLayout.Root, "host.json"));

    public static string RoutePrefix =>
        HostJson["extensions"]?["http"]?["routePrefix"]?.GetValue<string>() ?? "api";

    public static IReadOnlyList<HttpFunction> HttpFunctions() =>
        FunctionAppMetadata.Read()
            .Where(f => f.IsHttp)
            .Select(f => new HttpFunction(f.Name, f.Route!, f.Methods))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();

    public static HttpFunction Http(string functionName)
    {
        var found = HttpFunctions().SingleOrDefault(f => f.Name == functionName);
        Assert.True(found is not null, $"the Function App has no HTTP function {functionName}");
        return found;
    }

    /// <summary>The path the template builds for a URL on the app host, e.g. "/api/negotiate".</summary>
    public static string? AppUrlPath(string armValue)
    {
        var match = Regex.Match(armValue, @"^\[format\('https://\{0\}(?<path>/[^']*)',\s*(?<host>.*defaultHostName.*)\)\]$");
        return match.Success ? match.Groups["path"].Value : null;
    }

    /// <summary>Values of local.settings.sample.json "Values".</summary>
    public static IReadOnlyDictionary<string, string> SampleSettings() =>
        RepoLayout.ReadJsonObject(Path.Combine(RepoLayout.Root, "local.settings.sample.json"))["Values"]!.AsObject()
            .ToDictionary(kv => kv.Key, kv => kv.Value?.ToString() ?? string.Empty, StringComparer.Ordinal);
}
