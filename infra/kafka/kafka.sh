#!/usr/bin/env bash
# Local single-node Apache Kafka broker (KRaft, combined broker+controller),
# run straight from the published Maven jars. No Docker, no Kafka tarball.
#
# Usage: infra/kafka/kafka.sh {start|stop|status|wait|fetch|logs [-f]}
#
# Environment (all optional):
#   KAFKA_VERSION          Kafka version to run                      (3.9.1)
#   KAFKA_PORT             PLAINTEXT listener on 127.0.0.1           (9092)
#   KAFKA_CONTROLLER_PORT  KRaft controller listener on 127.0.0.1    (9093)
#   KAFKA_HEAP             broker -Xms/-Xmx                          (512m)
#   KAFKA_DATA_DIR         config, logs, data, pid                   (<repo>/.local/kafka-$KAFKA_PORT)
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

KAFKA_VERSION="${KAFKA_VERSION:-3.9.1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP="${KAFKA_HEAP:-512m}"
KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-$REPO_ROOT/.local/kafka-$KAFKA_PORT}"
KAFKA_CACHE_DIR="${KAFKA_CACHE_DIR:-${FLUXNOTIFY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fluxnotify}/kafka/$KAFKA_VERSION}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_RESET="${KAFKA_RESET:-0}"
KAFKA_MVN_ARGS="${KAFKA_MVN_ARGS:-}"

# java runs with the data dir as cwd: make both paths absolute.
[[ "$KAFKA_DATA_DIR" == /* ]] || KAFKA_DATA_DIR="$PWD/$KAFKA_DATA_DIR"
[[ "$KAFKA_CACHE_DIR" == /* ]] || KAFKA_CACHE_DIR="$PWD/$KAFKA_CACHE_DIR"

HOST=127.0.0.1
BOOTSTRAP="$HOST:$KAFKA_PORT"
READY_MARKER="Kafka Server started"

# Data dir layout.
CONFIG_FILE="$KAFKA_DATA_DIR/server.properties"
TOOLS_LOG4J="$KAFKA_DATA_DIR/tools-log4j.properties"
TOOLS_CLIENT_CONFIG="$KAFKA_DATA_DIR/tools-client.properties"
CLUSTER_ID_FILE="$KAFKA_DATA_DIR/cluster.id"
PID_FILE="$KAFKA_DATA_DIR/kafka.pid"
LOG_DIR="$KAFKA_DATA_DIR/logs"           # log4j output (kafka.logs.dir)
SERVER_LOG="$LOG_DIR/server.log"
STDOUT_LOG="$LOG_DIR/kafka.out"          # JVM stdout/stderr (crashes before log4j is up)
DATA_LOG_DIR="$KAFKA_DATA_DIR/data"      # log.dirs (topic partitions + __cluster_metadata)

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
  [[ "$KAFKA_PORT" != "$KAFKA_CONTROLLER_PORT" ]] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ (both $KAFKA_PORT)"
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

# wait_ready [t0]: poll until ready; t0 = epoch time to measure from.
wait_ready() {
  local t0="${1:-$(now)}" deadline pid
  deadline=$(( $(date +%s) + KAFKA_START_TIMEOUT ))
  while :; do
    if ! pid="$(broker_pid)"; then
      err "broker is not running (data dir $KAFKA_DATA_DIR)"
      print_log_tail
      return 1
    fi
    # Cheap checks first; only spawn the admin-client JVM once the marker is logged.
    if log_has_marker && port_in_use "$KAFKA_PORT" && metadata_ok; then
      log "kafka ready on $BOOTSTRAP in $(elapsed_since "$t0")s (pid $pid, data $KAFKA_DATA_DIR)"
      return 0
    fi
    if (( $(date +%s) >= deadline )); then
      err "broker (pid $pid) not ready after ${KAFKA_START_TIMEOUT}s"
      print_log_tail
      return 1
    fi
    sleep 0.2
  done
}

cmd_wait() {
  broker_pid >/dev/null || die "broker is not running (data dir $KAFKA_DATA_DIR); run: $0 start"
  require_java
  ensure_jars
  write_tool_configs
  wait_ready
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
  rm -rf -- "$d"
}

write_server_properties() {
  cat >"$CONFIG_FILE" <<EOF
# Generated by infra/kafka/kafka.sh on every start -- edit the script, not this file.
# Single-node KRaft: this process is both broker and controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT

log.dirs=$DATA_LOG_DIR

# Topics must be created explicitly (like prod); default partitioning for explicit creates.
auto.create.topics.enable=false
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
delete.topic.enable=true

# Single node: internal topics cannot be replicated; keep them small for fast creation.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
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

cmd_start() {
  local t0 pid cid
  t0="$(now)"
  require_java
  validate_env

  if [[ "$KAFKA_RESET" == 1 ]]; then
    if broker_pid >/dev/null; then
      log "KAFKA_RESET=1: stopping the running broker first"
      cmd_stop
    fi
    reset_data_dir
  fi

  ensure_jars

  if pid="$(broker_pid)"; then
    write_tool_configs
    if log_has_marker && metadata_ok; then
      log "already running and ready on $BOOTSTRAP (pid $pid, data $KAFKA_DATA_DIR)"
      return 0
    fi
    log "already running (pid $pid) but not ready yet; waiting"
    wait_ready "$t0"
    return
  fi
  rm -f -- "$PID_FILE"

  local p owner
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if port_in_use "$p"; then
      owner="$(port_owner "$p")"
      die "port $HOST:$p is already in use by another process${owner:+ ($owner)}, not by this Kafka (data dir $KAFKA_DATA_DIR). Stop it or pick other ports via KAFKA_PORT / KAFKA_CONTROLLER_PORT."
    fi
  done

  mkdir -p -- "$KAFKA_DATA_DIR" "$LOG_DIR" "$DATA_LOG_DIR"
  write_tool_configs
  write_server_properties

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
  log "starting Kafka $KAFKA_VERSION on $BOOTSTRAP (controller $HOST:$KAFKA_CONTROLLER_PORT, heap $KAFKA_HEAP, data $KAFKA_DATA_DIR)"
  # setsid: own session, so the broker survives the calling shell / Ctrl-C of the caller.
  # With job control off, setsid and nohup exec in place, so $! is the java pid.
  # 9>&-: the broker must not inherit the start/stop lock, or it would hold it forever.
  (cd -- "$KAFKA_DATA_DIR" && exec setsid nohup "$JAVA" "${jvm_opts[@]}" -cp "$CP" kafka.Kafka "$CONFIG_FILE" \
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

  if ! wait_ready "$t0"; then
    err "start failed; stopping the broker"
    cmd_stop >/dev/null 2>&1 || true
    return 1
  fi
}

cmd_stop() {
  local pid i
  if ! pid="$(broker_pid)"; then
    rm -f -- "$PID_FILE"
    log "not running (data dir $KAFKA_DATA_DIR)"
    return 0
  fi
  local t0; t0="$(now)"
  kill -TERM "$pid" 2>/dev/null || true
  for (( i = 0; i < KAFKA_STOP_TIMEOUT * 10; i++ )); do
    pid_alive "$pid" || break
    sleep 0.1
  done
  if pid_alive "$pid"; then
    err "pid $pid still alive after ${KAFKA_STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for (( i = 0; i < 50; i++ )); do pid_alive "$pid" || break; sleep 0.1; done
  fi
  pid_alive "$pid" && die "pid $pid did not exit"
  rm -f -- "$PID_FILE"
  log "stopped (pid $pid) in $(elapsed_since "$t0")s"
}

cmd_status() {
  local pid
  if ! pid="$(broker_pid)"; then
    echo "stopped (data dir $KAFKA_DATA_DIR)"
    return 3
  fi
  require_java
  if cache_complete; then
    CP="$KAFKA_CACHE_DIR/*"
    write_tool_configs
    if log_has_marker && metadata_ok; then
      echo "running, ready on $BOOTSTRAP (pid $pid, data $KAFKA_DATA_DIR)"
      return 0
    fi
  fi
  echo "running, NOT ready on $BOOTSTRAP (pid $pid, data $KAFKA_DATA_DIR)"
  return 3
}

cmd_logs() {
  [[ -f "$SERVER_LOG" ]] || die "no log yet at $SERVER_LOG"
  if [[ "${1:-}" == "-f" || "${1:-}" == "--follow" ]]; then
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
    start)  with_lock cmd_start ;;
    stop)   validate_env; with_lock cmd_stop ;;
    status) validate_env; cmd_status ;;
    wait)   validate_env; cmd_wait ;;
    fetch)  fetch; cache_complete && log "jar cache ready: $KAFKA_CACHE_DIR" ;;
    logs)   cmd_logs "$@" ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 1 ;;
  esac
}

main "$@"
