using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Smartspace.Infra.Tests.Infrastructure;

/// <summary>A resource found anywhere in a compiled ARM template, including inside module deployments.</summary>
public sealed record ArmResource(string SymbolicName, JsonObject Node, JsonObject Template, ArmResource? Deployment)
{
    public string Type => Node["type"]!.GetValue<string>();

    public JsonObject? Properties => Node["properties"] as JsonObject;
}

/// <summary>
/// A compiled ARM template (bicep build output) with a small resolver that follows
/// <c>[parameters('x')]</c> through module boundaries, so the tests can see which value reaches a
/// resource without deploying anything.
/// </summary>
public sealed partial class ArmTemplate
{
    public ArmTemplate(JsonObject root)
    {
        Root = root;
        Resources = Walk(root, null).ToList();
    }

    public JsonObject Root { get; }

    public IReadOnlyList<ArmResource> Resources { get; }

    public IEnumerable<ArmResource> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase));

    public ArmResource Single(string type)
    {
        var found = OfType(type).ToList();
        Assert.True(found.Count == 1, $"expected exactly one {type}, found {found.Count}");
        return found[0];
    }

    public JsonObject Outputs => Root["outputs"] as JsonObject ?? [];

    public string OutputValue(string name)
    {
        Assert.True(Outputs.ContainsKey(name), $"output '{name}' is missing");
        return Outputs[name]!["value"]!.GetValue<string>();
    }

    /// <summary>Default value of a parameter of the top-level template.</summary>
    public JsonNode? ParameterDefault(string name) => Root["parameters"]?[name]?["defaultValue"];

    /// <summary>
    /// Follows a value of the form <c>[parameters('x')]</c> to what the enclosing module deployment
    /// passes in (recursively), or to the top-level default. Anything else is returned as is.
    /// </summary>
    public JsonNode? Resolve(JsonNode? value, ArmResource owner) => Resolve(value, owner.Template, owner.Deployment);

    private JsonNode? Resolve(JsonNode? value, JsonObject template, ArmResource? deployment)
    {
        if (value is not JsonValue v || !v.TryGetValue<string>(out var text))
        {
            return value;
        }

        var match = ParameterExpression().Match(text);
        if (!match.Success)
        {
            return value;
        }

        var name = match.Groups["name"].Value;
        if (deployment is null)
        {
            return template["parameters"]?[name]?["defaultValue"] ?? value;
        }

        var passed = deployment.Properties?["parameters"]?[name]?["value"];
        return passed is null
            ? template["parameters"]?[name]?["defaultValue"] ?? value
            : Resolve(passed, deployment.Template, deployment.Deployment);
    }

    /// <summary>Every string value anywhere in the template (recursively), with its JSON path.</summary>
    public static IEnumerable<(string Path, string Value)> AllStrings(JsonNode? node, string path = "$")
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    foreach (var item in AllStrings(child, $"{path}.{key}"))
                    {
                        yield return item;
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    foreach (var item in AllStrings(array[i], $"{path}[{i}]"))
                    {
                        yield return item;
                    }
                }

                break;
            case JsonValue value when value.TryGetValue<string>(out var text):
                yield return (path, text);
                break;
        }
    }

    private static IEnumerable<ArmResource> Walk(JsonObject template, ArmResource? deployment)
    {
        IEnumerable<(string, JsonObject)> entries = template["resources"] switch
        {
            JsonArray array => array.OfType<JsonObject>().Select((r, i) => (r["name"]?.ToString() ?? i.ToString(), r)),
            JsonObject map => map.Where(kv => kv.Value is JsonObject).Select(kv => (kv.Key, kv.Value!.AsObject())),
            _ => [],
        };

        foreach (var (symbolicName, node) in entries)
        {
            if (node["existing"]?.GetValue<bool>() == true)
            {
                continue; // a reference to a resource declared elsewhere, not a deployment of it
            }

            var resource = new ArmResource(symbolicName, node, template, deployment);
            yield return resource;

            if (resource.Type.Equals("Microsoft.Resources/deployments", StringComparison.OrdinalIgnoreCase)
                && resource.Properties?["template"] is JsonObject nested)
            {
                foreach (var inner in Walk(nested, resource))
                {
                    yield return inner;
                }
            }
        }
    }

    [GeneratedRegex(@"^\[parameters\('(?<name>[^']+)'\)\]$")]
    private static partial Regex ParameterExpression();
}
