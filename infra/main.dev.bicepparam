using 'main.bicep'

// Development: free Web PubSub, locally-redundant storage, scale to zero.
param environmentName = 'dev'
param webPubSubSku = 'Free_F1'
param storageSku = 'Standard_LRS'
param maximumInstanceCount = 40
param instanceMemoryMB = 2048
param alwaysReadyHttpInstances = 0
param logRetentionInDays = 30
param keyVaultSoftDeleteRetentionInDays = 7
param keyVaultPurgeProtection = false
param authIssuer = 'smartspace-dev'
param authAudience = 'smartspace-agent-api'
param authAuthority = ''
param corsAllowedOrigins = [
  'http://localhost:5173'
]
