using System.Net;
using Smartspace.LocalHost;
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
    [InlineData("/sandbox/nope")]
    public async Task Console_UnknownApiRoutes_StayPlain404s(string path)
    {
        using var response = await factory.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("console", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
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
