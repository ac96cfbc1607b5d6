#!/usr/bin/env bash
# Runs every test: installs what it needs (npm ci for Azurite and the Web PubSub clients, NuGet restore),
# builds, starts Azurite (blobs, queues, tables) on free loopback ports for the Table Storage, media and Durable tests, runs every .NET test project
# and the Node tests, then the console's browser tests (tests/web, installing Debian's chromium when missing; screenshots in
# artifacts/screenshots), stops Azurite, and fails when anything fails.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }

step "npm ci"
npm ci --no-audit --no-fund --loglevel=error || exit 1

step "dotnet build"
dotnet build Smartspace.sln -c Debug -nologo -v quiet || exit 1

. scripts/azurite.sh

step "Azurite (blobs, queues, tables)"
# Tables hold the product's rows, blobs its media files; the Durable Task Framework's Azure Storage provider (entities,
# orchestrations) uses all three services.
azurite_dir=$(mktemp -d)
cleanup() { kill "${azurite_pid:-}" 2>/dev/null; wait "${azurite_pid:-}" 2>/dev/null; rm -rf "$azurite_dir"; }
trap cleanup EXIT
if ! start_azurite "$azurite_dir" memory; then
  echo "Azurite did not start:"; cat "$azurite_dir/azurite.log"
  echo "0 passed, 1 failed"
  exit 1
fi
read -r blob_port queue_port azurite_port <<<"$azurite_ports"
export SMARTSPACE_AZURITE_CONNECTION_STRING="$azurite_connection_string"
echo "Azurite on 127.0.0.1: blobs $blob_port, queues $queue_port, tables $azurite_port (pid $azurite_pid)"

passed=0
failed=0
failures=()
failed_tests=()
for project in tests/*/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  step "dotnet test $name"
  log=$(mktemp)
  dotnet test "$project" --no-build -nologo 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  p=$(grep -Eo 'Passed: +[0-9]+' "$log" | grep -Eo '[0-9]+' | tail -1)
  f=$(grep -Eo 'Failed: +[0-9]+' "$log" | grep -Eo '[0-9]+' | tail -1)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  if [ "$status" -ne 0 ]; then
    failures+=("$name")
    [ "${f:-0}" -eq 0 ] && failed=$((failed + 1))
    while IFS= read -r t; do failed_tests+=("$name: $t"); done < <(grep -E '^ +Failed [^:]' "$log" | sed -E 's/^ +Failed //')
  fi
  rm -f "$log"
done

# node_tests NAME DIR: node's test runner on DIR, its pass/fail counts added to the totals.
node_tests() {
  local log status p f
  log=$(mktemp)
  node --test --test-concurrency=1 "$2" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  p=$(grep -Eo '^# pass [0-9]+' "$log" | grep -Eo '[0-9]+' | tail -1)
  f=$(grep -Eo '^# fail [0-9]+' "$log" | grep -Eo '[0-9]+' | tail -1)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  if [ "$status" -ne 0 ]; then
    failures+=("$1")
    [ "${f:-0}" -eq 0 ] && failed=$((failed + 1))
    while IFS= read -r t; do failed_tests+=("$1: $t"); done < <(grep -E '^not ok ' "$log")
  fi
  rm -f "$log"
}

step "node --test tests/js"
node_tests "node tests" tests/js/

# ---- Browser tests of the agent console (tests/web): Debian's Chromium driven by playwright-core against scripts/run.sh ----
step "node --test tests/web (Chromium)"
# (the emoji font only makes the screenshots show the API's emoji labels instead of empty boxes)
if { [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM_PATH:-}" ]; } || [ ! -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; then
  pkgs="chromium fonts-noto-color-emoji"
  { apt-get install -y -q $pkgs >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q $pkgs >/dev/null 2>&1; }; } \
    || echo "could not install $pkgs"
fi
node_tests "browser tests" tests/web/
# ---- end of browser tests ----

echo
[ ${#failures[@]} -eq 0 ] || echo "Failing: ${failures[*]}"
for t in "${failed_tests[@]}"; do echo "  failed: $t"; done
echo "$passed passed, $failed failed"
[ ${#failures[@]} -eq 0 ]
