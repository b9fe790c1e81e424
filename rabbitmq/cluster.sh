# shellcheck shell=bash
# A cluster of private nodes on 127.0.0.1, built from the one-node scripts: node i (0-based) is the node
# start.sh runs for MICROCOMMS_RABBITMQ_PORT = P + i, so each keeps its own ports and data folder.
# Sourced by start.sh and stop.sh for `--cluster N` (after node-env.sh, for the first node, P); not run on its own.
#
#   start: one Erlang cookie for all (the first node's), every node started at once (a cluster stopped as a whole
#          may only boot once the node that stopped last is up, so none waits for another), each node not yet in the
#          cluster joined to the first with `rabbitmqctl join_cluster`, ready when every node reports all N running;
#          the microcomms vhost then has default queue type quorum (see rmq_cluster_quorum_vhost).
#   stop:  every node, the first one last.

RMQ_CLUSTER_MAX=9 # nodes; keeps a cluster's ports within P .. P+8 (management ports P+10000 .. P+10008)

rmq_cluster_size() {
  [[ "$1" =~ ^[0-9]$ ]] && (($1 >= 2 && $1 <= RMQ_CLUSTER_MAX)) ||
    rmq_die "--cluster takes the number of nodes, 2 to $RMQ_CLUSTER_MAX (got '$1')"
  echo "$1"
}

rmq_cluster_ports() {
  local i
  for ((i = 0; i < $1; i++)); do echo $((RMQ_PORT + i)); done
}

# rabbitmqctl (or another tool named first) against the node of port $1.
rmq_cluster_ctl() {
  local port="$1"
  shift
  MICROCOMMS_RABBITMQ_PORT="$port" bash "$RMQ_DIR/ctl.sh" "$@"
}

rmq_cluster_node_name() {
  echo "microcomms-$1@localhost"
}

# The first node's cookie is the cluster's. A member that runs with another cookie (started on its own before)
# cannot be joined: it has to be stopped first, and start.sh then gives it the cluster's cookie.
rmq_cluster_cookie() {
  local cookie="$RMQ_HOME/.erlang.cookie" port home
  mkdir -p "$RMQ_HOME"
  chmod 700 "$RMQ_HOME"
  if [[ ! -s "$cookie" ]]; then
    (
      umask 077
      od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$cookie"
    )
    chmod 400 "$cookie"
  fi
  for port in $(rmq_cluster_ports "$1"); do
    home="$RMQ_DIR/.data/$port/home"
    if [[ -s "$home/.erlang.cookie" ]] && ! cmp -s "$cookie" "$home/.erlang.cookie" &&
      MICROCOMMS_RABBITMQ_PORT="$port" bash -c '. "$1/node-env.sh"; rmq_node_pid >/dev/null' _ "$RMQ_DIR"; then
      rmq_die "node $(rmq_cluster_node_name "$port") runs with a cookie of its own:" \
        "stop it (MICROCOMMS_RABBITMQ_PORT=$port rabbitmq/stop.sh), then start the cluster again."
    fi
  done
  echo "$cookie"
}

# Every node's start.sh at once, each with the cluster's cookie; fails with the output of those that failed.
rmq_cluster_start_nodes() {
  local size="$1" cookie="$2" port failed=0
  local -A pids=()
  mkdir -p "$RMQ_DIR/.data"
  for port in $(rmq_cluster_ports "$size"); do
    MICROCOMMS_RABBITMQ_PORT="$port" MICROCOMMS_RABBITMQ_COOKIE_FILE="$cookie" \
      bash "$RMQ_DIR/start.sh" >"$RMQ_DIR/.data/start-$port.out" 2>&1 &
    pids[$port]=$!
  done
  for port in "${!pids[@]}"; do
    if ! wait "${pids[$port]}"; then
      echo "---- start.sh for port $port ----" >&2
      cat "$RMQ_DIR/.data/start-$port.out" >&2
      failed=1
    fi
    rm -f "$RMQ_DIR/.data/start-$port.out"
  done
  ((failed == 0)) || rmq_die "the cluster on ports $(rmq_cluster_ports "$size" | paste -sd,) did not start"
}

# True when the node of port $1 counts node $2 among the cluster's members (running or not).
rmq_cluster_knows() {
  [[ "$(rmq_cluster_ctl "$1" eval "lists:member('$2', rabbit_nodes:all())." 2>/dev/null)" == true ]]
}

# Joins each node that is not yet a member to the first. `reset` wipes the joining node's own definitions;
# the cluster keeps the first node's (vhosts, users, permissions).
rmq_cluster_join() {
  local size="$1" seed port
  seed="$(rmq_cluster_node_name "$RMQ_PORT")"
  for port in $(rmq_cluster_ports "$size" | tail -n +2); do
    rmq_cluster_knows "$port" "$seed" && continue
    echo "Joining $(rmq_cluster_node_name "$port") to $seed ..." >&2
    rmq_cluster_ctl "$port" stop_app >/dev/null &&
      rmq_cluster_ctl "$port" reset >/dev/null &&
      rmq_cluster_ctl "$port" join_cluster "$seed" >/dev/null 2>&1 &&
      rmq_cluster_ctl "$port" start_app >/dev/null ||
      rmq_die "could not join $(rmq_cluster_node_name "$port") to $seed (a member of another cluster? stop it and delete rabbitmq/.data/$port)"
  done
}

# Ready when every node reports every node running.
rmq_cluster_wait() {
  local size="$1" port running deadline=$((SECONDS + 60))
  for port in $(rmq_cluster_ports "$size"); do
    until running="$(rmq_cluster_ctl "$port" eval 'length(rabbit_nodes:all_running()).' 2>/dev/null)" && [[ "$running" == "$size" ]]; do
      ((SECONDS < deadline)) ||
        rmq_die "node $(rmq_cluster_node_name "$port") reports ${running:-no} running nodes of $size after 60 s"
      sleep 0.5
    done
  done
}

# Queues in the microcomms vhost are quorum queues on a cluster: MassTransit declares its queues without
# x-queue-type, and a vhost whose default queue type is quorum makes such a declare create (or accept) a quorum
# queue, while temporary (exclusive, auto-delete) queues stay classic. definitions.json is shared with the one-node
# set-up, whose queues stay classic, and importing definitions never changes an existing vhost; so the first
# start of a cluster makes the (still empty) vhost again with that default and imports the definitions once more
# for its permissions.
rmq_cluster_quorum_vhost() {
  local type queues
  type="$(rmq_cluster_ctl "$RMQ_PORT" list_vhosts name default_queue_type --quiet --no-table-headers |
    awk -F'\t' -v v="$RMQ_VHOST" '$1 == v { print $2 }')"
  [[ "$type" == quorum ]] && return 0
  queues="$(rmq_cluster_ctl "$RMQ_PORT" list_queues -p "$RMQ_VHOST" name --quiet --no-table-headers)"
  [[ -z "$queues" ]] ||
    rmq_die "vhost $RMQ_VHOST has classic queues already; delete them (or the vhost) to give it default queue type quorum"
  echo "Making vhost $RMQ_VHOST with default queue type quorum ..." >&2
  rmq_cluster_ctl "$RMQ_PORT" delete_vhost "$RMQ_VHOST" >/dev/null 2>&1 || true
  rmq_cluster_ctl "$RMQ_PORT" add_vhost "$RMQ_VHOST" --default-queue-type quorum >/dev/null &&
    rmq_cluster_ctl "$RMQ_PORT" import_definitions "$RMQ_DIR/definitions.json" >/dev/null 2>&1 ||
    rmq_die "could not make vhost $RMQ_VHOST with default queue type quorum"
}

rmq_cluster_start() {
  local size cookie port
  size="$(rmq_cluster_size "$1")" || exit 1
  rmq_require_installed
  cookie="$(rmq_cluster_cookie "$size")" || exit 1
  rmq_cluster_start_nodes "$size" "$cookie"
  rmq_cluster_join "$size"
  rmq_cluster_wait "$size"
  # Each node's rabbitmq.conf names a cluster of its own port; the cluster keeps whichever it met first.
  rmq_cluster_ctl "$RMQ_PORT" set_cluster_name "microcomms-$RMQ_PORT" >/dev/null
  rmq_cluster_quorum_vhost
  echo "RabbitMQ cluster ready: $size nodes ($(rmq_cluster_ports "$size" | sed 's/^/microcomms-/; s/$/@localhost/' | paste -sd' ')), vhost $RMQ_VHOST with quorum queues"
  echo "# for a service (give each service the nodes in another order to spread the connections):"
  local i=0
  for port in $(rmq_cluster_ports "$size"); do
    echo "MicroComms__RabbitMq__Hosts__$i=127.0.0.1:$port"
    i=$((i + 1))
  done
  echo "MicroComms__RabbitMq__QueueType=Quorum"
}

rmq_cluster_stop() {
  local size port
  size="$(rmq_cluster_size "$1")" || exit 1
  for port in $(rmq_cluster_ports "$size" | sort -rn); do
    MICROCOMMS_RABBITMQ_PORT="$port" bash "$RMQ_DIR/stop.sh"
  done
}
