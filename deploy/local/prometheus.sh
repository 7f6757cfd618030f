#!/usr/bin/env bash
# Local Prometheus from Debian's package, as a plain background process on loopback.
#   bash deploy/local/prometheus.sh up|down|status
# Listens on 127.0.0.1:19090 with deploy/local/prometheus/prometheus.yml; data, pid file and log under
# .cache/prometheus. Installs the `prometheus` package when missing (apt-get; root or passwordless sudo).
# Idempotent: `up` when up and `down` when down are no-ops.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CONFIG="${PROMETHEUS_CONFIG:-$ROOT/deploy/local/prometheus/prometheus.yml}"
STATE="${PROMETHEUS_STATE_DIR:-$ROOT/.cache/prometheus}"
DATA="$STATE/data"
PID_FILE="$STATE/prometheus.pid"
LOG_FILE="$STATE/prometheus.log"
HOST=127.0.0.1
PORT="${PROMETHEUS_PORT:-19090}"
URL="http://$HOST:$PORT"
WAIT_SECONDS="${PROMETHEUS_WAIT_SECONDS:-60}"

log() { printf 'prometheus.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

is_running() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  # Guard against pid reuse: the process must be our Prometheus.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'prometheus.*--web.listen-address' || return 1
}

# During start-up the pid may still be setsid/nohup before exec, so only liveness is checked.
pid_alive() { [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE" 2>/dev/null)" 2>/dev/null; }

ready() { curl -fsS --max-time 2 "$URL/-/ready" >/dev/null 2>&1; }
port_open() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

as_root() {
  if [[ "$(id -u)" == "0" ]]; then
    "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    die "need root to run: $* (run as root or install the prometheus package first)"
  fi
}

ensure_installed() {
  command -v curl >/dev/null || {
    log "installing curl"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl >&2 \
      || die "could not install curl"
  }
  if command -v prometheus >/dev/null; then return 0; fi
  command -v apt-get >/dev/null || die "prometheus not found and apt-get unavailable"
  log "installing Debian's prometheus package"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 || die "apt-get update failed"
  # The package's own service start is blocked without an init system; we start it ourselves below.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold prometheus >&2 \
    || die "apt-get install prometheus failed"
  command -v prometheus >/dev/null || die "prometheus still not on PATH after install"
}

wait_ready() {
  local deadline=$((SECONDS + WAIT_SECONDS))
  while ((SECONDS < deadline)); do
    if ready; then return 0; fi
    if [[ -f "$PID_FILE" ]] && ! pid_alive; then
      log "prometheus exited during start-up; last log lines:"
      tail -n 30 "$LOG_FILE" >&2 || true
      return 1
    fi
    sleep 0.5
  done
  log "prometheus not ready on $URL within ${WAIT_SECONDS}s; last log lines:"
  tail -n 30 "$LOG_FILE" >&2 || true
  return 1
}

cmd_up() {
  if is_running; then
    wait_ready || die "prometheus process is running but not ready"
    log "already up on $URL (pid $(cat "$PID_FILE"))"
    return 0
  fi
  ensure_installed
  if ready; then
    log "a Prometheus not started by this script already answers on $URL; using it"
    return 0
  fi
  port_open && die "port $PORT is taken by another process"
  if command -v promtool >/dev/null; then
    promtool check config "$CONFIG" >/dev/null || die "invalid config $CONFIG (promtool check config)"
  fi
  mkdir -p "$DATA"
  : >"$LOG_FILE"
  log "starting on $URL (config $CONFIG, log $LOG_FILE)"
  # setsid + nohup: Prometheus outlives this shell (also under CI without a tty).
  setsid nohup prometheus \
    --config.file="$CONFIG" \
    --storage.tsdb.path="$DATA" \
    --storage.tsdb.retention.time=1d \
    --web.listen-address="$HOST:$PORT" \
    --web.enable-lifecycle \
    --log.level=warn \
    >>"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  wait_ready || die "prometheus failed to start"
  log "up on $URL (pid $(cat "$PID_FILE"))"
}

cmd_down() {
  if ! is_running; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  local pid
  pid="$(cat "$PID_FILE")"
  log "stopping (pid $pid)"
  # Graceful first: /-/quit (needs --web.enable-lifecycle) flushes the head block; then TERM, then KILL.
  curl -fsS --max-time 5 -X POST "$URL/-/quit" >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 20))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.3; done
  if kill -0 "$pid" 2>/dev/null; then
    log "still running after 20s; sending SIGTERM"
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.3; done
  fi
  if kill -0 "$pid" 2>/dev/null; then
    log "still running; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  fi
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  if is_running && ready; then
    echo "up (pid $(cat "$PID_FILE"), $URL)"
  elif is_running; then
    echo "starting or unhealthy (pid $(cat "$PID_FILE"), $URL not ready)"
    return 1
  elif ready; then
    echo "up (external Prometheus on $URL)"
  else
    echo "down"
    return 3
  fi
}

case "${1:-}" in
  -h | --help)
    echo "usage: $0 up|down|status   (the local Prometheus on 127.0.0.1:19090)"
    exit 0
    ;;
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
esac
