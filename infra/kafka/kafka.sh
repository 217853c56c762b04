#!/usr/bin/env bash
# Local Apache Kafka (KRaft, combined broker+controller nodes), run straight from the
# published Maven jars. No Docker, no Kafka tarball. One node by default; KAFKA_NODES=3
# (or --nodes 3) runs a three-node cluster shaped like production: a quorum of three
# controller voters, replication factor 3, min.insync.replicas 2, no unclean elections.
#
# Usage: infra/kafka/kafka.sh [--nodes N] COMMAND
#   start | stop | status | wait | fetch | logs [-f] [NODE]
#   bootstrap             the KAFKA_BROKERS value: every node's host:port, comma-separated
#   pid NODE              the node's JVM pid (exit 3 when it is not running)
#   kill NODE [SIGNAL]    send SIGNAL (KILL; or STOP, CONT, TERM) to that node's JVM, no waiting
#   start-node NODE       start one node (after kill) and wait until it is ready
#   stop-node NODE        stop one node gracefully (SIGTERM, SIGKILL after KAFKA_STOP_TIMEOUT)
#   controller            node id of the active KRaft controller (the quorum leader)
#
# Cluster example (ports: brokers 9492-9494, controllers 9495-9497):
#   KAFKA_NODES=3 KAFKA_PORT=9492 infra/kafka/kafka.sh start
#   export KAFKA_BROKERS=$(KAFKA_NODES=3 KAFKA_PORT=9492 infra/kafka/kafka.sh bootstrap)
#   KAFKA_REPLICATION_FACTOR=3 pnpm --filter @fluxnotify/shared create-topics
#   KAFKA_NODES=3 KAFKA_PORT=9492 infra/kafka/kafka.sh kill 2      # SIGKILL node 2
#   KAFKA_NODES=3 KAFKA_PORT=9492 infra/kafka/kafka.sh start-node 2
#
# Environment (all optional):
#   KAFKA_VERSION          Kafka version to run                      (3.9.1)
#   KAFKA_NODES            1 (single node) or 3 (cluster)            (1)
#   KAFKA_PORT             PLAINTEXT listener of node 1; node i listens on KAFKA_PORT+i-1 (9092)
#   KAFKA_CONTROLLER_PORT  KRaft controller listener of node 1, likewise per node
#                          (single node: 9093; cluster: KAFKA_PORT+KAFKA_NODES)
#   KAFKA_HEAP             -Xms/-Xmx per node                        (512m; cluster: 384m)
#   KAFKA_DATA_DIR         config, logs, data, pid                   (<repo>/.local/kafka-$KAFKA_PORT;
#                          cluster: <repo>/.local/kafka-cluster-$KAFKA_PORT with node-<i>/ per node)
#   KAFKA_CACHE_DIR        jar cache, shared across clones           (${FLUXNOTIFY_CACHE:-~/.cache/fluxnotify}/kafka/$KAFKA_VERSION)
#   KAFKA_START_TIMEOUT    seconds `start`/`wait` wait for readiness (90)
#   KAFKA_STOP_TIMEOUT     seconds `stop` waits after SIGTERM        (30)
#   KAFKA_RESET=1          `start` wipes KAFKA_DATA_DIR first
#   KAFKA_MVN_ARGS         extra args for the `fetch` mvn call (e.g. -Dmaven.repo.local=...)
#   JAVA_HOME              use $JAVA_HOME/bin/java instead of java on PATH
#
# Exit codes: 0 ok; 1 error; 3 (`status`) not running or not ready.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/../.." && pwd -P)"

# --nodes N before the command is the same as KAFKA_NODES=N.
if [[ "${1:-}" == "--nodes" ]]; then KAFKA_NODES="${2:-}"; shift 2 || shift; fi
if [[ "${1:-}" == --nodes=* ]]; then KAFKA_NODES="${1#--nodes=}"; shift; fi

KAFKA_VERSION="${KAFKA_VERSION:-3.9.1}"
KAFKA_NODES="${KAFKA_NODES:-1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
if [[ "$KAFKA_NODES" == 1 ]]; then
  KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
  KAFKA_HEAP="${KAFKA_HEAP:-512m}"
  KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-$REPO_ROOT/.local/kafka-$KAFKA_PORT}"
else
  # Three JVMs on a small shared machine: a modest heap each.
  KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$(( ${KAFKA_PORT//[^0-9]/} + ${KAFKA_NODES//[^0-9]/} ))}"
  KAFKA_HEAP="${KAFKA_HEAP:-384m}"
  KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-$REPO_ROOT/.local/kafka-cluster-$KAFKA_PORT}"
fi
KAFKA_CACHE_DIR="${KAFKA_CACHE_DIR:-${FLUXNOTIFY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fluxnotify}/kafka/$KAFKA_VERSION}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_RESET="${KAFKA_RESET:-0}"
KAFKA_MVN_ARGS="${KAFKA_MVN_ARGS:-}"

# java runs with the data dir as cwd: make both paths absolute.
[[ "$KAFKA_DATA_DIR" == /* ]] || KAFKA_DATA_DIR="$PWD/$KAFKA_DATA_DIR"
[[ "$KAFKA_CACHE_DIR" == /* ]] || KAFKA_CACHE_DIR="$PWD/$KAFKA_CACHE_DIR"

HOST=127.0.0.1
READY_MARKER="Kafka Server started"

# Data dir layout, shared by the nodes: one cluster id, the tool configs, the lock.
TOOLS_LOG4J="$KAFKA_DATA_DIR/tools-log4j.properties"
TOOLS_CLIENT_CONFIG="$KAFKA_DATA_DIR/tools-client.properties"
CLUSTER_ID_FILE="$KAFKA_DATA_DIR/cluster.id"

# Per node (select_node): a single node keeps the flat layout of earlier versions; a
# cluster node lives in node-<i>/. These globals describe the selected node.
NODE=1 NODE_PORT="" NODE_CONTROLLER_PORT="" NODE_DIR=""
CONFIG_FILE="" PID_FILE="" LOG_DIR="" SERVER_LOG="" STDOUT_LOG="" DATA_LOG_DIR="" BOOTSTRAP=""
select_node() {
  NODE="$1"
  NODE_PORT=$(( KAFKA_PORT + NODE - 1 ))
  NODE_CONTROLLER_PORT=$(( KAFKA_CONTROLLER_PORT + NODE - 1 ))
  if (( KAFKA_NODES == 1 )); then NODE_DIR="$KAFKA_DATA_DIR"; else NODE_DIR="$KAFKA_DATA_DIR/node-$NODE"; fi
  CONFIG_FILE="$NODE_DIR/server.properties"
  PID_FILE="$NODE_DIR/kafka.pid"
  LOG_DIR="$NODE_DIR/logs"               # log4j output (kafka.logs.dir)
  SERVER_LOG="$LOG_DIR/server.log"
  STDOUT_LOG="$LOG_DIR/kafka.out"        # JVM stdout/stderr (crashes before log4j is up)
  DATA_LOG_DIR="$NODE_DIR/data"          # log.dirs (topic partitions + __cluster_metadata)
  BOOTSTRAP="$HOST:$NODE_PORT"
}

all_nodes() { seq 1 "$KAFKA_NODES"; }

# Every node's listener: what clients get as KAFKA_BROKERS.
all_bootstrap() {
  local i out=""
  for i in $(all_nodes); do out+="${out:+,}$HOST:$(( KAFKA_PORT + i - 1 ))"; done
  printf '%s' "$out"
}

quorum_voters() {
  local i out=""
  for i in $(all_nodes); do out+="${out:+,}$i@$HOST:$(( KAFKA_CONTROLLER_PORT + i - 1 ))"; done
  printf '%s' "$out"
}

TOOL_JVM_OPTS=(-Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Djava.awt.headless=true)

log() { printf 'kafka: %s\n' "$*"; }
err() { printf 'kafka: error: %s\n' "$*" >&2; }
die() { err "$*"; exit 1; }

now() { printf '%s' "${EPOCHREALTIME:-$(date +%s.%N)}"; }
elapsed_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------- prerequisites

JAVA=""
require_java() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    JAVA="$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    JAVA="$(command -v java)"
  else
    die "java not found. Install a Java 17+ runtime (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17) or set JAVA_HOME."
  fi
  local ver major
  ver="$("$JAVA" -version 2>&1 | awk -F'"' '/version/ { print $2; exit }')"
  major="${ver%%.*}"
  [[ "$major" == 1 ]] && major="$(cut -d. -f2 <<<"$ver")"
  if [[ ! "$major" =~ ^[0-9]+$ ]] || (( major < 11 )); then
    die "Kafka $KAFKA_VERSION needs Java 11+ (17 recommended), found '$ver' at $JAVA. Install openjdk-17-jre-headless or set JAVA_HOME."
  fi
}

require_mvn() {
  command -v mvn >/dev/null 2>&1 \
    || die "mvn (Apache Maven 3.6+) not found; it is needed once to download the Kafka $KAFKA_VERSION jars into $KAFKA_CACHE_DIR. Install it (Debian/Ubuntu: apt-get install maven; macOS: brew install maven)."
}

validate_env() {
  local v
  for v in KAFKA_PORT KAFKA_CONTROLLER_PORT KAFKA_START_TIMEOUT KAFKA_STOP_TIMEOUT; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a number, got '${!v}'"
  done
  # Three voters tolerate one lost node; two would tolerate none, so 2 is not offered.
  [[ "$KAFKA_NODES" == 1 || "$KAFKA_NODES" == 3 ]] || die "KAFKA_NODES must be 1 or 3, got '$KAFKA_NODES'"
  # Node i uses KAFKA_PORT+i-1 and KAFKA_CONTROLLER_PORT+i-1: the two ranges must not overlap.
  if (( KAFKA_CONTROLLER_PORT < KAFKA_PORT + KAFKA_NODES && KAFKA_PORT < KAFKA_CONTROLLER_PORT + KAFKA_NODES )); then
    die "broker ports $KAFKA_PORT..$(( KAFKA_PORT + KAFKA_NODES - 1 )) and controller ports $KAFKA_CONTROLLER_PORT..$(( KAFKA_CONTROLLER_PORT + KAFKA_NODES - 1 )) overlap; set KAFKA_CONTROLLER_PORT"
  fi
  [[ "$KAFKA_HEAP" =~ ^[0-9]+[kKmMgG]?$ ]] || die "KAFKA_HEAP must look like 512m or 1g, got '$KAFKA_HEAP'"
}

# ---------------------------------------------------------------- jar cache

cache_complete() {
  [[ -f "$KAFKA_CACHE_DIR/.complete" && -f "$KAFKA_CACHE_DIR/kafka_2.13-$KAFKA_VERSION.jar" ]]
}

FETCH_TMP=""
cleanup_fetch_tmp() { [[ -n "$FETCH_TMP" && -d "$FETCH_TMP" ]] && rm -rf -- "$FETCH_TMP"; FETCH_TMP=""; }

fetch() {
  if cache_complete; then
    return 0
  fi
  require_mvn
  local parent t0 n
  parent="$(dirname -- "$KAFKA_CACHE_DIR")"
  mkdir -p -- "$parent"
  # A crashed/interrupted fetch may have left a partial dir without .complete.
  if [[ -e "$KAFKA_CACHE_DIR" ]]; then
    log "removing incomplete jar cache $KAFKA_CACHE_DIR"
    rm -rf -- "$KAFKA_CACHE_DIR"
  fi
  FETCH_TMP="$(mktemp -d "$parent/.fetch-$KAFKA_VERSION.XXXXXX")"
  chmod 755 -- "$FETCH_TMP"
  trap 'cleanup_fetch_tmp' EXIT
  trap 'cleanup_fetch_tmp; exit 130' INT TERM
  log "fetching Kafka $KAFKA_VERSION jars from Maven Central into $KAFKA_CACHE_DIR ..."
  t0="$(now)"
  # Output is captured: Maven 3.8 prints stray ANSI resets even with -q -B; shown only on failure.
  local out
  # shellcheck disable=SC2086  # KAFKA_MVN_ARGS is intentionally word-split
  if ! out="$(mvn -q -B -f "$SCRIPT_DIR/pom.xml" dependency:copy-dependencies \
        -DoutputDirectory="$FETCH_TMP" -Dkafka.version="$KAFKA_VERSION" $KAFKA_MVN_ARGS 2>&1)"; then
    printf '%s\n' "$out" | sed $'s/\e\\[[0-9;]*m//g' | grep -v '^[[:space:]]*$' | tail -n 30 >&2 || true
    cleanup_fetch_tmp
    die "mvn failed to fetch org.apache.kafka:kafka_2.13:$KAFKA_VERSION (is Maven Central reachable? is KAFKA_VERSION valid?)"
  fi
  [[ -f "$FETCH_TMP/kafka_2.13-$KAFKA_VERSION.jar" ]] \
    || { cleanup_fetch_tmp; die "mvn succeeded but kafka_2.13-$KAFKA_VERSION.jar is missing from the download"; }
  printf 'kafka_version=%s\nfetched_at=%s\n' "$KAFKA_VERSION" "$(date -u +%FT%TZ)" >"$FETCH_TMP/.complete"
  # Atomic publish. If a concurrent fetch won the race, keep theirs.
  if ! mv -T -- "$FETCH_TMP" "$KAFKA_CACHE_DIR" 2>/dev/null; then
    cleanup_fetch_tmp
    cache_complete || die "could not move fetched jars into $KAFKA_CACHE_DIR"
  fi
  FETCH_TMP=""
  trap - EXIT INT TERM
  n="$(find "$KAFKA_CACHE_DIR" -maxdepth 1 -name '*.jar' | wc -l)"
  log "fetched $n jars ($(du -sh -- "$KAFKA_CACHE_DIR" | cut -f1)) in $(elapsed_since "$t0")s"
}

CP=""
ensure_jars() {
  fetch
  CP="$KAFKA_CACHE_DIR/*"
}

# Run a Kafka CLI class with quiet logging.
run_tool() {
  local cls="$1"; shift
  "$JAVA" "${TOOL_JVM_OPTS[@]}" -Dlog4j.configuration="file:$TOOLS_LOG4J" -cp "$CP" "$cls" "$@"
}

write_tool_configs() {
  mkdir -p -- "$KAFKA_DATA_DIR"
  cat >"$TOOLS_LOG4J" <<'EOF'
log4j.rootLogger=ERROR, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
  # Keep admin calls from hanging for the default 60 s when the broker is down.
  cat >"$TOOLS_CLIENT_CONFIG" <<'EOF'
request.timeout.ms=5000
default.api.timeout.ms=10000
socket.connection.setup.timeout.ms=2000
socket.connection.setup.timeout.max.ms=2000
reconnect.backoff.max.ms=500
EOF
}

# ---------------------------------------------------------------- process state

# True if pid $1 exists and is not a zombie (kill -0 succeeds on unreaped zombies).
pid_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  if [[ -r "/proc/$1/stat" ]]; then
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }"
    [[ "${stat%% *}" != Z ]]
  fi
}

# True if $1 is a live process that is *this* data dir's broker.
is_our_broker() {
  local pid="$1" cmdline
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  pid_alive "$pid" || return 1
  [[ -d /proc/self ]] || return 0   # no procfs (macOS): trust the pid file
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *kafka.Kafka* && "$cmdline" == *"$CONFIG_FILE"* ]]
}

# Prints the broker pid (from the pid file, else by scanning /proc) or returns 1.
broker_pid() {
  local pid=""
  if [[ -f "$PID_FILE" ]]; then
    pid="$(tr -dc '0-9' <"$PID_FILE")"
    if is_our_broker "$pid"; then printf '%s' "$pid"; return 0; fi
  fi
  # Pid file missing/stale: look for an orphan broker using our config file.
  local d
  for d in /proc/[0-9]*; do
    pid="${d#/proc/}"
    [[ "$pid" == "$$" ]] && continue
    if grep -qa -- 'kafka.Kafka' "$d/cmdline" 2>/dev/null \
       && grep -qaF -- "$CONFIG_FILE" "$d/cmdline" 2>/dev/null \
       && is_our_broker "$pid"; then
      printf '%s' "$pid" >"$PID_FILE" 2>/dev/null || true
      printf '%s' "$pid"; return 0
    fi
  done
  return 1
}

port_in_use() {
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

port_owner() {
  command -v ss >/dev/null 2>&1 || return 0
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(([^)]*))' | head -n1 || true
}

metadata_ok() {
  timeout 30 "$JAVA" "${TOOL_JVM_OPTS[@]}" -Dlog4j.configuration="file:$TOOLS_LOG4J" -cp "$CP" \
    org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" \
    --command-config "$TOOLS_CLIENT_CONFIG" --list >/dev/null 2>&1
}

log_has_marker() {
  [[ -f "$SERVER_LOG" ]] && grep -qF -- "$READY_MARKER" "$SERVER_LOG"
}

print_log_tail() {
  local f shown=0
  for f in "$SERVER_LOG" "$STDOUT_LOG"; do
    if [[ -s "$f" ]]; then
      printf -- '----- last lines of %s -----\n' "$f" >&2
      tail -n 40 -- "$f" >&2
      shown=1
    fi
  done
  (( shown )) || err "no broker output yet in $SERVER_LOG or $STDOUT_LOG"
}

# ---------------------------------------------------------------- commands

# wait_ready t0 NODE...: poll until each node is ready; t0 = epoch time to measure from.
wait_ready() {
  local t0="$1" deadline pid n pending
  shift
  deadline=$(( $(date +%s) + KAFKA_START_TIMEOUT ))
  pending=("$@")
  while :; do
    local still=()
    for n in "${pending[@]}"; do
      select_node "$n"
      if ! pid="$(broker_pid)"; then
        err "node $n is not running (data dir $NODE_DIR)"
        print_log_tail
        return 1
      fi
      # Cheap checks first; only spawn the admin-client JVM once the marker is logged.
      if log_has_marker && port_in_use "$NODE_PORT" && metadata_ok; then
        if (( KAFKA_NODES == 1 )); then
          log "kafka ready on $BOOTSTRAP in $(elapsed_since "$t0")s (pid $pid, data $KAFKA_DATA_DIR)"
        else
          log "node $n ready on $BOOTSTRAP in $(elapsed_since "$t0")s (pid $pid, data $NODE_DIR)"
        fi
      else
        still+=("$n")
      fi
    done
    (( ${#still[@]} == 0 )) && return 0
    pending=("${still[@]}")
    if (( $(date +%s) >= deadline )); then
      for n in "${pending[@]}"; do
        select_node "$n"
        err "node $n (pid $(broker_pid || echo '?')) not ready after ${KAFKA_START_TIMEOUT}s"
        print_log_tail
      done
      return 1
    fi
    sleep 0.2
  done
}

cmd_wait() {
  local n
  for n in $(all_nodes); do
    select_node "$n"
    broker_pid >/dev/null || die "node $n is not running (data dir $NODE_DIR); run: $0 start"
  done
  require_java
  ensure_jars
  write_tool_configs
  wait_ready "$(now)" $(all_nodes)
}

reset_data_dir() {
  local d="$KAFKA_DATA_DIR"
  [[ -n "$d" && "$d" != "/" && "$d" != "$HOME" && "$d" != "$REPO_ROOT" ]] \
    || die "refusing to wipe KAFKA_DATA_DIR='$d'"
  # .lock is with_lock's own file: a dir holding only it is as good as empty.
  if [[ -d "$d" ]] && [[ -n "$(ls -A -- "$d" | grep -vx '.lock')" ]] && [[ ! -f "$d/server.properties" && ! -f "$d/cluster.id" ]]; then
    die "refusing to wipe $d: it does not look like a kafka.sh data dir (no server.properties/cluster.id)"
  fi
  log "KAFKA_RESET=1: wiping $d"
  # Keep the directory itself: the lock open on fd 9 lives in it.
  find "$d" -mindepth 1 -maxdepth 1 ! -name .lock -exec rm -rf -- {} +
}

# Replication settings: a single node cannot replicate; a cluster runs what production
# runs (RF 3, writes with acks=all need 2 in-sync replicas, so one node may be down).
replication_properties() {
  if (( KAFKA_NODES == 1 )); then
    cat <<'EOF'
default.replication.factor=1
min.insync.replicas=1
# Single node: internal topics cannot be replicated; keep them small for fast creation.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
EOF
  else
    cat <<'EOF'
default.replication.factor=3
min.insync.replicas=2
# Internal topics replicated like ours: consumer offsets survive a lost node.
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
# Never elect an out-of-sync replica: that would drop acknowledged writes.
unclean.leader.election.enable=false
EOF
  fi
}

write_server_properties() {
  local role
  if (( KAFKA_NODES == 1 )); then role="Single-node KRaft: this process is both broker and controller."
  else role="Node $NODE of a $KAFKA_NODES-node KRaft cluster: each node is both broker and controller (a voter)."; fi
  cat >"$CONFIG_FILE" <<EOF
# Generated by infra/kafka/kafka.sh on every start -- edit the script, not this file.
# $role
process.roles=broker,controller
node.id=$NODE
controller.quorum.voters=$(quorum_voters)
listeners=PLAINTEXT://$HOST:$NODE_PORT,CONTROLLER://$HOST:$NODE_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$NODE_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT

log.dirs=$DATA_LOG_DIR

# Topics must be created explicitly (like prod); default partitioning for explicit creates.
auto.create.topics.enable=false
num.partitions=3
delete.topic.enable=true

$(replication_properties)
offsets.topic.num.partitions=10
transaction.state.log.num.partitions=10

# Fast consumer-group joins in tests.
group.initial.rebalance.delay.ms=0

# Retention / segments (dev box: modest segments so retention can actually reclaim disk).
log.retention.hours=168
log.segment.bytes=104857600
log.retention.check.interval.ms=300000

# Sized for a small shared machine (2 cores).
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=4
# Default 128 MiB on-heap dedupe buffer is a quarter of our heap; compaction of dev data needs far less.
log.cleaner.dedupe.buffer.size=16777216
log.cleaner.threads=1
EOF
}

# Launches the selected node's JVM (not running yet) without waiting for readiness.
launch_node() {
  local pid cid p owner
  rm -f -- "$PID_FILE"
  for p in "$NODE_PORT" "$NODE_CONTROLLER_PORT"; do
    if port_in_use "$p"; then
      owner="$(port_owner "$p")"
      die "port $HOST:$p is already in use by another process${owner:+ ($owner)}, not by this Kafka (data dir $NODE_DIR). Stop it or pick other ports via KAFKA_PORT / KAFKA_CONTROLLER_PORT."
    fi
  done

  mkdir -p -- "$NODE_DIR" "$LOG_DIR" "$DATA_LOG_DIR"
  write_server_properties

  # One cluster id for every node: a node formatted with another id would not join.
  if [[ ! -s "$CLUSTER_ID_FILE" ]]; then
    cid="$(run_tool kafka.tools.StorageTool random-uuid | tail -n1 | tr -d '[:space:]')"
    [[ -n "$cid" ]] || die "kafka.tools.StorageTool random-uuid returned nothing"
    printf '%s\n' "$cid" >"$CLUSTER_ID_FILE"
  fi
  cid="$(tr -d '[:space:]' <"$CLUSTER_ID_FILE")"

  if [[ ! -f "$DATA_LOG_DIR/meta.properties" ]]; then
    log "formatting $DATA_LOG_DIR (cluster id $cid)"
    run_tool kafka.tools.StorageTool format -t "$cid" -c "$CONFIG_FILE" >/dev/null \
      || die "kafka.tools.StorageTool format failed for $DATA_LOG_DIR"
  fi

  # Fresh log per run so the readiness marker can only come from this run.
  [[ -f "$SERVER_LOG" ]] && mv -f -- "$SERVER_LOG" "$SERVER_LOG.prev"
  [[ -f "$STDOUT_LOG" ]] && mv -f -- "$STDOUT_LOG" "$STDOUT_LOG.prev"

  local jvm_opts=(
    "-Xms$KAFKA_HEAP" "-Xmx$KAFKA_HEAP"
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError
    -Djava.awt.headless=true
    "-Dlog4j.configuration=file:$SCRIPT_DIR/log4j.properties"
    "-Dkafka.logs.dir=$LOG_DIR"
  )
  if (( KAFKA_NODES == 1 )); then
    log "starting Kafka $KAFKA_VERSION on $BOOTSTRAP (controller $HOST:$NODE_CONTROLLER_PORT, heap $KAFKA_HEAP, data $KAFKA_DATA_DIR)"
  else
    log "starting node $NODE of $KAFKA_NODES on $BOOTSTRAP (controller $HOST:$NODE_CONTROLLER_PORT, heap $KAFKA_HEAP, data $NODE_DIR)"
  fi
  # setsid: own session, so the broker survives the calling shell / Ctrl-C of the caller.
  # With job control off, setsid and nohup exec in place, so $! is the java pid.
  # 9>&-: the broker must not inherit the start/stop lock, or it would hold it forever.
  (cd -- "$NODE_DIR" && exec setsid nohup "$JAVA" "${jvm_opts[@]}" -cp "$CP" kafka.Kafka "$CONFIG_FILE" \
     >"$STDOUT_LOG" 2>&1 </dev/null 9>&-) &
  pid=$!
  disown "$pid" 2>/dev/null || true   # no "Killed" job notices from this shell
  printf '%s\n' "$pid" >"$PID_FILE"
  # Give the subshell a moment to exec into java before judging it by its cmdline.
  local i
  for (( i = 0; i < 50; i++ )); do
    is_our_broker "$pid" && break
    pid_alive "$pid" || break
    sleep 0.1
  done
}

# start_nodes NODE...: launches those not running, then waits until all are ready.
start_nodes() {
  local t0 pid n launched=()
  t0="$(now)"
  require_java
  ensure_jars
  write_tool_configs
  for n in "$@"; do
    select_node "$n"
    if pid="$(broker_pid)"; then
      if log_has_marker && metadata_ok; then
        if (( KAFKA_NODES == 1 )); then
          log "already running and ready on $BOOTSTRAP (pid $pid, data $KAFKA_DATA_DIR)"
        else
          log "node $n already running and ready on $BOOTSTRAP (pid $pid)"
        fi
        continue
      fi
      if (( KAFKA_NODES == 1 )); then log "already running (pid $pid) but not ready yet; waiting"
      else log "node $n already running (pid $pid) but not ready yet; waiting"; fi
    else
      launch_node
    fi
    launched+=("$n")
  done
  (( ${#launched[@]} == 0 )) && return 0
  # A cluster's nodes wait for each other (the controller quorum needs 2 of 3), so all
  # are launched before any is waited for.
  if ! wait_ready "$t0" "${launched[@]}"; then
    err "start failed; stopping what was started"
    stop_nodes "${launched[@]}" >/dev/null 2>&1 || true
    return 1
  fi
}

cmd_start() {
  validate_env
  require_java
  if [[ "$KAFKA_RESET" == 1 ]]; then
    if any_running; then
      log "KAFKA_RESET=1: stopping the running broker first"
      stop_nodes $(all_nodes)
    fi
    reset_data_dir
  fi
  start_nodes $(all_nodes)
}

any_running() {
  local n
  for n in $(all_nodes); do select_node "$n"; broker_pid >/dev/null && return 0; done
  return 1
}

# stop_nodes NODE...: SIGTERM to all at once (a cluster node stopping last would otherwise
# wait for a controller quorum that is already gone), SIGKILL after KAFKA_STOP_TIMEOUT.
stop_nodes() {
  local n pid i t0 pids=() names=()
  t0="$(now)"
  for n in "$@"; do
    select_node "$n"
    if pid="$(broker_pid)"; then
      pids+=("$pid"); names+=("$n")
      # A paused (SIGSTOP) node would ignore SIGTERM until continued.
      kill -CONT "$pid" 2>/dev/null || true
      kill -TERM "$pid" 2>/dev/null || true
    else
      rm -f -- "$PID_FILE"
      if (( KAFKA_NODES == 1 )); then log "not running (data dir $KAFKA_DATA_DIR)"; else log "node $n not running"; fi
    fi
  done
  (( ${#pids[@]} == 0 )) && return 0
  local alive
  for (( i = 0; i < KAFKA_STOP_TIMEOUT * 10; i++ )); do
    alive=0
    for pid in "${pids[@]}"; do pid_alive "$pid" && alive=1; done
    (( alive )) || break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do
    if pid_alive "$pid"; then
      err "pid $pid still alive after ${KAFKA_STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for (( i = 0; i < 50; i++ )); do pid_alive "$pid" || break; sleep 0.1; done
    fi
    pid_alive "$pid" && die "pid $pid did not exit"
  done
  for n in "${names[@]}"; do select_node "$n"; rm -f -- "$PID_FILE"; done
  if (( KAFKA_NODES == 1 )); then
    log "stopped (pid ${pids[0]}) in $(elapsed_since "$t0")s"
  else
    log "stopped node(s) ${names[*]} (pids ${pids[*]}) in $(elapsed_since "$t0")s"
  fi
}

cmd_status() {
  local pid n rc=0 ready
  # java only for the readiness probe: a stopped broker is reported without it.
  any_running && require_java
  cache_complete && { CP="$KAFKA_CACHE_DIR/*"; write_tool_configs; }
  for n in $(all_nodes); do
    select_node "$n"
    local label="" where="data $NODE_DIR"
    (( KAFKA_NODES == 1 )) || label="node $n: "
    (( KAFKA_NODES == 1 )) && where="data $KAFKA_DATA_DIR"
    if ! pid="$(broker_pid)"; then
      if (( KAFKA_NODES == 1 )); then echo "stopped (data dir $KAFKA_DATA_DIR)"; else echo "${label}stopped ($where)"; fi
      rc=3; continue
    fi
    ready=0
    if cache_complete && log_has_marker && metadata_ok; then ready=1; fi
    if (( ready )); then
      echo "${label}running, ready on $BOOTSTRAP (pid $pid, $where)"
    else
      echo "${label}running, NOT ready on $BOOTSTRAP (pid $pid, $where)"
      rc=3
    fi
  done
  return "$rc"
}

# node_arg VALUE: validates a node number and selects it.
node_arg() {
  [[ "${1:-}" =~ ^[0-9]+$ ]] && (( $1 >= 1 && $1 <= KAFKA_NODES )) \
    || die "node must be 1..$KAFKA_NODES, got '${1:-}'"
  select_node "$1"
}

cmd_pid() {
  node_arg "${1:-}"
  local pid
  pid="$(broker_pid)" || { err "node $NODE is not running"; return 3; }
  printf '%s\n' "$pid"
}

# Sends a signal and returns at once: fault injection wants the abrupt version.
cmd_kill() {
  node_arg "${1:-}"
  local sig="${2:-KILL}" pid
  sig="${sig#SIG}"
  [[ "$sig" =~ ^(KILL|TERM|STOP|CONT|INT)$ ]] || die "signal must be KILL, TERM, STOP, CONT or INT, got '$2'"
  pid="$(broker_pid)" || die "node $NODE is not running"
  kill "-$sig" "$pid"
  log "sent SIG$sig to node $NODE (pid $pid)"
}

# The quorum leader, from the controllers themselves (works while a broker is down).
cmd_controller() {
  require_java
  ensure_jars
  write_tool_configs
  local i controllers="" out
  for i in $(all_nodes); do controllers+="${controllers:+,}$HOST:$(( KAFKA_CONTROLLER_PORT + i - 1 ))"; done
  out="$(timeout 30 "$JAVA" "${TOOL_JVM_OPTS[@]}" -Dlog4j.configuration="file:$TOOLS_LOG4J" -cp "$CP" \
    org.apache.kafka.tools.MetadataQuorumCommand --bootstrap-controller "$controllers" \
    --command-config "$TOOLS_CLIENT_CONFIG" describe --status 2>&1)" \
    || die "could not describe the metadata quorum via $controllers: $out"
  awk -F':[[:space:]]*' '$1 == "LeaderId" { print $2; found = 1 } END { exit !found }' <<<"$out" \
    || die "no LeaderId in the quorum description: $out"
}

cmd_logs() {
  local follow=0 n=1 a
  for a in "$@"; do
    case "$a" in
      -f|--follow) follow=1 ;;
      *) n="$a" ;;
    esac
  done
  node_arg "$n"
  [[ -f "$SERVER_LOG" ]] || die "no log yet at $SERVER_LOG"
  if (( follow )); then
    exec tail -n 100 -F -- "$SERVER_LOG"
  fi
  tail -n "${KAFKA_LOG_LINES:-100}" -- "$SERVER_LOG"
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'
}

# start/stop hold a lock so concurrent callers (parallel test projects, a second
# terminal) serialise instead of racing to format or launch the same data dir.
with_lock() {
  mkdir -p "$KAFKA_DATA_DIR"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$KAFKA_DATA_DIR/.lock"
    flock 9
  fi
  "$@"
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    start)      with_lock cmd_start ;;
    stop)       validate_env; with_lock stop_nodes $(all_nodes) ;;
    status)     validate_env; cmd_status ;;
    wait)       validate_env; cmd_wait ;;
    fetch)      fetch; cache_complete && log "jar cache ready: $KAFKA_CACHE_DIR" ;;
    logs)       validate_env; cmd_logs "$@" ;;
    bootstrap)  validate_env; all_bootstrap; echo ;;
    pid)        validate_env; cmd_pid "$@" ;;
    kill)       validate_env; cmd_kill "$@" ;;
    start-node) validate_env; node_arg "${1:-}"; with_lock start_nodes "$1" ;;
    stop-node)  validate_env; node_arg "${1:-}"; with_lock stop_nodes "$1" ;;
    controller) validate_env; cmd_controller ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 1 ;;
  esac
}

main "$@"
