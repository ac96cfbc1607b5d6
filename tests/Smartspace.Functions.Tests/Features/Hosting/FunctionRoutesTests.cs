using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Smartspace.Functions.Hosting;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Testing;

namespace Smartspace.Functions.Tests.Features.Hosting;

/// <summary>One Azure Function of the deployment, read from <c>functions/&lt;name&gt;/function.json</c>.</summary>
public sealed record FunctionDefinition(string Name, string? Route, IReadOnlyList<string> Methods, bool IsTimer)
{
    public static IReadOnlyList<FunctionDefinition> All()
    {
        var root = RepoPaths.RepoRoot;
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "host.json")));
        var prefix = host.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString()!;
        var result = new List<FunctionDefinition>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "functions"), "function.json", SearchOption.AllDirectories).Where(f => !f.Contains("/bin/") && !f.Contains("/obj/")))
        {
            var name = Path.GetFileName(Path.GetDirectoryName(file))!;
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var trigger = json.RootElement.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("direction").GetString() == "in" && b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
            var type = trigger.GetProperty("type").GetString();
            if (type == "httpTrigger")
            {
                var route = "/" + prefix.Trim('/') + "/" + (trigger.TryGetProperty("route", out var r) ? r.GetString()! : name).TrimStart('/');
                var methods = trigger.TryGetProperty("methods", out var m) ? m.EnumerateArray().Select(x => x.GetString()!.ToUpperInvariant()).ToList() : ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"];
                result.Add(new FunctionDefinition(name, route, methods, IsTimer: false));
            }
            else
            {
                result.Add(new FunctionDefinition(name, null, [], IsTimer: type == "timerTrigger"));
            }
        }

        return result;
    }

    /// <summary>
    /// True when a request to <paramref name="endpointPattern"/> reaches this function: segment by segment,
    /// a route parameter matches any segment and a trailing catch-all <c>{*x}</c> matches every sub-path.
    /// </summary>
    public bool Covers(string endpointPattern)
    {
        var function = Segments(Route!);
        var endpoint = Segments(endpointPattern);
        for (var i = 0; i < function.Length; i++)
        {
            if (function[i].StartsWith("{*", StringComparison.Ordinal))
            {
                return true;
            }

            if (i >= endpoint.Length)
            {
                return false;
            }

            var covered = function[i].StartsWith('{')
                || (!endpoint[i].Contains('{', StringComparison.Ordinal) && string.Equals(function[i], endpoint[i], StringComparison.OrdinalIgnoreCase));
            if (!covered)
            {
                return false;
            }
        }

        return endpoint.Length == function.Length;
    }

    private static string[] Segments(string pattern) => pattern.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// The deployment (function.json files) and the handler agree: every HTTP function's route is served, every
/// handler endpoint that is not local-only belongs to a function, and every invoked (timer) endpoint has a
/// timer function.json (foundation issue).
/// </summary>
public sealed class FunctionRoutesTests(HostingFixture fixture) : IClassFixture<HostingFixture>
{
    private IReadOnlyList<RouteEndpoint> Endpoints() =>
        fixture.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

    private static IReadOnlyList<string> MethodsOf(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Select(m => m.ToUpperInvariant()).ToList() is { Count: > 0 } methods ? methods : ["*"];

    private static string PatternOf(RouteEndpoint endpoint) => "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');

    [Fact]
    public void Hosting_EveryFunctionJsonHttpRoute_IsServedByTheHandler()
    {
        var endpoints = Endpoints().Where(e => e.Metadata.GetMetadata<LocalOnlyMetadata>() is null).ToList();
        var missing = new List<string>();
        foreach (var function in FunctionDefinition.All().Where(f => f.Route is not null))
        {
            var under = endpoints.Where(e => function.Covers(PatternOf(e))).ToList();
            var catchAll = function.Route!.Contains("{*", StringComparison.Ordinal);
            if (under.Count == 0)
            {
                missing.Add($"{function.Name}: nothing serves {function.Route}");
                continue;
            }

            // An exact route must answer each method it declares; a catch-all proxies a whole API.
            foreach (var method in catchAll ? [] : function.Methods.Where(m => m != "OPTIONS"))
            {
                if (!under.Any(e => MethodsOf(e).Contains(method) || MethodsOf(e).Contains("*")))
                {
                    missing.Add($"{function.Name}: {method} {function.Route} is not served");
                }
            }
        }

        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }

    [Fact]
    public void Hosting_EveryHandlerEndpoint_HasAFunctionJson()
    {
        var functions = FunctionDefinition.All();
        var orphans = new List<string>();
        foreach (var endpoint in Endpoints())
        {
            var pattern = PatternOf(endpoint);
            if (endpoint.Metadata.GetMetadata<LocalOnlyMetadata>() is not null || pattern == "/")
            {
                continue;
            }

            if (endpoint.Metadata.GetMetadata<InvokedFunctionMetadata>() is { } invoked)
            {
                if (!functions.Any(f => f.Name == invoked.FunctionName && f.IsTimer) || pattern != "/" + invoked.FunctionName || !MethodsOf(endpoint).SequenceEqual(["POST"]))
                {
                    orphans.Add($"invoked POST /{invoked.FunctionName} has no timer function.json of that name (pattern {pattern})");
                }

                continue;
            }

            var methods = MethodsOf(endpoint);
            if (!functions.Any(f => f.Route is not null && f.Covers(pattern) && (methods.Contains("*") ? f.Methods.Count >= 5 : methods.All(f.Methods.Contains))))
            {
                orphans.Add($"{string.Join("|", methods)} {pattern} has no function.json");
            }
        }

        Assert.True(orphans.Count == 0, string.Join("\n", orphans));
    }

    [Fact]
    public void Hosting_EveryTimerFunctionJson_HasAnInvocationEndpoint()
    {
        var invoked = Endpoints().Select(e => e.Metadata.GetMetadata<InvokedFunctionMetadata>()?.FunctionName).OfType<string>().ToHashSet();
        Assert.All(FunctionDefinition.All().Where(f => f.IsTimer), f => Assert.Contains(f.Name, invoked));
    }

    [Fact]
    public void Hosting_RouteCoverage_CatchAllCoversSubPaths_LiteralsMustMatch()
    {
        var agent = new FunctionDefinition("agent-api", "/api/agent/{*path}", ["GET"], false);
        Assert.True(agent.Covers("/api/agent/conversations/{conversationId}/finish"));
        Assert.True(agent.Covers("/api/agent/me"));
        Assert.False(agent.Covers("/api/health"));
        var openapi = new FunctionDefinition("openapi", "/api/openapi/{document}", ["GET"], false);
        Assert.True(openapi.Covers("/api/openapi/{documentName}.json"));
        Assert.False(openapi.Covers("/api/openapi/v1/extra"));
        var health = new FunctionDefinition("health", "/api/health", ["GET"], false);
        Assert.True(health.Covers("/api/health"));
        Assert.False(health.Covers("/api/{anything}"));
    }

    [Fact]
    public async Task Hosting_Root_Answers()
    {
        using var response = await fixture.Factory.CreateClient().GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("window-expiry")]
    [InlineData("outbox-retry")]
    [InlineData("template-sync")]
    public async Task Hosting_TimerInvocation_RepliesWithOutputsLogsAndReturnValue(string function)
    {
        var now = fixture.Factory.Clock.GetUtcNow();
        var body = "{\"Data\":{\"timer\":{\"Schedule\":{\"AdjustForDST\":true},\"ScheduleStatus\":{\"Last\":\"" + now.AddMinutes(-1).ToString("O") + "\",\"Next\":\"" + now.AddMinutes(1).ToString("O") +
            "\",\"LastUpdated\":\"" + now.AddMinutes(-1).ToString("O") + "\"},\"IsPastDue\":true}},\"Metadata\":{\"sys\":{\"MethodName\":\"" + function + "\",\"UtcNow\":\"" + now.ToString("O") + "\",\"RandGuid\":\"" + Guid.NewGuid() + "\"}}}";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await fixture.Factory.CreateClient().PostAsync("/" + function, content);
        var reply = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(JsonValueKind.Object, reply.GetProperty("Outputs").ValueKind);
        var logs = reply.GetProperty("Logs");
        Assert.Equal(JsonValueKind.Array, logs.ValueKind);
        Assert.All(logs.EnumerateArray(), l => Assert.Equal(JsonValueKind.String, l.ValueKind));
        Assert.True(reply.TryGetProperty("ReturnValue", out _));
        if (function != "template-sync")
        {
            Assert.Contains(logs.EnumerateArray(), l => l.GetString()!.Contains("past due: True", StringComparison.Ordinal));
        }
    }
}

/// <summary>One handler shared by the read-only hosting checks.</summary>
public sealed class HostingFixture : IDisposable
{
    public HandlerFactory Factory { get; } = new();

    public void Dispose() => Factory.Dispose();
}
