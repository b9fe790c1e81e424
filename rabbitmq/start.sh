#!/usr/bin/env bash
# Starts a private RabbitMQ node for MicroComms on 127.0.0.1 as a plain background process
# (no systemd, no root needed) and waits until it is ready. Harmless if already running.
#   MICROCOMMS_RABBITMQ_PORT=5672 rabbitmq/start.sh
#   MICROCOMMS_RABBITMQ_PORT=5900 rabbitmq/start.sh --cluster 3   # nodes on 5900, 5901, 5902 (cluster.sh)
# See node-env.sh for the ports and README.md for the rest.
set -euo pipefail

# shellcheck source=SCRIPTDIR/node-env.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/node-env.sh"

READY_TIMEOUT=60 # seconds, for each wait below

rmq_require_installed

ready_line() {
  echo "RabbitMQ ready: $(rmq_amqp_uri) (management http://127.0.0.1:$RMQ_MGMT_PORT, operator $RMQ_OPERATOR_USER)"
}

show_logs() {
  local f
  for f in "$RMQ_LOG_FILE" "$RMQ_STDOUT"; do
    if [[ -s "$f" ]]; then
      echo "---- last lines of $f ----" >&2
      tail -n 40 "$f" >&2
    fi
  done
}

# Stops what this script launched when readiness fails, so no half-started node is left behind.
LAUNCHED_PID=""
fail() {
  echo "RabbitMQ node $RMQ_NODE failed to start: $*" >&2
  show_logs
  if [[ -n "$LAUNCHED_PID" ]] && kill -0 "$LAUNCHED_PID" 2>/dev/null; then
    echo "stopping the half-started node (pid $LAUNCHED_PID)" >&2
    # rabbitmq-server's wrapper traps TERM, stops the Erlang VM and exits once it is gone.
    kill -TERM "$LAUNCHED_PID" 2>/dev/null || true
    wait "$LAUNCHED_PID" 2>/dev/null || true
  fi
  exit 1
}

vhost_exists() {
  local vhosts
  vhosts="$(rmq_ctl list_vhosts --quiet --no-table-headers 2>/dev/null)" || return 1
  grep -qxF "$RMQ_VHOST" <<<"$vhosts"
}

# Waits until the node's app is running, its AMQP port accepts connections and the definitions
# (the microcomms vhost) are imported.
wait_until_ready() {
  local deadline
  rmq_ctl wait "$RMQ_PID_FILE" --timeout "$READY_TIMEOUT" >/dev/null 2>&1 ||
    fail "'rabbitmqctl wait' failed (node stopped, or not up within ${READY_TIMEOUT}s)"
  rmq_ctl await_startup --timeout "$READY_TIMEOUT" >/dev/null 2>&1 ||
    fail "'rabbitmqctl await_startup' failed"
  deadline=$((SECONDS + READY_TIMEOUT))
  until rmq_port_open "$RMQ_PORT"; do
    ((SECONDS < deadline)) || fail "nothing accepts connections on 127.0.0.1:$RMQ_PORT after ${READY_TIMEOUT}s"
    sleep 0.2
  done
  deadline=$((SECONDS + READY_TIMEOUT))
  until vhost_exists; do
    ((SECONDS < deadline)) || fail "vhost '$RMQ_VHOST' missing: were definitions.json loaded?"
    sleep 0.5
  done
}

# Definitions are imported at boot as create-or-update, never delete: a node whose data folder predates the
# current definitions.json, or that was already running when it changed, keeps the old users (guest, an
# administrator service user). Brings such a node in line; on an up-to-date node it costs one list_users.
settle_users() {
  local users
  users="$(rmq_ctl list_users --quiet --no-table-headers 2>/dev/null)" || fail "'rabbitmqctl list_users' failed"
  if ! grep -qP "^\Q$RMQ_OPERATOR_USER\E\t" <<<"$users" || ! grep -qxP "\Q$RMQ_USER\E\t\[\]" <<<"$users"; then
    rmq_ctl import_definitions "$RMQ_DIR/definitions.json" >/dev/null 2>&1 ||
      fail "'rabbitmqctl import_definitions $RMQ_DIR/definitions.json' failed"
  fi
  if grep -qP '^guest\t' <<<"$users"; then
    rmq_ctl delete_user guest >/dev/null 2>&1 || fail "could not delete the guest user left by older definitions"
    echo "Deleted the guest user left by older definitions." >&2
  fi
}

# The Erlang cookie shared by this node and the CLI tools only (Erlang refuses a readable one): random for a node
# of its own, the cluster's (MICROCOMMS_RABBITMQ_COOKIE_FILE, set by cluster.sh) for a cluster member.
write_cookie() {
  local cookie="$RMQ_HOME/.erlang.cookie"
  if [[ -n "${MICROCOMMS_RABBITMQ_COOKIE_FILE:-}" ]]; then
    if ! cmp -s "$MICROCOMMS_RABBITMQ_COOKIE_FILE" "$cookie"; then
      rm -f "$cookie"
      cp "$MICROCOMMS_RABBITMQ_COOKIE_FILE" "$cookie"
    fi
  elif [[ ! -s "$cookie" ]]; then
    (
      umask 077
      od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$cookie"
    )
  fi
  chmod 400 "$cookie"
}

case "${1:-}" in
  "") ;;
  --cluster)
    # shellcheck source=SCRIPTDIR/cluster.sh
    . "$RMQ_DIR/cluster.sh"
    rmq_cluster_start "${2:-}"
    exit 0
    ;;
  *) rmq_die "usage: rabbitmq/start.sh [--cluster N]" ;;
esac

mkdir -p "$RMQ_DATA"
# One start at a time per port. The lock's descriptor is closed for the server (9>&-) so a
# running node never holds it.
exec 9>"$RMQ_DATA/start.lock"
flock -w $((READY_TIMEOUT * 3)) 9 || rmq_die "another start.sh for port $RMQ_PORT is still running"

if pid="$(rmq_node_pid)"; then
  echo "RabbitMQ node $RMQ_NODE is already running (pid $pid)." >&2
  wait_until_ready
  settle_users
  ready_line
  exit 0
fi

# Not running: the ports must be free, or the node would fail (or clash with another broker).
for port in "$RMQ_PORT" "$RMQ_MGMT_PORT" "$RMQ_PROM_PORT" "$RMQ_DIST_PORT"; do
  if rmq_port_open "$port"; then
    rmq_die "port $port on 127.0.0.1 is already in use, so node $RMQ_NODE cannot start." \
      "Another broker? Choose another MICROCOMMS_RABBITMQ_PORT (ports used: AMQP $RMQ_PORT," \
      "management $RMQ_MGMT_PORT, prometheus $RMQ_PROM_PORT, distribution $RMQ_DIST_PORT)."
  fi
done

mkdir -p "$RMQ_HOME" "$RMQ_LOG_DIR" "$RABBITMQ_MNESIA_BASE" "$RABBITMQ_CONFIG_FILES"
chmod 700 "$RMQ_HOME"
write_cookie

# Render the committed configuration for this port (re-rendered on every start).
sed_escape() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }
sed -e "s|@AMQP_PORT@|$RMQ_PORT|g" \
  -e "s|@MANAGEMENT_PORT@|$RMQ_MGMT_PORT|g" \
  -e "s|@PROMETHEUS_PORT@|$RMQ_PROM_PORT|g" \
  -e "s|@DEFINITIONS_FILE@|$(sed_escape "$RMQ_DIR/definitions.json")|g" \
  "$RMQ_DIR/rabbitmq.conf" >"$RABBITMQ_CONFIG_FILE"
if grep -q '@[A-Z_]*@' "$RABBITMQ_CONFIG_FILE"; then
  rmq_die "unrendered placeholder left in $RABBITMQ_CONFIG_FILE"
fi
cp "$RMQ_DIR/enabled_plugins" "$RABBITMQ_ENABLED_PLUGINS_FILE"
echo '[].' >"$RABBITMQ_ADVANCED_CONFIG_FILE"
: >"$RABBITMQ_CONF_ENV_FILE"
rm -f "$RMQ_PID_FILE"

cd "$RMQ_DATA"
nohup setsid "$RMQ_BIN/rabbitmq-server" >"$RMQ_STDOUT" 2>&1 </dev/null 9>&- &
LAUNCHED_PID=$!

# Fail fast if the server exits before it writes its pid file (bad config, port taken, ...).
deadline=$((SECONDS + READY_TIMEOUT))
until [[ -s "$RMQ_PID_FILE" ]]; do
  kill -0 "$LAUNCHED_PID" 2>/dev/null || fail "rabbitmq-server exited during boot"
  ((SECONDS < deadline)) || fail "no pid file after ${READY_TIMEOUT}s"
  sleep 0.2
done
wait_until_ready
settle_users
ready_line
