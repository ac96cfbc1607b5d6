using System.Net;
using Smartspace.LocalHost;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Hosting;

/// <summary>The local host serves the built console (<c>Console:Path</c>) at <c>/</c> with a fallback to its index.html; API routes stay API routes.</summary>
public sealed class AgentConsoleTests : IDisposable
{
    private readonly string dist = Path.Combine(Path.GetTempPath(), "smartspace-console-tests", Guid.NewGuid().ToString("N"));
    private readonly HandlerFactory factory;

    public AgentConsoleTests()
    {
        Directory.CreateDirectory(Path.Combine(dist, "assets"));
        File.WriteAllText(Path.Combine(dist, "index.html"), "<!doctype html><title>console</title>");
        File.WriteAllText(Path.Combine(dist, "assets", "app.js"), "console.log('app');");
        factory = new HandlerFactory(overrides: new Dictionary<string, string?> { [AgentConsole.PathSetting] = dist });
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/historico")]
    public async Task Console_IndexHtml_AtRootAndClientRoutes(string path)
    {
        using var response = await factory.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>console</title>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Console_Assets_ServedWithTheirContentType()
    {
        using var response = await factory.CreateClient().GetAsync("/assets/app.js");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("console.log('app');", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/api/nope")]
    [InlineData("/api/agent/nope")]
    [InlineData("/sandbox/nope")]
    public async Task Console_UnknownApiRoutes_Stay404Problems(string path)
    {
        using var response = await factory.CreateClient().GetAsync(path);

        var problem = await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.DoesNotContain("console", problem.GetRawText(), StringComparison.Ordinal);
    }

    /// <summary>
    /// With the console served, a non-GET request to an unknown route is still a 404 problem+json, never a 405 (the console
    /// is not a catch-all GET endpoint that would make routing answer "wrong method" for every address).
    /// </summary>
    [Theory]
    [InlineData("POST", "/api/nope")]
    [InlineData("PUT", "/api/agent/nope")]
    [InlineData("DELETE", "/api/whatsapp/nope")]
    [InlineData("PATCH", "/api/agent/conversations/c1/nope")]
    [InlineData("POST", "/historico")]
    [InlineData("POST", "/")]
    public async Task Console_NonGetToAnUnknownRoute_Is404Problem_Not405(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        using var response = await factory.CreateClient().SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Console_WrongMethodOnAKnownRoute_IsStill405Problem()
    {
        using var response = await factory.CreateClient().DeleteAsync("/api/health");

        await response.AssertProblemAsync(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }

    [Fact]
    public async Task Console_Head_AnswersTheConsolePageHeaders()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "/historico");
        using var response = await factory.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Console_DevAgents_ListsTheSeededAgentsForTheSignInPicker()
    {
        using var response = await factory.CreateClient().GetAsync("/api/dev/agents");
        var body = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var agents = body.GetProperty("agents").EnumerateArray().Select(a => (a.GetProperty("agentId").GetString(), a.GetProperty("role").GetString())).ToList();
        Assert.Equal([("ana", "agent"), ("bruno", "agent"), ("carla", "supervisor")], agents);
    }

    [Fact]
    public void Console_FindDist_MissingConfiguredFolderIsNone_ElseNearestWebDist()
    {
        Assert.Null(AgentConsole.FindDist(Path.Combine(dist, "missing"), dist));
        Assert.Equal(dist, AgentConsole.FindDist(dist, "/"));
        var repo = Path.Combine(dist, "repo");
        Directory.CreateDirectory(Path.Combine(repo, "web", "dist"));
        File.WriteAllText(Path.Combine(repo, "web", "dist", "index.html"), "x");
        var deep = Directory.CreateDirectory(Path.Combine(repo, "functions", "bin", "Debug")).FullName;
        Assert.Equal(Path.Combine(repo, "web", "dist"), AgentConsole.FindDist(null, deep));
    }

    public void Dispose()
    {
        factory.Dispose();
        Directory.Delete(dist, recursive: true);
    }
}
