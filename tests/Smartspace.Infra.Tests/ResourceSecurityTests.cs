using Smartspace.Infra.Tests.Infrastructure;

namespace Smartspace.Infra.Tests;

/// <summary>Storage, Web PubSub, Key Vault and RBAC are locked down as the design requires.</summary>
public class ResourceSecurityTests
{
    /// <summary>Built-in role definition ids the app's identity needs (scope → why, see roleAssignments.bicep).</summary>
    public static TheoryData<string, string> AppRoles() => new()
    {
        { "Storage Blob Data Owner", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b" },
        { "Storage Table Data Contributor", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3" },
        // Durable entities (issue 14): the task hub's queues; its blobs and tables are covered by the two above.
        { "Storage Queue Data Contributor", "974c5e8b-45b9-4653-ba55-5f855dd0fb88" },
        { "Web PubSub Service Owner", "12cf5a90-567b-43ae-8102-96cf46c7d9b4" },
        { "Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6" },
        { "Monitoring Metrics Publisher", "3913510d-42f4-4e42-8a64-420c390055eb" },
    };

    [Fact]
    public void Storage_account_refuses_shared_key_access()
    {
        var account = CompiledInfra.Instance.Main.Single("Microsoft.Storage/storageAccounts");

        Assert.False(account.Properties!["allowSharedKeyAccess"]!.GetValue<bool>());
        Assert.False(account.Properties!["allowBlobPublicAccess"]!.GetValue<bool>());
        Assert.Equal("TLS1_2", account.Properties!["minimumTlsVersion"]!.ToString());
    }

    [Fact]
    public void Tables_default_to_the_prefixed_ledger_and_directory_tables()
    {
        var infra = CompiledInfra.Instance;
        var prefix = infra.Main.ParameterDefault("tablePrefix")!.ToString();
        var logical = infra.Main.ParameterDefault("tableLogicalNames")!.AsArray().Select(n => n!.ToString());

        Assert.Equal(["smartspaceledger", "smartspacedirectory"], logical.Select(n => prefix + n));
        Assert.Equal(prefix, HandlerLayout.SampleSettings()["Storage__TablePrefix"]);
        var tables = Assert.Single(infra.Main.OfType("Microsoft.Storage/storageAccounts/tableServices/tables"));
        Assert.NotNull(tables.Node["copy"]); // one table per logical name
    }

    [Fact]
    public void Table_prefix_app_setting_matches_the_tables_created()
    {
        var infra = CompiledInfra.Instance;
        var setting = infra.Main.Resolve(infra.AppSettings["Storage__TablePrefix"], infra.FunctionApp)!.ToString();

        Assert.Equal(infra.Main.ParameterDefault("tablePrefix")!.ToString(), setting);
        var storageModule = infra.Main.Resources.Single(r => r.SymbolicName == "storage");
        var tableNames = ArmTemplate.AllStrings(storageModule.Properties!["parameters"]!["tableNames"]).Select(s => s.Value);
        Assert.Contains(tableNames, v => v.Contains("parameters('tablePrefix')", StringComparison.Ordinal));
    }

    [Fact]
    public void Web_PubSub_hub_denies_anonymous_connections_and_receives_connected_and_disconnected()
    {
        var hub = CompiledInfra.Instance.Main.Single("Microsoft.SignalRService/webPubSub/hubs");

        Assert.Equal("Deny", hub.Properties!["anonymousConnectPolicy"]!.ToString());
        var handler = hub.Properties!["eventHandlers"]![0]!;
        var events = handler["systemEvents"]!.AsArray().Select(e => e!.ToString()).ToList();
        Assert.Equal(["connected", "disconnected"], events.Order(StringComparer.Ordinal));
        Assert.StartsWith("[format('https://", handler["urlTemplate"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Web_PubSub_tier_is_free_in_dev_and_standard_in_prod()
    {
        var files = CompiledInfra.Instance.ParameterFiles;

        Assert.Equal("Free_F1", files["main.dev.bicepparam"]["parameters"]!["webPubSubSku"]!["value"]!.ToString());
        Assert.Equal("Standard_S1", files["main.prod.bicepparam"]["parameters"]!["webPubSubSku"]!["value"]!.ToString());
    }

    [Fact]
    public void Key_Vault_uses_RBAC_authorization_with_soft_delete()
    {
        var vault = CompiledInfra.Instance.Main.Single("Microsoft.KeyVault/vaults");

        Assert.True(vault.Properties!["enableRbacAuthorization"]!.GetValue<bool>());
        Assert.True(vault.Properties!["enableSoftDelete"]!.GetValue<bool>());
        Assert.False(vault.Properties!.ContainsKey("accessPolicies"));
    }

    [Fact]
    public void Application_Insights_sends_to_a_Log_Analytics_workspace()
    {
        var infra = CompiledInfra.Instance;
        var appInsights = infra.Main.Single("Microsoft.Insights/components");
        infra.Main.Single("Microsoft.OperationalInsights/workspaces");

        Assert.Contains("Microsoft.OperationalInsights/workspaces", appInsights.Properties!["WorkspaceResourceId"]!.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AppRoles))]
    public void Function_app_identity_is_granted_the_role(string role, string roleDefinitionId)
    {
        var infra = CompiledInfra.Instance;
        var assignments = infra.Main.OfType("Microsoft.Authorization/roleAssignments")
            .Where(a => a.Properties!["roleDefinitionId"]!.ToString().Contains(roleDefinitionId, StringComparison.OrdinalIgnoreCase))
            .ToList();

        var assignment = Assert.Single(assignments);
        var principal = infra.Main.Resolve(assignment.Properties!["principalId"], assignment)!.ToString();
        Assert.True(principal == "[reference('functionApp').outputs.principalId.value]", $"{role} is granted to {principal}");
        Assert.Equal("ServicePrincipal", assignment.Properties!["principalType"]!.ToString());
        Assert.NotNull(assignment.Node["scope"]); // scoped to the one resource, not the resource group
    }

    [Fact]
    public void Function_app_identity_gets_no_broad_management_role()
    {
        // Owner, Contributor, User Access Administrator, Storage Account Contributor.
        string[] broad =
        [
            "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
            "b24988ac-6180-42a0-ab88-20f7382dd24c",
            "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
            "17d1049b-9a84-46fb-8f53-869881c3d3ab",
        ];
        var ids = CompiledInfra.Instance.Main.OfType("Microsoft.Authorization/roleAssignments")
            .Select(a => a.Properties!["roleDefinitionId"]!.ToString());

        Assert.DoesNotContain(ids, id => broad.Any(b => id.Contains(b, StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public void Outputs_include_the_urls_and_endpoint_operators_need()
    {
        var outputs = CompiledInfra.Instance.Main.Outputs;

        foreach (var name in new[] { "webhookUrl", "negotiateUrl", "webPubSubEndpoint" })
        {
            Assert.True(outputs.ContainsKey(name), $"output {name} is missing");
        }

        Assert.Equal("[reference('webPubSub').outputs.endpoint.value]", outputs["webPubSubEndpoint"]!["value"]!.ToString());
    }
}
