#!/usr/bin/env bash
# The whole test suite: static checks, unit tests, integration tests against a real Kafka broker and the
# machine's PostgreSQL, promtool rule tests, drift checks. Ends with "N passed, N failed".
# Used by the README ("npm test") and by .ci/run.
set -uo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  "") ;;
  -h | --help) echo "usage: npm test   (bash scripts/test.sh: every check and test project, ends with N passed, N failed)"; exit 0 ;;
  *) echo "$(basename "$0"): unknown option $1 (it takes none)" >&2; echo "usage: npm test   (bash scripts/test.sh: every check and test project, ends with N passed, N failed)" >&2; exit 2 ;;
esac
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true TZ=UTC NO_COLOR=1 FORCE_COLOR=0
export DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kingbridge_test}"
mkdir -p .cache/test
passed=0; failed=0; failures=()

step() { # name, command...
  local name=$1; shift
  local log=".cache/test/${name// /-}.log"
  local t0=$SECONDS
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1)); echo "ok    ${name} ($((SECONDS - t0))s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "FAIL  ${name} ($((SECONDS - t0))s) — log: ${log}"
    tail -n 40 "$log" | sed 's/^/      /'
  fi
}

echo "== setup"
[ -d node_modules ] || bash scripts/install-deps.sh
bash scripts/ensure-tools.sh || { echo "tool setup failed"; echo "0 passed, 1 failed"; exit 1; }
# No main-job broker here: the integration tests start their own (127.0.0.1:19192, libs/testing/src/test-broker.ts),
# the e2e suite its own (127.0.0.1:29092); both are stopped when their runs end.

echo "== static checks"
step "project tags" npx tsx scripts/check-tags.ts
step "import graph (no cycles, no imports out of a project or into a service)" npx tsx scripts/check-imports.ts
step "format" npx prettier --check .
npx nx show projects >/dev/null 2>&1 # warms the project graph the boundaries rule reads
step "lint (incl. module boundaries)" npx eslint --max-warnings 0 libs services scripts bench deploy tools
step "typecheck" npx tsc -p tsconfig.json --noEmit
step "generated files up to date" npx tsx scripts/check-drift.ts

echo "== vitest (unit, integration, e2e)"
# Two vitest runs side by side: the integration files (one at a time, in their fork; mostly waiting on brokers,
# windows and processes) and the unit files then the e2e suite (its own stack). One vitest run would take its
# projects one after another. Both runs' results are counted; each keeps its own log and JSON report.
rm -f .cache/test/vitest-*.json .cache/test/vitest-*.log
VITEST_FILTER='^( ✓| ×| ❯|FAIL| FAIL|\s+Test Files|\s+Tests)'
npx vitest run --project integration --reporter=default --reporter=json \
  --outputFile.json=.cache/test/vitest-integration.json >.cache/test/vitest-integration.log 2>&1 &
integration_pid=$!
npx vitest run --project unit --project e2e --reporter=default --reporter=json \
  --outputFile.json=.cache/test/vitest-unit-e2e.json >.cache/test/vitest-unit-e2e.log 2>&1
unit_e2e_rc=$?
wait "$integration_pid"
integration_rc=$?
for run in unit-e2e integration; do
  report=".cache/test/vitest-${run}.json"
  if [ "$run" = integration ]; then rc=$integration_rc; else rc=$unit_e2e_rc; fi
  grep -E "$VITEST_FILTER" ".cache/test/vitest-${run}.log" | tail -n 200
  if [ -f "$report" ]; then
    # Failed tests, plus every test file that failed without a failed test (a hook or import error: its tests are
    # reported as skipped, so they would otherwise vanish from the count).
    read -r vp vf < <(node -e '
      const r = require(process.argv[1]);
      const broken = r.testResults.filter((t) => t.status === "failed" && !t.assertionResults.some((a) => a.status === "failed")).length;
      console.log(r.numPassedTests + " " + (r.numFailedTests + broken));' "./$report")
    passed=$((passed + vp)); failed=$((failed + vf))
    if [ "$rc" -ne 0 ] && [ "$vf" -eq 0 ]; then failed=$((failed + 1)); failures+=("vitest ($run) exited $rc"); fi
  else
    failed=$((failed + 1)); failures+=("vitest ($run) produced no report")
  fi
done

echo "== migrations"
# ADR 0006: the test database the integration tests migrated (their global setup) has nothing pending, and every
# migration file is registered in its service's MIGRATIONS. Exit 1 names the migration.
step "no pending migration (migrate --check)" npx tsx scripts/migrate.ts --check

echo "== left running"
# npm start (19092, database kingbridge) shares nothing with the tests; say what a test run still has up, if anything.
for port in 19192 29092; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "note: a test broker still answers on 127.0.0.1:$port (another test run is using it; the last one stops it)"
  fi
done
if [ ${#failures[@]} -gt 0 ]; then echo "failed checks: ${failures[*]}"; fi
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
