#!/usr/bin/env bash
# Runs every test: installs RabbitMQ from Debian's package when it is missing (unless MICROCOMMS_RABBITMQ names
# a broker), builds, runs the fast and the broker tests, and ends with one line: 'N passed, N failed, N skipped'.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ -z "${MICROCOMMS_RABBITMQ:-}" ]; then
  rabbitmq/install.sh
  rabbitmq/start.sh
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
