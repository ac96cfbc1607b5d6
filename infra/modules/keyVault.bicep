// Key Vault holding the application's secrets. Access is Azure RBAC only (no access policies).
// Secret VALUES are never in this repository: see infra/README.md for the `az keyvault secret set`
// commands. The only secret written by the deployment is the Web PubSub access key, which the
// deployment reads from the service itself (webPubSub.bicep).

@description('Azure region.')
param location string

@description('Key Vault name (3-24 characters).')
@minLength(3)
@maxLength(24)
param name string

@description('Days a deleted vault/secret can be recovered.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

@description('Turn on purge protection (cannot be turned off again). Recommended for production.')
param enablePurgeProtection bool

@description('Tags applied to every resource.')
param tags object

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    // Purge protection can only be set to true; leaving it out keeps it off.
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

output name string = vault.name
output id string = vault.id
output uri string = vault.properties.vaultUri
