#!/usr/bin/env bash
# The main job: installs what is missing, then runs the whole stack with the five seed flows syncing live.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  "") ;;
  -h | --help) echo "usage: npm start   (bash scripts/start.sh: the whole stack with the seed flows syncing live; Ctrl-C stops it)"; exit 0 ;;
  *) echo "$(basename "$0"): unknown option $1 (it takes none)" >&2; echo "usage: npm start   (bash scripts/start.sh: the whole stack with the seed flows syncing live; Ctrl-C stops it)" >&2; exit 2 ;;
esac
export NX_DAEMON=false
[ -d node_modules ] || bash scripts/install-deps.sh
bash scripts/ensure-tools.sh
exec node node_modules/tsx/dist/cli.mjs scripts/stack/main.ts
