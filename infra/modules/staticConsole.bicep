// The agent console (web/dist) as an Azure Static Web App: static files only, no API of its own —
// the console calls the Function App's agent API, whose CORS admits exactly this site's origin.

@description('Static Web App name.')
param name string

@description('Region of the Static Web App (a region that offers Microsoft.Web/staticSites).')
param location string

@description('Free (no SLA) or Standard.')
@allowed([
  'Free'
  'Standard'
])
param skuName string = 'Free'

param tags object = {}

resource site 'Microsoft.Web/staticSites@2023-12-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuName
  }
  properties: {
    // Deployed from the built folder (web/dist) with a deployment token, not from a repository.
    allowConfigFileUpdates: true
    stagingEnvironmentPolicy: 'Disabled'
  }
}

@description('Static Web App name.')
output name string = site.name

@description('Origin of the console (https://<default host name>), the only browser origin the agent API admits besides explicit extras.')
output origin string = 'https://${site.properties.defaultHostname}'
