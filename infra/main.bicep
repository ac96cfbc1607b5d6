// Smartspace — WhatsApp contact-center back end on Azure.
//
// Deploys (resource-group scope):
//  - Log Analytics + Application Insights                  (modules/monitoring.bicep)
//  - Storage account: host storage, deployment container, tables (modules/storage.bicep)
//  - Key Vault (RBAC)                                       (modules/keyVault.bicep)
//  - Azure Web PubSub + access key secret                   (modules/webPubSub.bicep)
//  - Flex Consumption plan + Linux Function App, runtime 'custom' (modules/functionApp.bicep)
//  - Web PubSub hub 'agents' whose event handler calls the app (below)
//  - role assignments for the app's identity                (modules/roleAssignments.bicep)
//  - the agent console as a Static Web App; the agent API's CORS admits its origin (modules/staticConsole.bicep)
//
// HTTP routes: host.json sets routePrefix 'api'; the paths below must match the `route` of the
// functions in functions/*/function.json (checked by tests/Smartspace.Infra.Tests).
// No secret values live here: see README.md for the secrets created out-of-band.

targetScope = 'resourceGroup'

@description('Environment name, used in resource names and tags.')
@allowed([
  'dev'
  'test'
  'prod'
])
param environmentName string

@description('Short product name used in resource names (lowercase letters and digits).')
@minLength(2)
@maxLength(10)
param baseName string = 'smartspace'

@description('Azure region for every resource (must offer Flex Consumption).')
param location string = resourceGroup().location

@description('Web PubSub tier: Free_F1 for dev, Standard_S1 for production.')
@allowed([
  'Free_F1'
  'Standard_S1'
])
param webPubSubSku string

@description('Web PubSub units (ignored for Free_F1).')
@minValue(1)
param webPubSubCapacity int = 1

@description('Web PubSub hub the agents connect to (WebPubSub__Hub).')
param webPubSubHubName string = 'agents'

@description('Storage account SKU.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSku string = 'Standard_LRS'

@description('Prefix of every table the store uses (Storage__TablePrefix).')
param tablePrefix string = 'smartspace'

@description('Logical table names; each table is created as <tablePrefix><name>.')
param tableLogicalNames string[] = [
  'ledger'
  'directory'
]

@description('Maximum Flex Consumption instances (40-1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory per Flex Consumption instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Always-ready instances for the HTTP functions (0 = scale to zero, cold starts possible).')
@minValue(0)
param alwaysReadyHttpInstances int = 0

@description('Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Key Vault soft-delete retention in days.')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 90

@description('Key Vault purge protection (irreversible once on).')
param keyVaultPurgeProtection bool = false

@description('Graph API version for the WhatsApp Cloud API (Meta__GraphApiVersion).')
param graphApiVersion string = 'v23.0'

@description('Expected issuer of agent tokens (Auth__Issuer).')
param authIssuer string

@description('Expected audience of agent tokens (Auth__Audience).')
param authAudience string = 'smartspace-agent-api'

@description('Entra ID authority for agent tokens (Auth__Authority); empty = tokens signed with the Auth__SigningKey secret.')
param authAuthority string = ''

@description('Template sync interval (Meta__TemplateSyncInterval).')
param templateSyncInterval string = '00:15:00'

@description('Window-expiry sweep interval (Timers__WindowExpiryInterval).')
param windowExpiryInterval string = '00:00:30'

@description('Outbox retry interval (Timers__OutboxRetryInterval).')
param outboxRetryInterval string = '00:00:10'

@description('LGPD: how long a contact center keeps messages until its supervisor sets its own (Privacy__MessageRetention, TimeSpan).')
param messageRetention string = '1825.00:00:00'

@description('LGPD: how long a contact center keeps media until its supervisor sets its own (Privacy__MediaRetention, TimeSpan; at most messageRetention).')
param mediaRetention string = '365.00:00:00'

@description('Seed file loaded at start-up (Seed__File); empty = none.')
param seedFile string = ''

@description('Browser origins allowed to call the agent API besides the console origin (e.g. a local dev server); empty in production.')
param corsAllowedOrigins string[] = []

@description('Region of the console Static Web App (Microsoft.Web/staticSites is offered in fewer regions than Functions).')
param consoleLocation string = 'westeurope'

@description('Static Web App tier of the console.')
@allowed([
  'Free'
  'Standard'
])
param consoleSku string = 'Free'

@description('Optional object id that may write Key Vault secrets (Key Vault Secrets Officer); empty = none.')
param vaultWriterPrincipalId string = ''

@description('Principal type of vaultWriterPrincipalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param vaultWriterPrincipalType string = 'User'

@description('Extra tags.')
param tags object = {}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------
var suffix = take(uniqueString(subscription().id, resourceGroup().id, baseName, environmentName), 6)
var allTags = union(tags, {
  application: 'smartspace'
  environment: environmentName
})
var names = {
  workspace: 'log-${baseName}-${environmentName}-${suffix}'
  appInsights: 'appi-${baseName}-${environmentName}-${suffix}'
  storage: take(toLower('st${baseName}${environmentName}${suffix}'), 24)
  keyVault: take('kv-${baseName}-${environmentName}-${suffix}', 24)
  webPubSub: 'wps-${baseName}-${environmentName}-${suffix}'
  plan: 'plan-${baseName}-${environmentName}-${suffix}'
  functionApp: 'func-${baseName}-${environmentName}-${suffix}'
  console: 'stapp-${baseName}-${environmentName}-${suffix}'
}
var deploymentContainerName = 'app-package'
// Customer media and agents' attachments (issue 16): one private container, one folder per contact center.
var mediaContainerName = 'media'

// Key Vault secret names; values are set out-of-band (README.md), except the Web PubSub key.
var secretNames = {
  metaAppSecret: 'meta-app-secret'
  metaVerifyToken: 'meta-verify-token'
  metaAccessToken: 'meta-access-token'
  webPubSubAccessKey: 'webpubsub-access-key'
  authSigningKey: 'auth-signing-key'
}

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------
module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    workspaceName: names.workspace
    appInsightsName: names.appInsights
    retentionInDays: logRetentionInDays
    tags: allTags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    name: names.storage
    skuName: storageSku
    deploymentContainerName: deploymentContainerName
    mediaContainerName: mediaContainerName
    tableNames: [for logicalName in tableLogicalNames: '${tablePrefix}${logicalName}']
    tags: allTags
  }
}

module keyVault 'modules/keyVault.bicep' = {
  name: 'keyVault'
  params: {
    location: location
    name: names.keyVault
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    enablePurgeProtection: keyVaultPurgeProtection
    tags: allTags
  }
}

module webPubSub 'modules/webPubSub.bicep' = {
  name: 'webPubSub'
  params: {
    location: location
    name: names.webPubSub
    skuName: webPubSubSku
    capacity: webPubSubCapacity
    keyVaultName: keyVault.outputs.name
    accessKeySecretName: secretNames.webPubSubAccessKey
    tags: allTags
  }
}

module agentConsole 'modules/staticConsole.bicep' = {
  name: 'agentConsole'
  params: {
    name: names.console
    location: consoleLocation
    skuName: consoleSku
    tags: allTags
  }
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionApp'
  params: {
    location: location
    planName: names.plan
    appName: names.functionApp
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    tablesServiceUri: storage.outputs.tableEndpoint
    blobsServiceUri: storage.outputs.blobEndpoint
    mediaContainerName: storage.outputs.mediaContainerName
    tablePrefix: tablePrefix
    appInsightsConnectionString: monitoring.outputs.connectionString
    keyVaultUri: keyVault.outputs.uri
    webPubSubEndpoint: webPubSub.outputs.endpoint
    webPubSubHub: webPubSubHubName
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    alwaysReadyHttpInstances: alwaysReadyHttpInstances
    graphApiVersion: graphApiVersion
    authIssuer: authIssuer
    authAudience: authAudience
    authAuthority: authAuthority
    templateSyncInterval: templateSyncInterval
    windowExpiryInterval: windowExpiryInterval
    outboxRetryInterval: outboxRetryInterval
    messageRetention: messageRetention
    mediaRetention: mediaRetention
    seedFile: seedFile
    // The agent API admits the console's origin (and only explicitly listed extras).
    corsAllowedOrigins: union([agentConsole.outputs.origin], corsAllowedOrigins)
    secretNames: secretNames
    tags: allTags
  }
}

module roles 'modules/roleAssignments.bicep' = {
  name: 'roleAssignments'
  params: {
    principalId: functionApp.outputs.principalId
    storageAccountName: storage.outputs.name
    webPubSubName: webPubSub.outputs.name
    keyVaultName: keyVault.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
    vaultWriterPrincipalId: vaultWriterPrincipalId
    vaultWriterPrincipalType: vaultWriterPrincipalType
  }
}

// The hub lives here (not in modules/webPubSub.bicep) because its event handler needs the app's
// host name, and the app needs the service endpoint: service -> app -> hub, no cycle (the hub
// waits for the service through its dependency on the app, which uses webPubSub.outputs).
resource webPubSubService 'Microsoft.SignalRService/webPubSub@2024-03-01' existing = {
  name: names.webPubSub
}

resource agentsHub 'Microsoft.SignalRService/webPubSub/hubs@2024-03-01' = {
  parent: webPubSubService
  name: webPubSubHubName
  properties: {
    // Clients need an access token from api/negotiate.
    anonymousConnectPolicy: 'Deny'
    eventHandlers: [
      {
        // functions/webpubsub-events (route 'webpubsub/events', methods OPTIONS + POST) answers the
        // abuse-protection OPTIONS handshake and validates ce-signature with the access key.
        urlTemplate: 'https://${functionApp.outputs.defaultHostName}/api/webpubsub/events'
        systemEvents: [
          'connected'
          'disconnected'
        ]
      }
    ]
  }
}

// ---------------------------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------------------------
@description('Function App name (target of the package deployment).')
output functionAppName string = functionApp.outputs.name

@description('Callback URL to register at Meta (functions/whatsapp-webhook).')
output webhookUrl string = 'https://${functionApp.outputs.defaultHostName}/api/whatsapp/webhook'

@description('URL agents call to get a Web PubSub client URL (functions/negotiate).')
output negotiateUrl string = 'https://${functionApp.outputs.defaultHostName}/api/negotiate'

@description('Web PubSub https endpoint (WebPubSub__Endpoint).')
output webPubSubEndpoint string = webPubSub.outputs.endpoint

@description('Web PubSub event handler URL (functions/webpubsub-events).')
output webPubSubEventHandlerUrl string = 'https://${functionApp.outputs.defaultHostName}/api/webpubsub/events'

@description('The agent console (Static Web App); deploy web/dist there built with VITE_API_BASE = https://<app host>.')
output consoleUrl string = agentConsole.outputs.origin

@description('Key Vault that holds the secrets.')
output keyVaultName string = keyVault.outputs.name

@description('Storage account (host storage, package container, tables).')
output storageAccountName string = storage.outputs.name
