#!/usr/bin/env bash
# Produces the deployable Functions app folder artifacts/functionapp/:
#   host.json                  (customHandler → handler/Smartspace.Functions, HTTP proxying)
#   <function>/function.json   (one folder per function, copied from functions/*/function.json)
#   handler/                   (the handler, self-contained for linux-x64)
# and artifacts/functionapp.zip for `az functionapp deployment source config-zip`.
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts/functionapp
rm -rf "$out" artifacts/functionapp.zip
mkdir -p "$out"
cp host.json "$out/"
for fn in functions/*/function.json; do
  name=$(basename "$(dirname "$fn")")
  mkdir -p "$out/$name"
  cp "$fn" "$out/$name/function.json"
done
dotnet publish functions/Smartspace.Functions/Smartspace.Functions.csproj -c Release -r linux-x64 --self-contained true \
  -p:PublishSingleFile=false -o "$out/handler" -nologo -v quiet
chmod +x "$out/handler/Smartspace.Functions"
(cd "$out" && if command -v zip >/dev/null; then zip -qr ../functionapp.zip .; else python3 -m zipfile -c ../functionapp.zip .; fi)
echo "Published $out and artifacts/functionapp.zip"
