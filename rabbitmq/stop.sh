#!/usr/bin/env bash
# Stops the private RabbitMQ node that start.sh started from this folder for this port.
# Harmless if it is not running. Never touches any other broker or node.
#   MICROCOMMS_RABBITMQ_PORT=5672 rabbitmq/stop.sh
#   MICROCOMMS_RABBITMQ_PORT=5900 rabbitmq/stop.sh --cluster 3   # every node of the cluster, the first one last
set -euo pipefail

# shellcheck source=SCRIPTDIR/node-env.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/node-env.sh"

STOP_TIMEOUT=60 # seconds

case "${1:-}" in
  "") ;;
  --cluster)
    # shellcheck source=SCRIPTDIR/cluster.sh
    . "$RMQ_DIR/cluster.sh"
    rmq_cluster_stop "${2:-}"
    exit 0
    ;;
  *) rmq_die "usage: rabbitmq/stop.sh [--cluster N]" ;;
esac

if ! pid="$(rmq_node_pid)"; then
  rm -f "$RMQ_PID_FILE"
  echo "RabbitMQ node $RMQ_NODE is not running."
  exit 0
fi
rmq_require_installed

# 'stop <pidfile>' returns once the node's OS process has exited.
if ! rmq_ctl stop "$RMQ_PID_FILE" >/dev/null 2>&1; then
  echo "rabbitmqctl stop failed; sending SIGTERM to pid $pid" >&2
  kill -TERM "$pid" 2>/dev/null || true
fi
deadline=$((SECONDS + STOP_TIMEOUT))
while kill -0 "$pid" 2>/dev/null; do
  if ((SECONDS >= deadline)); then
    echo "RabbitMQ node $RMQ_NODE (pid $pid) did not stop within ${STOP_TIMEOUT}s" >&2
    exit 1
  fi
  sleep 0.2
done
rm -f "$RMQ_PID_FILE"
echo "RabbitMQ node $RMQ_NODE stopped."
