# shellcheck shell=bash
# shellcheck disable=SC2034 # the RMQ_* variables are used by the scripts that source this file
# Shared set-up for one private RabbitMQ node run from Debian's rabbitmq-server package.
# Sourced by start.sh, stop.sh and ctl.sh; not meant to be run on its own.
#
# Everything the node needs lives under rabbitmq/.data/<amqp-port>/, so nodes on different ports
# (and different checkouts) never share state. Ports, all on 127.0.0.1:
#   AMQP        MICROCOMMS_RABBITMQ_PORT                 default 5672
#   management  MICROCOMMS_RABBITMQ_MANAGEMENT_PORT      default AMQP + 10000  (15672)
#   prometheus  MICROCOMMS_RABBITMQ_PROMETHEUS_PORT      default AMQP + 10020  (15692)
#   Erlang distribution                                  AMQP + 20000          (25672)
#   CLI tools' distribution range                        35000 + (AMQP % 2500) * 10, 10 ports
#                                                        (5672 -> 41720-41729; 5690 -> 41900-41909)

RMQ_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
RMQ_BIN=/usr/lib/rabbitmq/bin   # the real scripts; /usr/sbin/* wrappers switch to the rabbitmq user

rmq_die() {
  echo "$*" >&2
  exit 1
}

rmq_is_port() {
  [[ "$1" =~ ^[0-9]{1,5}$ ]] && ((10#$1 >= 1 && 10#$1 <= 65535))
}

RMQ_PORT="${MICROCOMMS_RABBITMQ_PORT:-5672}"
# AMQP + 20000 (distribution port) must still be a valid port.
if ! rmq_is_port "$RMQ_PORT" || ((RMQ_PORT > 45535)); then
  rmq_die "MICROCOMMS_RABBITMQ_PORT must be a number from 1 to 45535 (got '$RMQ_PORT')"
fi
RMQ_MGMT_PORT="${MICROCOMMS_RABBITMQ_MANAGEMENT_PORT:-$((RMQ_PORT + 10000))}"
RMQ_PROM_PORT="${MICROCOMMS_RABBITMQ_PROMETHEUS_PORT:-$((RMQ_PORT + 10020))}"
rmq_is_port "$RMQ_MGMT_PORT" || rmq_die "MICROCOMMS_RABBITMQ_MANAGEMENT_PORT is not a valid port: '$RMQ_MGMT_PORT'"
rmq_is_port "$RMQ_PROM_PORT" || rmq_die "MICROCOMMS_RABBITMQ_PROMETHEUS_PORT is not a valid port: '$RMQ_PROM_PORT'"
RMQ_DIST_PORT=$((RMQ_PORT + 20000))
RMQ_CTL_MIN=$((35000 + (RMQ_PORT % 2500) * 10))
RMQ_CTL_MAX=$((RMQ_CTL_MIN + 9))

RMQ_NODE="microcomms-${RMQ_PORT}@localhost"
RMQ_DATA="$RMQ_DIR/.data/$RMQ_PORT"
RMQ_HOME="$RMQ_DATA/home"
RMQ_PID_FILE="$RMQ_DATA/rabbitmq.pid"
RMQ_LOG_DIR="$RMQ_DATA/log"
RMQ_LOG_FILE="$RMQ_LOG_DIR/$RMQ_NODE.log"
RMQ_STDOUT="$RMQ_DATA/server.stdout"
# make-cert.sh's certificates, and the AMQPS listener start.sh adds when MICROCOMMS_RABBITMQ_TLS_PORT is set.
RMQ_TLS_DIR="$RMQ_DATA/tls"
RMQ_TLS_PORT="${MICROCOMMS_RABBITMQ_TLS_PORT:-}"
if [[ -n "$RMQ_TLS_PORT" ]] && ! rmq_is_port "$RMQ_TLS_PORT"; then
  rmq_die "MICROCOMMS_RABBITMQ_TLS_PORT is not a valid port: '$RMQ_TLS_PORT'"
fi
RMQ_VHOST=microcomms
RMQ_USER=microcomms
RMQ_PASSWORD=microcomms
# Administrator for operators and tests (management API, new vhosts); the services never use it.
RMQ_OPERATOR_USER=microcomms-operator

# Server and CLI tools read the same variables. HOME holds the node's own Erlang cookie.
export HOME="$RMQ_HOME"
export RABBITMQ_NODENAME="$RMQ_NODE"
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT="$RMQ_PORT"
export RABBITMQ_DIST_PORT="$RMQ_DIST_PORT"
export RABBITMQ_CTL_DIST_PORT_MIN="$RMQ_CTL_MIN"
export RABBITMQ_CTL_DIST_PORT_MAX="$RMQ_CTL_MAX"
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_BASE="$RMQ_DATA"
export RABBITMQ_MNESIA_BASE="$RMQ_DATA/mnesia"
export RABBITMQ_LOG_BASE="$RMQ_LOG_DIR"
export RABBITMQ_CONFIG_FILE="$RMQ_DATA/rabbitmq.conf"
export RABBITMQ_CONFIG_FILES="$RMQ_DATA/conf.d"          # not /etc/rabbitmq/conf.d
export RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ_DATA/advanced.config"
export RABBITMQ_CONF_ENV_FILE="$RMQ_DATA/rabbitmq-env.conf" # empty: /etc/rabbitmq/rabbitmq-env.conf is not read
export RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DATA/enabled_plugins"
export RABBITMQ_PID_FILE="$RMQ_PID_FILE"
# Settings that would point the node or its CLI somewhere else if inherited from the caller.
unset RABBITMQ_USE_LONGNAME RABBITMQ_ERLANG_COOKIE RABBITMQ_LOGS

rmq_installed() {
  [[ -x "$RMQ_BIN/rabbitmq-server" && -x "$RMQ_BIN/rabbitmqctl" ]]
}

rmq_require_installed() {
  rmq_installed || rmq_die "rabbitmq-server is not installed: run rabbitmq/install.sh"
}

rmq_ctl() {
  "$RMQ_BIN/rabbitmqctl" -n "$RMQ_NODE" "$@"
}

# Prints the pid from the pid file if that process is alive and is this node's VM (its command
# line carries this node's HOME), so a recycled pid is never mistaken for the node.
rmq_node_pid() {
  local pid cmdline
  [[ -r "$RMQ_PID_FILE" ]] || return 1
  pid="$(tr -dc '0-9' <"$RMQ_PID_FILE")"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *"-home $RMQ_HOME "* ]] || return 1
  echo "$pid"
}

# True if something accepts TCP connections on 127.0.0.1:$1.
rmq_port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

rmq_amqp_uri() {
  echo "amqp://$RMQ_USER:$RMQ_PASSWORD@127.0.0.1:$RMQ_PORT/$RMQ_VHOST"
}
