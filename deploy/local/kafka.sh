#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft broker+controller) from Maven Central jars, on loopback.
#   bash deploy/local/kafka.sh up|down|status|wait
# Broker 127.0.0.1:19092, controller 127.0.0.1:19093. State in .cache/kafka (data kept across restarts unless
# KAFKA_FRESH=1). Idempotent: `up` when up and `down` when down are no-ops. A second broker of one's own:
# KAFKA_PORT, KAFKA_CONTROLLER_PORT, KAFKA_STATE_DIR, and KAFKA_EXTRA_PROPERTIES (a file appended to server.properties).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
POM="$ROOT/deploy/local/kafka/pom.xml"
LIBS="$ROOT/.cache/kafka-libs"
STATE="${KAFKA_STATE_DIR:-$ROOT/.cache/kafka}"
DATA="$STATE/data"
PID_FILE="$STATE/kafka.pid"
LOG_FILE="$STATE/kafka.out"
HOST=127.0.0.1
PORT="${KAFKA_PORT:-19092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
HEAP="${KAFKA_HEAP:-512m}"
WAIT_SECONDS="${KAFKA_WAIT_SECONDS:-90}"
CLUSTER_ID_FILE="$STATE/cluster.id"

log() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

is_running() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  # Guard against pid reuse: the process must be our broker.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka.Kafka' || return 1
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# The broker answers a real Kafka ApiVersions request (not just an open port).
broker_answers() {
  port_open "$PORT" || return 1
  # ApiVersions v0 request: size=10, api_key=18, version=0, correlation_id=1, client_id=null(-1)
  local reply
  reply="$(
    exec 3<>"/dev/tcp/$HOST/$PORT" || exit 1
    printf '\x00\x00\x00\x0a\x00\x12\x00\x00\x00\x00\x00\x01\xff\xff' >&3
    timeout 3 head -c 10 <&3 | od -An -tx1 | tr -d ' \n'
  )" 2>/dev/null || return 1
  # 4 bytes size, correlation id 00000001, error code 0000
  [[ "${reply:8:8}" == "00000001" && "${reply:16:4}" == "0000" ]]
}

resolve_jars() {
  local version
  version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM")"
  [[ -n "$version" ]] || die "no <kafka.version> in $POM"
  if [[ -f "$LIBS/kafka_2.13-$version.jar" ]] && ls "$LIBS"/slf4j-reload4j-*.jar >/dev/null 2>&1; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (apt-get install -y maven)"
  command -v java >/dev/null || die "java not found (apt-get install -y openjdk-17-jre-headless)"
  log "resolving Kafka jars with Maven into $LIBS"
  mkdir -p "$LIBS"
  mvn -B -q -Dstyle.color=never -f "$POM" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIBS" \
    || die "mvn could not resolve the Kafka jars (see output above)"
}

write_config() {
  mkdir -p "$STATE" "$DATA"
  cat >"$STATE/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
delete.topic.enable=true
log.retention.hours=168
log.segment.bytes=67108864
num.network.threads=2
num.io.threads=4
EOF
  cat >"$STATE/log4j.properties" <<EOF
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaRaftServer=INFO
EOF
  # Extra broker settings (e.g. a SASL_SSL listener for a test broker); a key set again here wins.
  if [[ -n "${KAFKA_EXTRA_PROPERTIES:-}" ]]; then
    cat "$KAFKA_EXTRA_PROPERTIES" >>"$STATE/server.properties"
  fi
}

# The jars plus our log4j config; KRaft metadata lives under $DATA. "$LIBS/*" is a Java classpath wildcard.
JAVA=(java "-Xms$HEAP" "-Xmx$HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
  "-Dlog4j.configuration=file:$STATE/log4j.properties" -cp "$LIBS/*")

format_storage() {
  if [[ -f "$DATA/meta.properties" ]]; then return 0; fi
  local cid
  if [[ -f "$CLUSTER_ID_FILE" ]]; then
    cid="$(cat "$CLUSTER_ID_FILE")"
  else
    cid="$("${JAVA[@]}" kafka.tools.StorageTool random-uuid 2>>"$LOG_FILE" | tail -n1)" || true
    [[ -n "$cid" ]] || die "could not generate a cluster id (see $LOG_FILE)"
    echo "$cid" >"$CLUSTER_ID_FILE"
  fi
  log "formatting KRaft storage in $DATA (cluster $cid)"
  "${JAVA[@]}" kafka.tools.StorageTool format -t "$cid" -c "$STATE/server.properties" --ignore-formatted \
    >>"$LOG_FILE" 2>&1 || die "storage format failed (see $LOG_FILE)"
}

wait_ready() {
  local deadline=$((SECONDS + WAIT_SECONDS))
  while ((SECONDS < deadline)); do
    if broker_answers; then return 0; fi
    # Only a process that is gone has exited: right after the fork, the child may not have exec'd java yet
    # (its cmdline is still this script's), which is_running's pid-reuse guard would take for an exit.
    if [[ -f "$PID_FILE" ]] && ! kill -0 "$(cat "$PID_FILE" 2>/dev/null || echo 0)" 2>/dev/null; then
      log "broker exited during start-up; last log lines:"
      tail -n 30 "$LOG_FILE" >&2 || true
      return 1
    fi
    sleep 0.5
  done
  log "broker did not answer on $HOST:$PORT within ${WAIT_SECONDS}s; last log lines:"
  tail -n 30 "$LOG_FILE" >&2 || true
  return 1
}

cmd_up() {
  if is_running; then
    wait_ready || die "broker process is running but not answering"
    log "already up on $HOST:$PORT (pid $(cat "$PID_FILE"))"
    return 0
  fi
  if broker_answers; then
    log "a broker not started by this script already answers on $HOST:$PORT; using it"
    return 0
  fi
  if port_open "$PORT" || port_open "$CONTROLLER_PORT"; then
    die "port $PORT or $CONTROLLER_PORT is taken by another process"
  fi
  command -v java >/dev/null || die "java not found (apt-get install -y openjdk-17-jre-headless)"
  resolve_jars
  if [[ "${KAFKA_FRESH:-0}" == "1" ]]; then
    log "KAFKA_FRESH=1: wiping $DATA"
    rm -rf "$DATA" "$CLUSTER_ID_FILE"
  fi
  write_config
  : >"$LOG_FILE"
  format_storage
  log "starting broker on $HOST:$PORT (heap $HEAP, log $LOG_FILE)"
  # setsid + nohup: the broker outlives this shell (also under CI without a tty).
  setsid nohup "${JAVA[@]}" kafka.Kafka "$STATE/server.properties" >>"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  if ! wait_ready; then
    # Leave nothing behind: a broker that did not answer in time is stopped, not left holding the port.
    kill "$(cat "$PID_FILE")" 2>/dev/null || true
    rm -f "$PID_FILE"
    die "broker failed to start"
  fi
  log "up on $HOST:$PORT (pid $(cat "$PID_FILE"))"
}

cmd_down() {
  if ! is_running; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  local pid
  pid="$(cat "$PID_FILE")"
  log "stopping broker (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    log "broker did not stop within 30s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  fi
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  if is_running && broker_answers; then
    echo "up (pid $(cat "$PID_FILE"), $HOST:$PORT)"
  elif is_running; then
    echo "starting or unhealthy (pid $(cat "$PID_FILE"), $HOST:$PORT not answering)"
    return 1
  elif broker_answers; then
    echo "up (external broker on $HOST:$PORT)"
  else
    echo "down"
    return 3
  fi
}

case "${1:-}" in
  -h | --help)
    echo "usage: $0 up|down|status|wait   (the local Kafka broker, KAFKA_PORT / KAFKA_HOST)"
    exit 0
    ;;
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  wait) wait_ready || exit 1 ;;
  *)
    echo "usage: $0 up|down|status|wait" >&2
    exit 2
    ;;
esac
