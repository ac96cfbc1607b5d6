// Least-privilege data-plane roles for the Function App's system-assigned identity.
//
// | Role                          | Scope          | Why |
// |-------------------------------|----------------|-----|
// | Storage Blob Data Owner       | storage account| Functions host storage (AzureWebJobsStorage__accountName): the host creates its
// |                               |                | containers (azure-webjobs-hosts/-secrets), takes blob leases for timer singletons
// |                               |                | and stores host keys. Microsoft documents Blob Data OWNER as the minimum for host
// |                               |                | storage ("covers the basic needs of Functions host storage"); the Flex deployment
// |                               |                | package container (read at start, written by one-deploy through the app's
// |                               |                | identity) is covered by the same assignment. Blob Data Contributor alone is not
// |                               |                | the documented minimum for the host, so it is not used.
// |                               |                | The same assignment lets the app read, write and delete the media files of the
// |                               |                | 'media' container (Storage__MediaContainer): a narrower Blob Data Contributor
// |                               |                | on that container would add nothing the account-wide Owner does not grant.
// | Storage Table Data Contributor| storage account| the Table Storage store (read/write entities, create tables if missing), and
// |                               |                | the Durable task hub's Instances/History tables (Azure Storage provider).
// | Storage Queue Data Contributor| storage account| the Durable task hub's control and work-item queues (entities, orchestrations);
// |                               |                | its lease and large-message blobs are covered by Blob Data Owner above.
// | Web PubSub Service Owner      | Web PubSub     | data-plane REST API (publish, groups, connections) with Entra ID; today the
// |                               |                | handler signs with the access key, the role keeps identity auth possible.
// | Key Vault Secrets User        | Key Vault      | resolve the @Microsoft.KeyVault(...) app settings (read secret values only).
// | Monitoring Metrics Publisher  | App Insights   | the host's telemetry with APPLICATIONINSIGHTS_AUTHENTICATION_STRING=Authorization=AAD.
//
// Optionally, a human/CI principal gets Key Vault Secrets Officer to set the secrets out-of-band.

@description('Object id of the Function App system-assigned identity.')
param principalId string

@description('Storage account name.')
param storageAccountName string

@description('Web PubSub service name.')
param webPubSubName string

@description('Key Vault name.')
param keyVaultName string

@description('Application Insights component name.')
param appInsightsName string

@description('Optional object id of a user/group/service principal allowed to write Key Vault secrets; empty = none.')
param vaultWriterPrincipalId string

@description('Principal type of vaultWriterPrincipalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param vaultWriterPrincipalType string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource webPubSub 'Microsoft.SignalRService/webPubSub@2024-03-01' existing = {
  name: webPubSubName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// Storage Blob Data Owner
resource blobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b')
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b')
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Table Data Contributor
resource tableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Storage Queue Data Contributor (Durable Functions' Azure Storage provider: control and work-item queues)
resource queueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, '974c5e8b-45b9-4653-ba55-5f855dd0fb88')
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '974c5e8b-45b9-4653-ba55-5f855dd0fb88')
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Web PubSub Service Owner
resource webPubSubServiceOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(webPubSub.id, principalId, '12cf5a90-567b-43ae-8102-96cf46c7d9b4')
  scope: webPubSub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '12cf5a90-567b-43ae-8102-96cf46c7d9b4')
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Key Vault Secrets User
resource keyVaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, '4633458b-17de-408a-b874-0445c86b69e6')
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Monitoring Metrics Publisher
resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, '3913510d-42f4-4e42-8a64-420c390055eb')
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '3913510d-42f4-4e42-8a64-420c390055eb')
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Key Vault Secrets Officer for whoever sets the secrets (optional).
resource secretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(vaultWriterPrincipalId)) {
  name: guid(vault.id, vaultWriterPrincipalId, 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7')
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7')
    principalId: vaultWriterPrincipalId
    principalType: vaultWriterPrincipalType
  }
}
