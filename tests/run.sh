#!/usr/bin/env bash
# Runs every test: installs RabbitMQ and PostgreSQL from Debian's packages when they are missing (unless
# MICROCOMMS_RABBITMQ / MICROCOMMS_POSTGRES name servers) and chromium for the console's browser specs, builds, runs the fast, broker and database tests, and ends
# with one line: 'N passed, N failed, N skipped'.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ -z "${MICROCOMMS_RABBITMQ:-}" ]; then
  rabbitmq/install.sh
  rabbitmq/start.sh
fi

# The database specs start private PostgreSQL clusters from the machine's binaries (pg_config tells where they are).
if [ -z "${MICROCOMMS_POSTGRES:-}" ] && ! command -v pg_config >/dev/null 2>&1; then
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  echo "Installing postgresql (apt-get)..." >&2
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
fi

# The console's browser specs drive Debian's chromium through Playwright (Playwright's own browser download is not
# reachable); MICROCOMMS_CHROMIUM may name another executable instead.
if [ -z "${MICROCOMMS_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  echo "Installing chromium (apt-get)..." >&2
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
# The whole solution first: some specs run built executables that no test project references (the benchmark).
dotnet build MicroComms.sln --configuration Release --verbosity quiet
dotnet test MicroComms.sln --configuration Release --no-build --blame-hang-timeout 5m \
  --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?

# dotnet test prints one summary block per test assembly: "Total tests: N" then "Passed: N", "Failed: N", "Skipped: N".
read -r passed failed skipped < <(
  awk '/^[[:space:]]+Passed: [0-9]+[[:space:]]*$/ {p+=$2} /^[[:space:]]+Failed: [0-9]+[[:space:]]*$/ {f+=$2}
       /^[[:space:]]+Skipped: [0-9]+[[:space:]]*$/ {s+=$2} END {print p+0, f+0, s+0}' "$log")
assemblies=$(grep -cE '^Total tests: [0-9]+' "$log" || true)
if [ "$status" -eq 0 ] && [ "$assemblies" -lt 2 ]; then
  echo "expected results from both test projects, saw $assemblies" >&2
  status=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
