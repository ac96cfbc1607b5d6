using 'main.bicep'

// Production-like: Standard Web PubSub, zone-redundant storage, one always-ready HTTP instance
// so Meta's webhook calls do not wait for a cold start.
param environmentName = 'prod'
param webPubSubSku = 'Standard_S1'
param webPubSubCapacity = 1
param storageSku = 'Standard_ZRS'
param maximumInstanceCount = 100
param instanceMemoryMB = 2048
param alwaysReadyHttpInstances = 1
param logRetentionInDays = 90
param keyVaultSoftDeleteRetentionInDays = 90
param keyVaultPurgeProtection = true
param authIssuer = 'smartspace'
param authAudience = 'smartspace-agent-api'
// Set to your Entra ID tenant authority (e.g. https://login.microsoftonline.com/<tenant-id>/v2.0)
// to validate agent tokens with Entra ID instead of the auth-signing-key secret.
param authAuthority = ''
param corsAllowedOrigins = []
