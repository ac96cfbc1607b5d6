using Smartspace.Testing;
using Smartspace.Infra.Tests.Infrastructure;

namespace Smartspace.Infra.Tests;

/// <summary>The app is a Flex Consumption (FC1) Linux app with the dotnet-isolated 10.0 runtime, configured the Flex way.</summary>
public class FlexConsumptionTests
{
    /// <summary>Settings Flex Consumption rejects or ignores (moved to functionAppConfig or deprecated).</summary>
    public static TheoryData<string> ForbiddenOnFlex() => new(
    [
        "FUNCTIONS_WORKER_RUNTIME",
        "FUNCTIONS_WORKER_RUNTIME_VERSION",
        "FUNCTIONS_EXTENSION_VERSION",
        "WEBSITE_RUN_FROM_PACKAGE",
        "WEBSITE_CONTENTSHARE",
        "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
        "WEBSITE_TIME_ZONE",
        "TZ",
        "AzureWebJobsStorage",
    ]);

    [Theory]
    [MemberData(nameof(ForbiddenOnFlex))]
    public void Setting_that_Flex_does_not_allow_is_absent(string name)
    {
        Assert.DoesNotContain(name, CompiledInfra.Instance.AppSettings.Keys);
    }

    [Fact]
    public void Plan_is_Flex_Consumption_FC1_on_Linux()
    {
        var plan = CompiledInfra.Instance.Main.Single("Microsoft.Web/serverfarms");

        Assert.Equal("FC1", plan.Node["sku"]!["name"]!.ToString());
        Assert.Equal("FlexConsumption", plan.Node["sku"]!["tier"]!.ToString());
        Assert.True(plan.Properties!["reserved"]!.GetValue<bool>());
    }

    [Fact]
    public void Function_app_declares_functionAppConfig_with_the_dotnet_isolated_10_runtime()
    {
        var app = CompiledInfra.Instance.FunctionApp;
        var config = app.Properties!["functionAppConfig"];

        Assert.NotNull(config);
        Assert.Equal("dotnet-isolated", config["runtime"]!["name"]!.ToString());
        Assert.Equal("10.0", config["runtime"]!["version"]!.ToString());
        Assert.Contains("linux", app.Node["kind"]!.ToString(), StringComparison.Ordinal);
        Assert.Contains("functionapp", app.Node["kind"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Host_json_is_an_isolated_worker_host_json_without_custom_handler_or_bundle()
    {
        var host = HandlerLayout.HostJson;

        Assert.Equal("2.0", host["version"]!.ToString());
        Assert.Null(host["customHandler"]);
        // The isolated worker brings its host-side extensions (.azurefunctions/, extensions.json); a bundle would compete with them.
        Assert.Null(host["extensionBundle"]);
    }

    [Fact]
    public void Host_json_runs_Durable_on_the_Azure_Storage_provider_with_its_own_task_hub_and_entity_queue()
    {
        // Issue 14 (R12–R15): entities and orchestrations run on the host's Durable extension, Azure Storage provider,
        // the same engine and provider the local host runs against Azurite.
        var durable = HandlerLayout.HostJson["extensions"]!["durableTask"]!;

        Assert.Equal("smartspace", durable["hubName"]!.ToString());
        Assert.Equal("AzureStorage", durable["storageProvider"]!["type"]!.ToString());
        Assert.True(durable["storageProvider"]!["useSeparateQueueForEntityWorkItems"]!.GetValue<bool>());
        Assert.True(TimeSpan.Parse(durable["storageProvider"]!["maxQueuePollingInterval"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture) <= TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("controlQueueVisibilityTimeout")]
    [InlineData("workItemQueueVisibilityTimeout")]
    public void Host_json_redelivers_a_crashed_workers_messages_within_a_minute_not_after_DTFxs_5_minutes(string setting)
    {
        // A message a crashed worker had taken stays invisible this long: with the 5-minute default, an orchestration
        // holding a customer's and an agent's locks waited 5 minutes for its effect activity (the local host's crash drill).
        var value = HandlerLayout.HostJson["extensions"]!["durableTask"]!["storageProvider"]![setting]?.ToString();

        Assert.NotNull(value);
        Assert.InRange(TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void Function_app_build_declares_the_dotnet_isolated_worker()
    {
        var config = RepoLayout.ReadJsonObject(Path.Combine(FunctionAppMetadata.BuildOutput, "worker.config.json"));

        Assert.Equal("dotnet-isolated", config["description"]!["language"]!.ToString());
        Assert.Equal("Smartspace.FunctionApp.dll", config["description"]!["defaultWorkerPath"]!.ToString());
    }

    [Fact]
    public void Deployment_package_is_read_from_a_blob_container_with_the_system_identity()
    {
        var infra = CompiledInfra.Instance;
        var storage = infra.FunctionApp.Properties!["functionAppConfig"]!["deployment"]!["storage"]!;

        Assert.Equal("blobContainer", storage["type"]!.ToString());
        Assert.Equal("SystemAssignedIdentity", storage["authentication"]!["type"]!.ToString());
        var url = infra.Main.Resolve(storage["value"], infra.FunctionApp)!.ToString();
        Assert.Equal("[reference('storage').outputs.deploymentContainerUrl.value]", url);
        // Two private containers: the deployment package and the media files (issue 16).
        Assert.Equal(2, infra.Main.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").Count());
    }

    [Fact]
    public void Function_app_has_a_system_assigned_identity_and_https_only()
    {
        var app = CompiledInfra.Instance.FunctionApp;

        Assert.Equal("SystemAssigned", app.Node["identity"]!["type"]!.ToString());
        Assert.True(app.Properties!["httpsOnly"]!.GetValue<bool>());
    }

    [Fact]
    public void Scale_settings_are_within_Flex_limits_in_every_parameter_file()
    {
        foreach (var (file, json) in CompiledInfra.Instance.ParameterFiles)
        {
            var parameters = json["parameters"]!.AsObject();
            if (parameters["maximumInstanceCount"]?["value"] is { } max)
            {
                Assert.InRange(max.GetValue<int>(), 40, 1000);
            }

            if (parameters["instanceMemoryMB"]?["value"] is { } memory)
            {
                Assert.Contains(memory.GetValue<int>(), new[] { 512, 2048, 4096 });
            }

            Assert.True(parameters.ContainsKey("environmentName"), $"{file} does not set environmentName");
        }
    }
}
