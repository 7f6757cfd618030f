#!/usr/bin/env bash
# Installs the npm packages exactly as locked. `npm ci` first; npm 11.19 sometimes refuses a lock file that
# lists only this platform's optional native packages (rollup's) as "out of sync" — then `npm install`, which
# installs the same locked versions and leaves package-lock.json unchanged.
set -uo pipefail
cd "$(dirname "$0")/.."
if npm ci --no-audit --no-fund --loglevel=error; then exit 0; fi
echo "install-deps: npm ci refused the lock file; installing the locked versions with npm install" >&2
npm install --no-audit --no-fund --loglevel=error
