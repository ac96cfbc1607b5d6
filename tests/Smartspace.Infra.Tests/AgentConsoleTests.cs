using System.Text.Json.Nodes;
using Smartspace.Infra.Tests.Infrastructure;

namespace Smartspace.Infra.Tests;

/// <summary>The agent console is a static site of its own, and the agent API's CORS admits its origin and nothing broader.</summary>
public class AgentConsoleTests
{
    [Fact]
    public void Console_is_a_Static_Web_App_whose_origin_is_an_output()
    {
        var infra = CompiledInfra.Instance;
        var site = infra.Main.Single("Microsoft.Web/staticSites");

        Assert.Equal("[parameters('skuName')]", site.Node["sku"]!["name"]!.ToString());
        Assert.Equal("Free", infra.Main.ParameterDefault("consoleSku")!.ToString());
        var origin = site.Template["outputs"]!["origin"]!["value"]!.ToString();
        Assert.Equal("[format('https://{0}', reference(resourceId('Microsoft.Web/staticSites', parameters('name')), '2023-12-01').defaultHostname)]", origin);
        Assert.Contains("'agentConsole'", infra.Main.OutputValue("consoleUrl"), StringComparison.Ordinal);
    }

    [Fact]
    public void Agent_API_CORS_admits_the_console_origin_plus_explicit_extras_only()
    {
        var infra = CompiledInfra.Instance;
        var functionAppModule = infra.Main.Resources.Single(r => r.SymbolicName == "functionApp");
        var passed = functionAppModule.Properties!["parameters"]!["corsAllowedOrigins"]!["value"]!.ToString();

        Assert.Equal(
            "[union(createArray(reference('agentConsole').outputs.origin.value), parameters('corsAllowedOrigins'))]",
            passed);
        var cors = infra.FunctionApp.Properties!["siteConfig"]!["cors"]!;
        Assert.Equal("[parameters('corsAllowedOrigins')]", cors["allowedOrigins"]!.ToString());
        Assert.NotEqual(true, cors["supportCredentials"]?.GetValue<bool>());
    }

    [Fact]
    public void Production_adds_no_origin_and_no_parameter_file_admits_any_origin()
    {
        var files = CompiledInfra.Instance.ParameterFiles;

        Assert.Empty(files["main.prod.bicepparam"]["parameters"]!["corsAllowedOrigins"]!["value"]!.AsArray());
        foreach (var (name, file) in files)
        {
            var extras = file["parameters"]?["corsAllowedOrigins"]?["value"] as JsonArray ?? [];
            Assert.All(extras, o => Assert.DoesNotContain("*", o!.ToString(), StringComparison.Ordinal));
            Assert.True(extras.All(o => Uri.TryCreate(o!.ToString(), UriKind.Absolute, out _)), $"{name}: every extra origin is an absolute URL");
        }
    }
}
