using System.Text.Json.Nodes;

namespace Smartspace.Infra.Tests.Infrastructure;

/// <summary>main.bicep and every parameter file compiled once per test run.</summary>
public sealed class CompiledInfra
{
    private static readonly Lazy<CompiledInfra> LazyInstance = new(() => new CompiledInfra());

    private CompiledInfra()
    {
        var build = BicepRuns.Build;
        Assert.True(build.ExitCode == 0, $"bicep build failed:\n{build.StdOut}{build.StdErr}");
        MainJson = RepoLayout.ReadJsonObject(BicepRuns.CompiledPath(RepoLayout.MainBicep));
        Main = new ArmTemplate(MainJson);

        var buildParams = BicepRuns.BuildParams;
        Assert.True(buildParams.ExitCode == 0, $"bicep build-params failed:\n{buildParams.StdOut}{buildParams.StdErr}");
        ParameterFiles = RepoLayout.ParamFiles().ToDictionary(
            file => Path.GetFileName(file),
            file => RepoLayout.ReadJsonObject(BicepRuns.CompiledPath(file)),
            StringComparer.Ordinal);
    }

    public static CompiledInfra Instance => LazyInstance.Value;

    public JsonObject MainJson { get; }

    public ArmTemplate Main { get; }

    /// <summary>Compiled parameter files (ARM deploymentParameters JSON) by file name.</summary>
    public IReadOnlyDictionary<string, JsonObject> ParameterFiles { get; }

    /// <summary>The Function App resource (inside its module).</summary>
    public ArmResource FunctionApp => Main.Single("Microsoft.Web/sites");

    /// <summary>App settings of the Function App: name → raw ARM value (literal or expression).</summary>
    public IReadOnlyDictionary<string, string> AppSettings
    {
        get
        {
            var settings = FunctionApp.Properties?["siteConfig"]?["appSettings"] as JsonArray;
            Assert.NotNull(settings);
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in settings.OfType<JsonObject>())
            {
                var name = entry["name"]!.GetValue<string>();
                Assert.False(result.ContainsKey(name), $"app setting {name} is declared twice");
                result[name] = entry["value"]?.GetValue<string>() ?? string.Empty;
            }

            return result;
        }
    }
}
