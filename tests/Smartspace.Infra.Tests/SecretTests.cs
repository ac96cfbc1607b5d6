using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Smartspace.Infra.Tests.Infrastructure;

namespace Smartspace.Infra.Tests;

/// <summary>Secrets reach the app only as Key Vault references; no secret value is in any file.</summary>
public partial class SecretTests
{
    /// <summary>Settings whose values are credentials.</summary>
    public static readonly IReadOnlyList<string> SecretSettings =
    [
        "Meta__AppSecret",
        "Meta__VerifyToken",
        "Meta__AccessToken",
        "WebPubSub__AccessKey",
        "Auth__SigningKey",
    ];

    public static TheoryData<string> Secrets() => new(SecretSettings);

    [Theory]
    [MemberData(nameof(Secrets))]
    public void Secret_setting_is_a_versionless_Key_Vault_reference(string name)
    {
        var value = CompiledInfra.Instance.AppSettings[name];

        var match = KeyVaultReference().Match(value);
        Assert.True(match.Success, $"{name} is not a Key Vault reference: {value}");
        Assert.Equal("parameters('keyVaultUri')", match.Groups["vault"].Value);
    }

    [Fact]
    public void Key_Vault_references_point_at_the_deployed_vault_and_distinct_secrets()
    {
        var infra = CompiledInfra.Instance;
        var vaultUri = infra.Main.Resolve(JsonValue.Create("[parameters('keyVaultUri')]"), infra.FunctionApp)!.ToString();
        Assert.Equal("[reference('keyVault').outputs.uri.value]", vaultUri);

        var secretNames = SecretSettings
            .Select(s => KeyVaultReference().Match(infra.AppSettings[s]).Groups["secret"].Value)
            .ToList();
        Assert.Equal(secretNames.Count, secretNames.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void The_sample_secrets_are_all_covered_by_the_secret_list()
    {
        // A new sample key that looks like a credential must be added to SecretSettings.
        // (Connection strings are not listed: in Azure they are empty or identity-based.)
        var looksSecret = HandlerLayout.SampleSettings().Keys
            .Where(k => SecretLikeName().IsMatch(k))
            .ToList();

        Assert.All(looksSecret, k => Assert.Contains(k, SecretSettings));
    }

    [Fact]
    public void No_local_sample_secret_value_appears_in_infra_files_or_compiled_json()
    {
        var sample = HandlerLayout.SampleSettings();
        var sampleSecrets = SecretSettings.Select(s => sample[s]).Where(v => v.Length > 0).ToList();

        foreach (var (source, text) in EverythingDeployed())
        {
            foreach (var secret in sampleSecrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{source} contains the sample secret '{secret}'");
            }
        }
    }

    [Fact]
    public void No_value_in_the_compiled_templates_looks_like_a_key_or_secret()
    {
        var infra = CompiledInfra.Instance;
        var documents = new List<(string Name, JsonNode Json)> { ("main.bicep (compiled)", infra.MainJson) };
        documents.AddRange(infra.ParameterFiles.Select(p => (p.Key + " (compiled)", (JsonNode)p.Value)));

        var offenders = new List<string>();
        foreach (var (name, json) in documents)
        {
            foreach (var (path, value) in ArmTemplate.AllStrings(json))
            {
                if (path.EndsWith("._generator.templateHash", StringComparison.Ordinal))
                {
                    continue; // bicep's own decimal hash of the template
                }

                if (LooksLikeSecret(value))
                {
                    offenders.Add($"{name} {path} = {value}");
                }
            }
        }

        Assert.True(offenders.Count == 0, "values that look like secrets:\n" + string.Join('\n', offenders));
    }

    [Theory]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc;EndpointSuffix=core.windows.net")]
    [InlineData("Endpoint=https://x.webpubsub.azure.com;AccessKey=abc;Version=1.0;")]
    [InlineData("q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8L9z0X1c2V3b4N5m6Q7w8E9r0T1y2")]
    [InlineData("0123456789abcdef0123456789abcdef0123")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZ2VudC0xIiwicm9sZSI6InN1cGVydmlzb3IifQ.c2lnbmF0dXJl")]
    [InlineData("https://x.blob.core.windows.net/c?sv=2022-11-02&sig=abc")]
    public void The_secret_detector_flags_typical_credentials(string value)
    {
        Assert.True(LooksLikeSecret(value));
    }

    [Theory]
    [InlineData("[format('@Microsoft.KeyVault(SecretUri={0}secrets/meta-app-secret/)', parameters('keyVaultUri'))]")]
    [InlineData("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')]")]
    [InlineData("https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#")]
    public void The_secret_detector_leaves_ordinary_template_values_alone(string value)
    {
        Assert.False(LooksLikeSecret(value));
    }

    [Fact]
    public void Key_Vault_secrets_written_by_the_deployment_take_their_value_from_the_service_at_deploy_time()
    {
        var secrets = CompiledInfra.Instance.Main.OfType("Microsoft.KeyVault/vaults/secrets").ToList();

        Assert.All(secrets, s =>
        {
            var value = s.Properties!["value"]!.ToString();
            Assert.Matches(@"^\[listKeys\(", value);
        });
    }

    [Fact]
    public void Secure_parameters_have_no_default_value()
    {
        var infra = CompiledInfra.Instance;
        var templates = new[] { infra.MainJson }
            .Concat(infra.Main.Resources.Select(r => r.Properties?["template"]).OfType<JsonObject>());

        foreach (var template in templates)
        {
            foreach (var (name, parameter) in template["parameters"] as JsonObject ?? [])
            {
                var type = parameter!["type"]!.ToString();
                if (type.StartsWith("secure", StringComparison.OrdinalIgnoreCase))
                {
                    Assert.False(parameter.AsObject().ContainsKey("defaultValue"), $"secure parameter {name} has a default");
                }
            }
        }
    }

    [Fact]
    public void No_output_exposes_keys()
    {
        foreach (var (name, output) in CompiledInfra.Instance.Main.Outputs)
        {
            var value = output!["value"]?.ToString() ?? string.Empty;
            Assert.DoesNotContain("listKeys", value, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("connectionString", name, StringComparison.OrdinalIgnoreCase);
        }
    }

    internal static bool LooksLikeSecret(string value)
    {
        if (Regex.IsMatch(value, @"(AccountKey|AccessKey|SharedAccessKey|SharedAccessSignature)\s*=", RegexOptions.IgnoreCase)
            || Regex.IsMatch(value, @"[?&]sig=", RegexOptions.IgnoreCase))
        {
            return true;
        }

        // Long hex runs (keys, tokens); GUIDs have dashes and are not matched.
        if (Regex.IsMatch(value, @"(?<![0-9A-Za-z])[0-9a-fA-F]{32,}(?![0-9A-Za-z])"))
        {
            return true;
        }

        // Long base64 runs mixing upper, lower and digits (access keys, app secrets, JWT segments).
        foreach (Match m in Regex.Matches(value, @"[A-Za-z0-9+/]{32,}={0,2}"))
        {
            var run = m.Value;
            if (run.Any(char.IsUpper) && run.Any(char.IsLower) && run.Any(char.IsDigit))
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<(string Source, string Text)> EverythingDeployed()
    {
        foreach (var file in RepoLayout.BicepFiles().Concat(RepoLayout.ParamFiles()))
        {
            yield return (RepoLayout.Relative(file), File.ReadAllText(file));
        }

        var infra = CompiledInfra.Instance;
        yield return ("main.bicep (compiled)", infra.MainJson.ToJsonString());
        foreach (var (name, json) in infra.ParameterFiles)
        {
            yield return (name + " (compiled)", json.ToJsonString());
        }
    }

    [GeneratedRegex(@"^\[format\('@Microsoft\.KeyVault\(SecretUri=\{0\}secrets/\{1\}/\)', (?<vault>parameters\('keyVaultUri'\)), parameters\('secretNames'\)\.(?<secret>\w+)\)\]$")]
    private static partial Regex KeyVaultReference();

    [GeneratedRegex("(Secret|Token|Key|Password)$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretLikeName();
}
