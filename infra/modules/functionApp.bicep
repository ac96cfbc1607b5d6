// Linux Function App on the Flex Consumption plan (FC1) running the Smartspace isolated worker (.NET 10).
//
// Flex specifics (see shared reference §1.7):
//  - the runtime is declared in functionAppConfig.runtime, so FUNCTIONS_WORKER_RUNTIME,
//    FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE and WEBSITE_CONTENTSHARE are NOT set;
//  - the package lives in a blob container read with the app's system-assigned identity;
//  - host storage is identity-based (AzureWebJobsStorage__accountName), no connection string.
//
// App settings mirror local.settings.sample.json (`Section__Key` names); local-only features
// are switched off and every secret is a Key Vault reference (versionless SecretUri, so a new
// secret version is picked up when the platform refreshes references or the app restarts).

@description('Azure region.')
param location string

@description('Flex Consumption plan name.')
param planName string

@description('Function App name (also the default host name prefix).')
param appName string

@description('Storage account used for host storage, deployment package and tables.')
param storageAccountName string

@description('URL of the blob container that holds the deployment package.')
param deploymentContainerUrl string

@description('Table service endpoint of the storage account (https://<account>.table.core.windows.net/).')
param tablesServiceUri string

@description('Blob service endpoint of the storage account (https://<account>.blob.core.windows.net/): media files (Storage__BlobsServiceUri).')
param blobsServiceUri string

@description('Blob container of the media files (Storage__MediaContainer).')
param mediaContainerName string

@description('Prefix of the table names the store uses (Storage__TablePrefix).')
param tablePrefix string

@description('Application Insights connection string.')
param appInsightsConnectionString string

@description('Key Vault URI (ends with a slash).')
param keyVaultUri string

@description('Web PubSub https endpoint.')
param webPubSubEndpoint string

@description('Web PubSub hub name.')
param webPubSubHub string

@description('Maximum instances Flex may scale out to (40-1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Always-ready instances for the HTTP trigger group (0 = scale to zero).')
@minValue(0)
param alwaysReadyHttpInstances int

@description('Graph API version used for WhatsApp Cloud API calls.')
param graphApiVersion string

@description('Expected `iss` of agent tokens.')
param authIssuer string

@description('Expected `aud` of agent tokens.')
param authAudience string

@description('Entra ID authority for agent tokens; empty = tokens signed with Auth__SigningKey.')
param authAuthority string

@description('Interval between template syncs (TimeSpan).')
param templateSyncInterval string

@description('Interval of the window-expiry sweep (TimeSpan).')
param windowExpiryInterval string

@description('Interval of the outbox retry sweep (TimeSpan).')
param outboxRetryInterval string

@description('LGPD: default retention of messages (TimeSpan).')
param messageRetention string

@description('LGPD: default retention of media (TimeSpan).')
param mediaRetention string

@description('Seed file loaded at start-up; empty = no seed data (the Azure default).')
param seedFile string

@description('Origins allowed to call the agent API from a browser.')
param corsAllowedOrigins string[]

@description('Names of the Key Vault secrets.')
param secretNames {
  metaAppSecret: string
  metaVerifyToken: string
  metaAccessToken: string
  webPubSubAccessKey: string
  authSigningKey: string
}

@description('Tags applied to every resource.')
param tags object

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true // Linux
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: 'SystemAssigned'
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: alwaysReadyHttpInstances > 0
          ? [
              {
                name: 'http'
                instanceCount: alwaysReadyHttpInstances
              }
            ]
          : []
      }
      runtime: {
        // The app is a dotnet-isolated worker (functions/Smartspace.FunctionApp, net10.0, framework-dependent).
        // Check availability with `az functionapp list-flexconsumption-runtimes --location <region> --runtime dotnet-isolated`.
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      cors: {
        allowedOrigins: corsAllowedOrigins
      }
      appSettings: [
        // --- Functions host -------------------------------------------------------------
        {
          // Identity-based host storage (the system-assigned identity; no keys).
          name: 'AzureWebJobsStorage__accountName'
          value: storageAccountName
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsightsConnectionString
        }
        {
          // The Functions host sends its own telemetry with Entra ID (Monitoring Metrics Publisher).
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'Authorization=AAD'
        }
        {
          // The host's own request body limit (default 104857600 bytes, 100 MiB) sits in front of the worker: an agent's
          // attachment may be a 100 MiB document (Meta's largest file, MediaRules.MaxBytesOfAnyKind) and its multipart form
          // around it, so the host would answer 413 before the attachment handler (which takes MediaRules.MaxAttachmentRequestBytes,
          // the file plus 64 KiB) ever saw it. 105906176 = 100 MiB + 1 MiB: the largest attachment and its form, and no more.
          name: 'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT'
          value: '105906176'
        }
        // --- App: environment -------------------------------------------------------
        {
          name: 'ASPNETCORE_ENVIRONMENT'
          value: 'Production'
        }
        {
          name: 'Local__Enabled'
          value: 'false'
        }
        {
          name: 'Seed__File'
          value: seedFile
        }
        // --- App: storage (Azure Table Storage through the managed identity) --------
        {
          name: 'Storage__TablesServiceUri'
          value: tablesServiceUri
        }
        {
          // Empty: the store authenticates with the managed identity, never with a key.
          name: 'Storage__TablesConnectionString'
          value: ''
        }
        {
          name: 'Storage__TablePrefix'
          value: tablePrefix
        }
        // --- App: media files (Azure Blob Storage through the managed identity: Storage Blob Data Owner on the account) ---
        {
          name: 'Storage__BlobsServiceUri'
          value: blobsServiceUri
        }
        {
          // Empty: media are read and written with the managed identity, never with a key.
          name: 'Storage__BlobsConnectionString'
          value: ''
        }
        {
          name: 'Storage__MediaContainer'
          value: mediaContainerName
        }
        {
          name: 'Storage__TablesMaxRetries'
          value: '2'
        }
        {
          name: 'Storage__TablesNetworkTimeout'
          value: '00:00:05'
        }
        // --- App: Meta / WhatsApp Cloud API -----------------------------------------
        {
          name: 'Meta__AppSecret'
          value: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${secretNames.metaAppSecret}/)'
        }
        {
          name: 'Meta__VerifyToken'
          value: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${secretNames.metaVerifyToken}/)'
        }
        {
          name: 'Meta__AccessToken'
          value: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${secretNames.metaAccessToken}/)'
        }
        {
          name: 'Meta__GraphBaseUrl'
          value: 'https://graph.facebook.com'
        }
        {
          name: 'Meta__GraphApiVersion'
          value: graphApiVersion
        }
        {
          name: 'Meta__SandboxEnabled'
          value: 'false'
        }
        {
          // The sandbox is local-only.
          name: 'Meta__SandboxWebhookUrl'
          value: ''
        }
        {
          name: 'Meta__TemplateSyncInterval'
          value: templateSyncInterval
        }
        // --- App: Web PubSub --------------------------------------------------------
        {
          name: 'WebPubSub__Mode'
          value: 'Azure'
        }
        {
          name: 'WebPubSub__Endpoint'
          value: webPubSubEndpoint
        }
        {
          name: 'WebPubSub__AccessKey'
          value: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${secretNames.webPubSubAccessKey}/)'
        }
        {
          name: 'WebPubSub__Hub'
          value: webPubSubHub
        }
        {
          // Azure Web PubSub calls the app itself (configured on the hub); only the embedded hub uses this.
          name: 'WebPubSub__EventHandlerUrl'
          value: ''
        }
        {
          name: 'WebPubSub__ReconnectWindow'
          value: '00:00:30'
        }
        {
          name: 'WebPubSub__MaxUnackedMessages'
          value: '1000'
        }
        {
          name: 'WebPubSub__MaxBufferedBytes'
          value: '16777216'
        }
        {
          name: 'WebPubSub__TokenLifetime'
          value: '01:00:00'
        }
        {
          name: 'WebPubSub__EnableTestHooks'
          value: 'false'
        }
        // --- App: agent authentication ----------------------------------------------
        {
          name: 'Auth__Issuer'
          value: authIssuer
        }
        {
          name: 'Auth__Audience'
          value: authAudience
        }
        {
          // Always a Key Vault reference; with an Entra ID authority it is not used for validation.
          name: 'Auth__SigningKey'
          value: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${secretNames.authSigningKey}/)'
        }
        {
          name: 'Auth__Authority'
          value: authAuthority
        }
        {
          name: 'Auth__DevTokensEnabled'
          value: 'false'
        }
        {
          name: 'Auth__DevTokenLifetime'
          value: '08:00:00'
        }
        // --- Agent API limits: body size (413 before reading) and per-agent rate limit (429)
        {
          name: 'AgentApi__MaxBodyBytes'
          value: '32768'
        }
        {
          name: 'AgentApi__RateLimitPermits'
          value: '300'
        }
        {
          name: 'AgentApi__RateLimitWindow'
          value: '00:01:00'
        }
        // --- Timers (the schedules are the Function App's [TimerTrigger]s; these intervals drive only the local host's loops)
        {
          name: 'Timers__WindowExpiryInterval'
          value: windowExpiryInterval
        }
        {
          name: 'Timers__OutboxRetryInterval'
          value: outboxRetryInterval
        }
        {
          // In Azure the timer functions run the sweeps, not hosted loops.
          name: 'Timers__Hosted'
          value: 'false'
        }
        // --- LGPD retention (the schedule is the retention [TimerTrigger], daily at 03:00 UTC)
        {
          name: 'Privacy__MessageRetention'
          value: messageRetention
        }
        {
          name: 'Privacy__MediaRetention'
          value: mediaRetention
        }
        {
          name: 'Privacy__RetentionMaxRowsPerRun'
          value: '20000'
        }
        {
          // Drives only the local host's loop; in Azure the timer function runs the sweep.
          name: 'Privacy__RetentionInterval'
          value: '1.00:00:00'
        }
        // --- App: telemetry ---------------------------------------------------------
        {
          name: 'Telemetry__Exporter'
          value: 'AzureMonitor'
        }
        {
          // OTLP is local-only; Azure Monitor uses APPLICATIONINSIGHTS_CONNECTION_STRING.
          name: 'Telemetry__OtlpEndpoint'
          value: ''
        }
      ]
    }
  }
}

output name string = site.name
output id string = site.id
output principalId string = site.identity.principalId
output defaultHostName string = site.properties.defaultHostName
