#!/usr/bin/env bash
# Runs RabbitMQ's CLI tools against the private node for MICROCOMMS_RABBITMQ_PORT (default 5672),
# with the node's own Erlang cookie. rabbitmqctl by default; name another tool first to use it.
#   rabbitmq/ctl.sh list_queues name messages
#   rabbitmq/ctl.sh rabbitmq-diagnostics status
#   MICROCOMMS_RABBITMQ_PORT=5690 rabbitmq/ctl.sh list_vhosts
set -euo pipefail

# shellcheck source=SCRIPTDIR/node-env.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/node-env.sh"
rmq_require_installed

tool=rabbitmqctl
case "${1:-}" in
  rabbitmqctl | rabbitmq-diagnostics | rabbitmq-plugins | rabbitmq-queues | rabbitmq-upgrade | rabbitmq-streams)
    tool="$1"
    shift
    ;;
esac
exec "$RMQ_BIN/$tool" -n "$RMQ_NODE" "$@"
