#!/usr/bin/env bash
# Installs the npm packages exactly as locked. `npm ci` first; npm 11.19 sometimes refuses a lock file that
# lists only this platform's optional native packages (rollup's) as "out of sync" — then `npm install`, which
# installs the same locked versions and leaves package-lock.json unchanged.
set -uo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  "") ;;
  -h | --help) echo "usage: bash scripts/install-deps.sh   (npm ci, or npm install of the locked versions)"; exit 0 ;;
  *) echo "$(basename "$0"): unknown option $1 (it takes none)" >&2; echo "usage: bash scripts/install-deps.sh   (npm ci, or npm install of the locked versions)" >&2; exit 2 ;;
esac
if npm ci --no-audit --no-fund --loglevel=error; then exit 0; fi
echo "install-deps: npm ci refused the lock file; installing the locked versions with npm install" >&2
npm install --no-audit --no-fund --loglevel=error
