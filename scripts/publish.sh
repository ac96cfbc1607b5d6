#!/usr/bin/env bash
# Produces the deployable Function App (dotnet-isolated, .NET 10) in artifacts/functionapp/:
#   host.json, functions.metadata (one entry per [Function]), worker.config.json (dotnet-isolated),
#   extensions.json and .azurefunctions/ (the host-side extensions), Smartspace.FunctionApp.dll and its dependencies
# and artifacts/functionapp.zip for `az functionapp deployment source config-zip` (or the Flex deployment container).
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts/functionapp
rm -rf "$out" artifacts/functionapp.zip
mkdir -p "$out"
dotnet publish functions/Smartspace.FunctionApp/Smartspace.FunctionApp.csproj -c Release -o "$out" -nologo -v quiet
for required in host.json functions.metadata worker.config.json extensions.json Smartspace.FunctionApp.dll; do
  [ -f "$out/$required" ] || { echo "publish: $out/$required is missing" >&2; exit 1; }
done
(cd "$out" && if command -v zip >/dev/null; then zip -qr ../functionapp.zip .; else python3 -m zipfile -c ../functionapp.zip .; fi)
echo "Published $out and artifacts/functionapp.zip"
