using System.Text.Json.Nodes;

namespace Smartspace.Infra.Tests.Infrastructure;

/// <summary>main.bicep and every parameter file compiled once per test run.</summary>
public sealed class CompiledInfra
{
    private static readonly Lazy<CompiledInfra> LazyInstance = new(() => new CompiledInfra());

    private CompiledInfra()
    {
        var main = BicepCli.Run("build", RepoLayout.MainBicep, "--stdout");
        Assert.True(main.ExitCode == 0, $"bicep build main.bicep failed:\n{main.StdErr}");
        MainJson = JsonNode.Parse(main.StdOut)!.AsObject();
        Main = new ArmTemplate(MainJson);

        var parameters = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var file in RepoLayout.ParamFiles())
        {
            var result = BicepCli.Run("build-params", file, "--stdout");
            Assert.True(result.ExitCode == 0, $"bicep build-params {file} failed:\n{result.StdErr}");
            var wrapper = JsonNode.Parse(result.StdOut)!.AsObject();
            parameters[Path.GetFileName(file)] = JsonNode.Parse(wrapper["parametersJson"]!.GetValue<string>())!.AsObject();
        }

        ParameterFiles = parameters;
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
