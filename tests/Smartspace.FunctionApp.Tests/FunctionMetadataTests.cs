using System.Text.Json.Nodes;
using Smartspace.FunctionApp.Tests.Infrastructure;

namespace Smartspace.FunctionApp.Tests;

/// <summary>What the worker indexes is what the publish folder declares, and every function loads.</summary>
[Collection(FunctionAppCollection.Name)]
public sealed class FunctionMetadataTests(FunctionAppFixture fixture)
{
    [Fact]
    public void EveryFunctionInFunctionsMetadata_IsIndexedAndLoaded()
    {
        var declared = fixture.Host.App.DeclaredFunctions.Order(StringComparer.Ordinal).ToArray();
        var loaded = fixture.Host.Functions.Select(f => f.Name).Order(StringComparer.Ordinal).ToArray();

        Assert.NotEmpty(declared);
        Assert.Equal(declared, loaded);
        Assert.All(fixture.Host.Functions, f => Assert.False(string.IsNullOrEmpty(f.FunctionId), f.Name));
    }

    [Fact]
    public void IndexedBindings_MatchTheRawBindingsOfFunctionsMetadata()
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(fixture.Host.App.Directory, "functions.metadata")))!.AsArray();

        foreach (var declared in file)
        {
            var name = declared!["name"]!.GetValue<string>();
            var function = fixture.Host.GetFunction(name);
            var expected = declared["bindings"]!.AsArray().Select(b => $"{b!["direction"]!.GetValue<string>().ToLowerInvariant()} {b["type"]!.GetValue<string>()} {b["name"]!.GetValue<string>()}");
            Assert.Equal(expected.Order(StringComparer.Ordinal), function.Bindings.Select(b => b.ToString()).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void HttpFunctions_AreAnonymousWithTheirRoutes()
    {
        var http = fixture.Host.Functions.Where(f => f.IsHttpTrigger).ToDictionary(f => f.Name, f => f.Route);

        Assert.Equal("whatsapp/webhook", http["whatsapp-webhook"]);
        Assert.Equal("health", http["health"]);
        Assert.StartsWith("agent/", http["agent-api"], StringComparison.Ordinal);
        // Meta and browsers cannot send function keys: every check is the feature's own (signature, bearer token).
        Assert.All(fixture.Host.Functions.Where(f => f.IsHttpTrigger), f => Assert.Equal("Anonymous", f.AuthLevel, ignoreCase: true));
    }

    [Fact]
    public void R12_R13_R16_DurableFunctions_AreIndexedAndLoaded_UnderTheEntityAndOrchestrationNames()
    {
        // Issue 14: the Functions host runs the same entity, orchestration and activity classes as the local host; an entity's
        // function name is its entity name (the runtime lower-cases it: customerconversation, agentcapacity).
        var triggers = fixture.Host.Functions.ToDictionary(f => f.Name, f => f.Trigger?.Type, StringComparer.Ordinal);

        Assert.Equal("entityTrigger", triggers["CustomerConversation"]);
        Assert.Equal("entityTrigger", triggers["AgentCapacity"]);
        foreach (var orchestration in new[] { "StartConversation", "FinishConversation", "AssignQueuedCustomer", "BotHandoff", "PlaceInbound", "UpdateAgent", "ForgetCustomer" })
        {
            Assert.True(triggers.TryGetValue(orchestration, out var type) && type == "orchestrationTrigger", $"{orchestration}: {type ?? "missing"}");
        }

        // The placement retry, and the effects the orchestrations make visible inside their critical sections.
        foreach (var activity in new[] { "PlaceInboundMessage", "ConversationStarted", "ConversationFinished", "ConversationAssigned", "ConversationQueued" })
        {
            Assert.True(triggers.TryGetValue(activity, out var type) && type == "activityTrigger", $"{activity}: {type ?? "missing"}");
        }
    }

    [Fact]
    public void FunctionsThatReachTheEntities_DeclareADurableClient_AndNoOthers()
    {
        // In Azure the features reach the entities through the invocation's [DurableClient]: the webhook (signal), the agent
        // API and the Web PubSub events (orchestrations, signals, reads), the sweeps that read or change customers, the customer's
        // entity and placement activity (their placement asks for queue routing), and the agent's entity (an agent who comes
        // online asks for queue routing, R18). Orchestrations must not bind anything else.
        string[] expected =
        [
            "whatsapp-webhook", "agent-api", "webpubsub-events",
            "window-expiry", "outbox-retry", "retention",
            "CustomerConversation", "PlaceInboundMessage", "AgentCapacity",
        ];

        var withClient = fixture.Host.Functions.Where(f => f.DurableClients.Count > 0).Select(f => f.Name).Order(StringComparer.Ordinal);

        Assert.Equal(expected.Order(StringComparer.Ordinal), withClient);
        Assert.All(fixture.Host.Functions.Where(f => f.DurableClients.Count > 0), f => Assert.Equal(["in durableClient client"], f.DurableClients.Select(b => b.ToString())));
    }

    [Fact]
    public void TimerFunctions_DeclareASchedule()
    {
        var timers = fixture.Host.Functions.Where(f => f.IsTimerTrigger).ToArray();

        Assert.NotEmpty(timers);
        Assert.All(timers, t => Assert.False(string.IsNullOrWhiteSpace(t.Schedule), t.Name));
    }

    [Fact]
    public void Worker_AnnouncesItsHttpListener()
    {
        Assert.NotNull(fixture.Host.HttpUri);
        Assert.True(fixture.Host.HttpUri!.IsLoopback, fixture.Host.HttpUri.ToString());
        Assert.Equal("True", fixture.Host.WorkerCapabilities["RpcHttpBodyOnly"]);
    }
}
