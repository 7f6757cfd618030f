import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/*
 * The integration tests' own Kafka broker, never the main job's (npm start: 127.0.0.1:19092, .cache/kafka):
 * 127.0.0.1:19192 (controller 19193), state in .cache/kafka-test, wiped at each start. Several test runs may
 * share it at once: each takes a lease (a file named by its pid) under a lock, and the last run to leave
 * stops the broker. Nothing of a test run is left where the main job would read it.
 */

const ROOT = resolve(__dirname, '../../..');
export const TEST_BROKER_HOST = '127.0.0.1';
export const TEST_BROKER_PORT = 19192;
export const TEST_BROKER_CONTROLLER_PORT = 19193;
const STATE_DIR = join(ROOT, '.cache/kafka-test');
const LEASES = join(ROOT, '.cache/kafka-test-leases');
const LOCK = join(ROOT, '.cache/kafka-test-broker.lock');

/** kafka.sh's environment for the test broker (same script as the main job, other ports and state dir). */
export function testBrokerEnv(): Record<string, string> {
  return {
    KAFKA_PORT: String(TEST_BROKER_PORT),
    KAFKA_CONTROLLER_PORT: String(TEST_BROKER_CONTROLLER_PORT),
    KAFKA_STATE_DIR: STATE_DIR,
  };
}

export const TEST_BROKERS = `${TEST_BROKER_HOST}:${TEST_BROKER_PORT}`;

/**
 * Runs `script` (bash) under the test broker's lock, with kafka.sh's environment for the test broker; the leases
 * are checked inside the lock, so a run starting while another leaves never finds its broker stopped.
 */
function underLock(script: string): void {
  mkdirSync(LEASES, { recursive: true });
  execFileSync('flock', ['-o', LOCK, 'bash', '-c', script], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      ...testBrokerEnv(),
      KB_LEASES: LEASES,
      KB_SELF: String(process.pid),
      KB_KAFKA_SH: join(ROOT, 'deploy/local/kafka.sh'),
    },
  });
}

/** Bash: exits 0 from the snippet when a lease other than ours belongs to a live process; drops dead ones. */
const OTHERS_ALIVE = `others=0
for f in "$KB_LEASES"/*; do
  [ -e "$f" ] || continue
  p=\${f##*/}
  [ "$p" = "$KB_SELF" ] && continue
  if kill -0 "$p" 2>/dev/null; then others=1; else rm -f "$f"; fi
done`;

/**
 * Starts the test broker unless it runs already (idempotent, safe from concurrent runs) and leases it to this
 * process. Its data is wiped when it starts with nobody else using it. Returns the broker list.
 */
export function acquireTestBroker(): string {
  mkdirSync(LEASES, { recursive: true });
  writeFileSync(join(LEASES, String(process.pid)), new Date().toISOString());
  underLock(
    `${OTHERS_ALIVE}
if [ "$others" = 0 ]; then export KAFKA_FRESH=1; else export KAFKA_FRESH=0; fi
exec bash "$KB_KAFKA_SH" up`,
  );
  return TEST_BROKERS;
}

/**
 * Drops this process's lease; the last lease holder stops the broker (KAFKA_TEST_KEEP=1 keeps it up for quick
 * re-runs; its data is wiped at its next start anyway).
 */
export function releaseTestBroker(): void {
  rmSync(join(LEASES, String(process.pid)), { force: true });
  if (process.env['KAFKA_TEST_KEEP'] === '1') return;
  underLock(
    `${OTHERS_ALIVE}
[ "$others" = 1 ] && exit 0
exec bash "$KB_KAFKA_SH" down`,
  );
}
