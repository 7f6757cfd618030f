#!/usr/bin/env bash
# The main job: installs what is missing, then runs the whole stack with the five seed flows syncing live.
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false
[ -d node_modules ] || bash scripts/install-deps.sh
bash scripts/ensure-tools.sh
exec node node_modules/tsx/dist/cli.mjs scripts/stack/main.ts
