// Azure Web PubSub service. The hub ('agents') is declared in main.bicep because its event
// handler URL needs the Function App's host name.
//
// The handler signs its data-plane REST calls and validates the event handler's `ce-signature`
// with the access key, so local (key) auth stays enabled. The key is copied into Key Vault by
// this deployment (read with listKeys at deployment time, never written in a file) and reaches
// the app as a Key Vault reference.

@description('Azure region.')
param location string

@description('Web PubSub service name.')
param name string

@description('Free_F1 (dev, no SLA, 1 unit) or Standard_S1.')
@allowed([
  'Free_F1'
  'Standard_S1'
])
param skuName string

@description('Units (Free_F1 only allows 1).')
@minValue(1)
param capacity int

@description('Key Vault that receives the access key secret.')
param keyVaultName string

@description('Name of the Key Vault secret that holds the primary access key.')
param accessKeySecretName string

@description('Tags applied to every resource.')
param tags object

resource webPubSub 'Microsoft.SignalRService/webPubSub@2024-03-01' = {
  name: name
  location: location
  tags: tags
  kind: 'WebPubSub'
  sku: {
    name: skuName
    tier: skuName == 'Free_F1' ? 'Free' : 'Standard'
    capacity: skuName == 'Free_F1' ? 1 : capacity
  }
  properties: {
    disableLocalAuth: false
    disableAadAuth: false
    publicNetworkAccess: 'Enabled'
    tls: {
      clientCertEnabled: false
    }
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource accessKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: accessKeySecretName
  properties: {
    contentType: 'Web PubSub primary access key (written by the infra deployment)'
    value: webPubSub.listKeys().primaryKey
  }
}

output name string = webPubSub.name
output id string = webPubSub.id
output endpoint string = 'https://${webPubSub.properties.hostName}'
