#!/usr/bin/env bash
# Installs what the tests and the main job need that npm does not bring: Debian's prometheus (for promtool and the
# local Prometheus), prometheus-alertmanager (alert delivery test) and the Kafka jars from Maven Central. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  "") ;;
  -h | --help) echo "usage: bash scripts/ensure-tools.sh   (promtool, prometheus, alertmanager, the Kafka jars; idempotent)"; exit 0 ;;
  *) echo "$(basename "$0"): unknown option $1 (it takes none)" >&2; echo "usage: bash scripts/ensure-tools.sh   (promtool, prometheus, alertmanager, the Kafka jars; idempotent)" >&2; exit 2 ;;
esac
if ! command -v promtool >/dev/null 2>&1 || ! command -v prometheus >/dev/null 2>&1 \
  || ! command -v prometheus-alertmanager >/dev/null 2>&1; then
  echo "installing Debian's prometheus and prometheus-alertmanager packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager >/dev/null
fi
if [ ! -d .cache/kafka-libs ] || [ -z "$(ls -A .cache/kafka-libs 2>/dev/null)" ]; then
  echo "resolving Apache Kafka jars from Maven Central"
  mvn -B -q -f deploy/local/kafka/pom.xml dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$PWD/.cache/kafka-libs"
fi
