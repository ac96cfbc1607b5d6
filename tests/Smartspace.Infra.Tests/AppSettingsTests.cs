using Smartspace.Infra.Tests.Infrastructure;

namespace Smartspace.Infra.Tests;

/// <summary>The Function App is configured with every option the handler reads, set for Azure.</summary>
public class AppSettingsTests
{
    /// <summary>
    /// Keys of local.settings.sample.json that are NOT app settings in Azure, and why:
    /// <list type="bullet">
    /// <item>FUNCTIONS_WORKER_RUNTIME — read by the Functions host, not the handler; on Flex Consumption
    /// it must not be set (the runtime is functionAppConfig.runtime).</item>
    /// <item>AzureWebJobsStorage — read by the host, not the handler; replaced by the identity-based
    /// AzureWebJobsStorage__accountName (a connection string would need shared keys, which are off).</item>
    /// <item>Durable__* — the local host's own Durable runtime (DTFx on Azurite); in Azure the Functions host's Durable
    /// extension runs the same entities and orchestrations with host.json's durableTask settings on AzureWebJobsStorage.</item>
    /// </list>
    /// Everything else (ASPNETCORE_ENVIRONMENT included) is read by the handler and must be set.
    /// </summary>
    public static readonly IReadOnlySet<string> NotAppSettingsInAzure = new HashSet<string>(StringComparer.Ordinal)
    {
        "FUNCTIONS_WORKER_RUNTIME",
        "AzureWebJobsStorage",
        "Durable__Enabled",
        "Durable__ConnectionString",
        "Durable__TaskHub",
        "Durable__PartitionCount",
        "Durable__MaxQueuePollingInterval",
        "Durable__CompletionTimeout",
        "Durable__WorkerId",
    };

    public static TheoryData<string> HandlerSettings() =>
        new(HandlerLayout.SampleSettings().Keys.Where(k => !NotAppSettingsInAzure.Contains(k)).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(HandlerSettings))]
    public void Every_setting_the_handler_reads_is_an_app_setting(string name)
    {
        Assert.True(CompiledInfra.Instance.AppSettings.ContainsKey(name),
            $"{name} (local.settings.sample.json) is not an app setting of the Function App");
    }

    [Fact]
    public void The_exclusion_list_only_names_keys_that_exist_in_the_sample()
    {
        var sample = HandlerLayout.SampleSettings();
        Assert.All(NotAppSettingsInAzure, key => Assert.True(sample.ContainsKey(key), $"{key} is no longer in the sample"));
    }

    [Theory]
    [InlineData("Local__Enabled", "false")]
    [InlineData("Meta__SandboxEnabled", "false")]
    [InlineData("Auth__DevTokensEnabled", "false")]
    [InlineData("WebPubSub__Mode", "Azure")]
    [InlineData("Storage__TablesConnectionString", "")]
    [InlineData("Storage__BlobsConnectionString", "")]
    [InlineData("Telemetry__Exporter", "AzureMonitor")]
    [InlineData("Meta__GraphBaseUrl", "https://graph.facebook.com")]
    public void Local_only_features_are_switched_off_in_Azure(string name, string expected)
    {
        Assert.Equal(expected, CompiledInfra.Instance.AppSettings[name]);
    }

    [Fact]
    public void Host_storage_is_identity_based_by_account_name()
    {
        var infra = CompiledInfra.Instance;
        var value = infra.Main.Resolve(infra.AppSettings["AzureWebJobsStorage__accountName"], infra.FunctionApp)!.ToString();

        Assert.Contains("reference('storage').outputs.name.value", value, StringComparison.Ordinal);
        Assert.DoesNotContain(infra.AppSettings.Keys, k => k == "AzureWebJobsStorage");
    }

    [Fact]
    public void Media_are_in_a_private_container_of_the_storage_account_reached_through_its_blob_endpoint()
    {
        var infra = CompiledInfra.Instance;
        var uri = infra.Main.Resolve(infra.AppSettings["Storage__BlobsServiceUri"], infra.FunctionApp)!.ToString();
        Assert.Contains("reference('storage').outputs.blobEndpoint.value", uri, StringComparison.Ordinal);
        var container = infra.Main.Resolve(infra.AppSettings["Storage__MediaContainer"], infra.FunctionApp)!.ToString();
        Assert.Contains("reference('storage').outputs.mediaContainerName.value", container, StringComparison.Ordinal);

        var containers = infra.Main.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").ToList();
        var media = Assert.Single(containers, c => c.Properties!["publicAccess"]?.ToString() == "None" && c.SymbolicName == "mediaContainer");
        Assert.NotNull(media);
        Assert.All(containers, c => Assert.Equal("None", c.Properties!["publicAccess"]?.ToString()));
    }

    [Fact]
    public void Tables_service_uri_is_the_storage_accounts_table_endpoint()
    {
        var infra = CompiledInfra.Instance;
        var value = infra.Main.Resolve(infra.AppSettings["Storage__TablesServiceUri"], infra.FunctionApp)!.ToString();
        Assert.Contains("reference('storage').outputs.tableEndpoint.value", value, StringComparison.Ordinal);

        var storageModule = infra.Main.Resources.Single(r => r.SymbolicName == "storage");
        var output = storageModule.Properties!["template"]!["outputs"]!["tableEndpoint"]!["value"]!.ToString();
        Assert.Contains("primaryEndpoints.table", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Web_PubSub_endpoint_is_the_services_https_host()
    {
        var infra = CompiledInfra.Instance;
        var value = infra.Main.Resolve(infra.AppSettings["WebPubSub__Endpoint"], infra.FunctionApp)!.ToString();
        Assert.Contains("reference('webPubSub').outputs.endpoint.value", value, StringComparison.Ordinal);

        var module = infra.Main.Resources.Single(r => r.SymbolicName == "webPubSub");
        var output = module.Properties!["template"]!["outputs"]!["endpoint"]!["value"]!.ToString();
        Assert.StartsWith("[format('https://{0}'", output, StringComparison.Ordinal);
        Assert.Contains("hostName", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Application_Insights_connection_string_comes_from_the_component()
    {
        var infra = CompiledInfra.Instance;
        var value = infra.Main.Resolve(infra.AppSettings["APPLICATIONINSIGHTS_CONNECTION_STRING"], infra.FunctionApp)!.ToString();

        Assert.Contains("reference('monitoring').outputs.connectionString.value", value, StringComparison.Ordinal);
    }

    [Fact]
    public void Hub_setting_names_the_hub_that_is_deployed()
    {
        var infra = CompiledInfra.Instance;
        var hubSetting = infra.Main.Resolve(infra.AppSettings["WebPubSub__Hub"], infra.FunctionApp)!.ToString();
        var hub = infra.Main.Single("Microsoft.SignalRService/webPubSub/hubs");

        Assert.Equal("agents", hubSetting);
        Assert.EndsWith("parameters('webPubSubHubName'))]", hub.Node["name"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal("agents", infra.Main.ParameterDefault("webPubSubHubName")!.ToString());
    }
}
