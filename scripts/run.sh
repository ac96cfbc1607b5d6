#!/usr/bin/env bash
# Runs the whole product on its embedded defaults: the local host (the same feature code as the Function App) on Azurite (tables, blobs, queues), the embedded Web PubSub hub,
# the Meta sandbox (fake Graph API + customer simulator), hosted timers and the seeded demo contact center.
# Listens on http://127.0.0.1:5080 (override with ASPNETCORE_URLS). Settings: local.settings.json when
# present, else local.settings.sample.json; environment variables override both.
# Storage is Azurite (Azure Table Storage for the ledger, Blob Storage for media, queues for the Durable runtime): unless
# Storage__TablesConnectionString names an account already, it is installed with npm ci, started on free loopback ports
# with its data in data/azurite (kept between runs; SMARTSPACE_AZURITE_LOCATION moves it) and stopped on exit. The Durable
# runtime uses the same account unless Durable__ConnectionString names another.
set -euo pipefail
cd "$(dirname "$0")/.."

settings=local.settings.json
[ -f "$settings" ] || settings=local.settings.sample.json

# A clean one-line error when the address is taken, before anything is built or written.
url="${ASPNETCORE_URLS:-http://127.0.0.1:5080}"; url="${url%%;*}"
hostport="${url#*://}"; hostport="${hostport%%/*}"; port="${hostport##*:}"; host="${hostport%:*}"
case "$host" in ''|'*'|'+'|'0.0.0.0'|'[::]') host=127.0.0.1 ;; localhost) host=127.0.0.1 ;; esac
if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
  echo "run.sh: $host:$port is already in use; stop what listens there or set ASPNETCORE_URLS=http://127.0.0.1:<free port>" >&2
  exit 1
fi

# The agent console (web/, served at / in local mode): installed and built unless SMARTSPACE_SKIP_WEB_BUILD=1.
if [ "${SMARTSPACE_SKIP_WEB_BUILD:-0}" != 1 ]; then
  echo "[1/3] Building the agent console (web/)…"
  (cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent) || exit 1
else
  echo "[1/3] Skipping the agent console build (SMARTSPACE_SKIP_WEB_BUILD=1)."
fi
echo "[2/3] Building the local host (Release)…"
dotnet build functions/Smartspace.LocalHost/Smartspace.LocalHost.csproj -c Release -nologo -v minimal
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
if [ -n "${ASPNETCORE_URLS:-}" ]; then
  # On another address, the sandbox, its webhooks and the embedded hub follow it.
  self="${ASPNETCORE_URLS%%;*}"
  export Meta__GraphBaseUrl="${Meta__GraphBaseUrl:-$self/sandbox/graph}"
  export Meta__SandboxWebhookUrl="${Meta__SandboxWebhookUrl:-$self/api/whatsapp/webhook}"
  export WebPubSub__Endpoint="${WebPubSub__Endpoint:-$self}"
fi
azurite_pid=""
if [ -z "${Storage__TablesConnectionString:-}" ]; then
  [ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund --loglevel=error
  . scripts/azurite.sh
  location="${SMARTSPACE_AZURITE_LOCATION:-data/azurite}"
  mkdir -p "$location"
  location=$(cd "$location" && pwd)
  trap 'kill "${azurite_pid:-}" 2>/dev/null; wait "${azurite_pid:-}" 2>/dev/null' EXIT
  start_azurite "$location" disk || { echo "run.sh: Azurite did not start; see $location/azurite.log" >&2; exit 1; }
  read -r blob_port queue_port table_port <<<"$azurite_ports"
  export Storage__TablesConnectionString="$azurite_connection_string"
  export Storage__BlobsConnectionString="${Storage__BlobsConnectionString:-$azurite_connection_string}"
  export Durable__ConnectionString="${Durable__ConnectionString:-$azurite_connection_string}"
  echo "Azurite on 127.0.0.1: blobs $blob_port, queues $queue_port, tables $table_port (pid $azurite_pid, data in $location)"
else
  # The caller named the account: the Durable runtime (queues, blobs and tables of its task hub) runs on it too unless
  # Durable__ConnectionString says otherwise — the settings file's UseDevelopmentStorage=true would send it to Azurite's
  # default ports instead.
  export Durable__ConnectionString="${Durable__ConnectionString:-$Storage__TablesConnectionString}"
fi
echo "[3/3] Starting; it is ready when it logs \"Now listening on\"."
echo "Smartspace on ${ASPNETCORE_URLS:-http://127.0.0.1:5080} — console: /, sandbox page: /sandbox, health: /api/health, OpenAPI: /api/openapi/v1.json"
if [ -z "$azurite_pid" ]; then
  exec dotnet functions/Smartspace.LocalHost/bin/Release/net10.0/Smartspace.LocalHost.dll --settings "$settings" "$@"
fi
# With our own Azurite the host runs beside it: a stop signal reaches the host, then Azurite stops (EXIT trap).
dotnet functions/Smartspace.LocalHost/bin/Release/net10.0/Smartspace.LocalHost.dll --settings "$settings" "$@" &
host_pid=$!
trap 'kill -TERM "$host_pid" 2>/dev/null' TERM INT
status=0
wait "$host_pid" || status=$?
# A signal interrupts the first wait; the second waits for the host's orderly exit.
if kill -0 "$host_pid" 2>/dev/null; then wait "$host_pid" || status=$?; fi
exit "$status"
