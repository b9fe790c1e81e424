#!/usr/bin/env bash
# Kills the private node for MICROCOMMS_RABBITMQ_PORT with SIGKILL, as when its machine dies: no shutdown, no
# goodbye to the cluster. For proofs and drills; start it again with start.sh (a cluster member rejoins by itself).
# Harmless if the node is not running. Never touches any other broker or node.
#   MICROCOMMS_RABBITMQ_PORT=5901 rabbitmq/kill.sh
set -euo pipefail

# shellcheck source=SCRIPTDIR/node-env.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/node-env.sh"

if ! pid="$(rmq_node_pid)"; then
  echo "RabbitMQ node $RMQ_NODE is not running."
  exit 0
fi
kill -KILL "$pid"
deadline=$((SECONDS + 30))
# A killed process whose parent has not reaped it yet has no command line, so rmq_node_pid no longer finds it.
while rmq_node_pid >/dev/null; do
  ((SECONDS < deadline)) || rmq_die "RabbitMQ node $RMQ_NODE (pid $pid) still runs 30 s after SIGKILL"
  sleep 0.1
done
echo "RabbitMQ node $RMQ_NODE killed (pid $pid)."
