using Smartspace.WorkerHost.Rpc;

namespace Smartspace.WorkerHost.Tests;

public sealed class HttpRoutingTests
{
    private static readonly WorkerFunction Get = Http("GetConversation", "agent/conversations/{id}", "get");
    private static readonly WorkerFunction History = Http("History", "agent/conversations/history", "get");
    private static readonly WorkerFunction Webhook = Http("Webhook", "whatsapp/webhook", "get", "post");
    private static readonly WorkerFunction Ping = Http("Ping", route: null);
    private static readonly WorkerFunction Files = Http("Files", "files/{*rest}", "get");
    private static readonly WorkerFunction Timer = TestFunctions.Create("Sweep", """{"name":"timer","type":"timerTrigger","direction":"In","schedule":"0 */5 * * * *"}""");

    private readonly HttpRouting _routing = new([Get, History, Webhook, Ping, Files, Timer], "api");

    [Fact]
    public void Resolve_LiteralSegmentBeatsParameter_PicksTheLiteralRoute()
    {
        var resolved = _routing.Resolve(HttpMethod.Get, "api/agent/conversations/history");

        Assert.Same(History, resolved?.Function);
    }

    [Fact]
    public void Resolve_ParameterRoute_ReturnsTheRouteValues()
    {
        var resolved = _routing.Resolve(HttpMethod.Get, "/api/agent/conversations/c-42");

        Assert.Same(Get, resolved?.Function);
        Assert.Equal("c-42", resolved?.RouteValues["id"]);
    }

    [Fact]
    public void Resolve_MethodNotDeclared_NoFunction()
    {
        Assert.Null(_routing.Resolve(HttpMethod.Delete, "api/whatsapp/webhook"));
        Assert.Same(Webhook, _routing.Resolve(HttpMethod.Post, "api/whatsapp/webhook")?.Function);
    }

    [Fact]
    public void Resolve_NoRouteDeclared_ServesAtTheFunctionName()
    {
        Assert.Same(Ping, _routing.Resolve(HttpMethod.Put, "api/ping")?.Function);
    }

    [Fact]
    public void Resolve_CatchAll_TakesTheRestOfThePath()
    {
        var resolved = _routing.Resolve(HttpMethod.Get, "api/files/a/b/c.txt");

        Assert.Same(Files, resolved?.Function);
        Assert.Equal("a/b/c.txt", resolved?.RouteValues["rest"]);
    }

    [Fact]
    public void Resolve_WithoutThePrefix_NoFunction()
    {
        Assert.Null(_routing.Resolve(HttpMethod.Post, "whatsapp/webhook"));
    }

    [Fact]
    public void Resolve_EmptyRoutePrefix_ServesAtTheRoot()
    {
        var routing = new HttpRouting([Webhook], "");

        Assert.Same(Webhook, routing.Resolve(HttpMethod.Get, "whatsapp/webhook")?.Function);
        Assert.Null(routing.Resolve(HttpMethod.Get, "api/whatsapp/webhook"));
    }

    [Fact]
    public void Match_NotAnHttpFunction_Throws()
    {
        Assert.Throws<WorkerHostException>(() => _routing.Match(Timer, "api/sweep"));
    }

    [Fact]
    public void ParseQuery_RepeatedKeys_JoinedWithCommas()
    {
        var query = HttpRouting.ParseQuery("?hub.mode=subscribe&x=1&x=2");

        Assert.Equal("subscribe", query["hub.mode"]);
        Assert.Equal("1,2", query["x"]);
    }

    private static WorkerFunction Http(string name, string? route, params string[] methods)
    {
        var routeJson = route is null ? "" : $"\"route\":\"{route}\",";
        var methodsJson = string.Join(",", methods.Select(m => $"\"{m}\""));
        return TestFunctions.Create(name,
            $$"""{"name":"req","direction":"In","type":"httpTrigger","authLevel":"Anonymous",{{routeJson}}"methods":[{{methodsJson}}]}""",
            """{"name":"$return","type":"http","direction":"Out"}""");
    }
}

internal static class TestFunctions
{
    public static WorkerFunction Create(string name, params string[] rawBindings)
    {
        var metadata = new RpcFunctionMetadata { Name = name, FunctionId = name.GetHashCode().ToString(System.Globalization.CultureInfo.InvariantCulture), EntryPoint = "App." + name, ScriptFile = "App.dll" };
        metadata.RawBindings.AddRange(rawBindings);
        return new WorkerFunction(metadata);
    }
}
