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

/// <summary>One function of the Function App, read from its build output's <c>functions.metadata</c>.</summary>
public sealed record FunctionDefinition(string Name, string? Route, IReadOnlyList<string> Methods, bool IsTimer)
{
    public static IReadOnlyList<FunctionDefinition> All()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "host.json")));
        var prefix = host.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString()!;
        return FunctionAppMetadata.Read()
            .Select(f => f.IsHttp
                ? new FunctionDefinition(f.Name, "/" + prefix.Trim('/') + "/" + f.Route, f.Methods.Count > 0 ? f.Methods : ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"], IsTimer: false)
                : new FunctionDefinition(f.Name, null, [], f.IsTimer))
            .ToList();
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
/// The Function App (functions.metadata) and the feature endpoints agree: every HTTP function's route is
/// served, every endpoint that is not local-only belongs to a function, every timer function has its work,
/// and nothing local-only (sandbox, dev tokens, the embedded hub, timers on demand) is a function.
/// </summary>
public sealed class FunctionRoutesTests(HostingFixture fixture) : IClassFixture<HostingFixture>
{
    private IReadOnlyList<RouteEndpoint> Endpoints() =>
        fixture.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

    private static IReadOnlyList<string> MethodsOf(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Select(m => m.ToUpperInvariant()).ToList() is { Count: > 0 } methods ? methods : ["*"];

    private static string PatternOf(RouteEndpoint endpoint) => "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');

    [Fact]
    public void Hosting_EveryHttpFunctionRoute_IsServedByTheFeatureEndpoints()
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
    public void Hosting_EveryEndpointNotLocalOnly_BelongsToAFunction()
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

            var methods = MethodsOf(endpoint);
            if (!functions.Any(f => f.Route is not null && f.Covers(pattern) && (methods.Contains("*") ? f.Methods.Count >= 5 : methods.All(f.Methods.Contains))))
            {
                orphans.Add($"{string.Join("|", methods)} {pattern} is served by no function");
            }
        }

        Assert.True(orphans.Count == 0, string.Join("\n", orphans));
    }

    [Fact]
    public void Hosting_TimerFunctions_AreExactlyTheTimerWork()
    {
        var work = fixture.Factory.Services.GetServices<ITimerFunction>().Select(t => t.Name).Order().ToList();
        var timers = FunctionDefinition.All().Where(f => f.IsTimer).Select(f => f.Name).Order().ToList();
        Assert.Equal(["outbox-retry", "retention", "template-sync", "window-expiry"], timers);
        Assert.Equal(timers, work);
    }

    [Fact]
    public void Hosting_FunctionApp_HasExactlyTheDocumentedFunctions_NothingLocalOnly()
    {
        var functions = FunctionDefinition.All();
        Assert.Equal(
            [
                // Durable entities, orchestrations and activities (issue 14: R8, R12–R16, LGPD erasure).
                "AgentCapacity", "AssignQueuedCustomer", "BotHandoff", "ConversationAssigned", "ConversationFinished", "ConversationQueued", "ConversationStarted",
                "CustomerConversation", "FinishConversation", "ForgetCustomer", "PlaceInbound", "PlaceInboundMessage", "StartConversation", "UpdateAgent",
                "agent-api", "health", "negotiate", "openapi", "outbox-retry", "retention", "template-sync", "webpubsub-events", "whatsapp-webhook", "window-expiry",
            ],
            functions.Select(f => f.Name).Order(StringComparer.Ordinal));
        var localOnly = Endpoints().Where(e => e.Metadata.GetMetadata<LocalOnlyMetadata>() is not null).Select(PatternOf).ToList();
        Assert.Contains("/api/dev/token", localOnly);
        Assert.Contains(localOnly, p => p.StartsWith("/client/hubs", StringComparison.Ordinal));
        Assert.Contains("/api/local/timers/{name}", localOnly);
        var exposed = localOnly.Where(p => functions.Any(f => f.Route is not null && f.Covers(p))).ToList();
        Assert.True(exposed.Count == 0, "local-only endpoints under a function's route: " + string.Join(", ", exposed));
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
    [InlineData("retention")]
    public async Task Hosting_TimerOnDemand_RunsTheTimerWork_AndSaysWhatItDid(string function)
    {
        using var response = await fixture.Factory.CreateClient().PostAsync($"/api/local/timers/{function}?pastDue=true", content: null);
        var reply = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var logs = reply.GetProperty("logs");
        Assert.NotEmpty(logs.EnumerateArray());
        Assert.All(logs.EnumerateArray(), l => Assert.Equal(JsonValueKind.String, l.ValueKind));
        Assert.True(reply.TryGetProperty("returnValue", out _));
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
