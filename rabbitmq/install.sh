#!/usr/bin/env bash
# Installs Debian's rabbitmq-server package if it is missing. Quiet and quick when installed.
set -euo pipefail

if [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]]; then
  exit 0
fi

as_root=()
if ((EUID != 0)); then
  command -v sudo >/dev/null 2>&1 ||
    { echo "rabbitmq-server is missing and installing it needs root (no sudo found)" >&2; exit 1; }
  as_root=(sudo)
fi

echo "Installing rabbitmq-server (apt-get, about a minute)..." >&2
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q rabbitmq-server

if [[ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]]; then
  echo "rabbitmq-server was installed but /usr/lib/rabbitmq/bin/rabbitmq-server is missing" >&2
  exit 1
fi
# With systemd, the package starts its own broker on 0.0.0.0:5672, which takes the default port.
if [[ -d /run/systemd/system ]] && systemctl is-active --quiet rabbitmq-server 2>/dev/null; then
  echo "note: the system service rabbitmq-server is running on port 5672; for rabbitmq/start.sh" \
    "stop it (sudo systemctl disable --now rabbitmq-server) or use MICROCOMMS_RABBITMQ_PORT." >&2
fi
echo "rabbitmq-server installed: start a node with rabbitmq/start.sh" >&2
