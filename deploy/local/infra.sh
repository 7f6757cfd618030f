#!/usr/bin/env bash
# Local infrastructure without Docker: Kafka (Maven Central jars) and Prometheus (Debian package).
#   bash deploy/local/infra.sh up|down|status
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
action="${1:-status}"
case "$action" in
  -h | --help) echo "usage: $0 up|down|status   (Kafka and Prometheus together)"; exit 0 ;;
  up) bash "$here/kafka.sh" up && bash "$here/prometheus.sh" up ;;
  down) bash "$here/prometheus.sh" down; bash "$here/kafka.sh" down ;;
  status) rc=0; bash "$here/kafka.sh" status || rc=$?; bash "$here/prometheus.sh" status || rc=$?; exit $rc ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
