// Child process of bench/sink-throughput.ts: runs the K3Cloud simulator out of the benchmark's process (the real
// Kingdee is remote; sharing the sink's event loop would charge the simulator's CPU to the sink).
import {
  startK3CloudSimulator,
  type K3CloudSimulatorOptions,
} from '../services/simulators/src/kingdee/k3cloud/k3cloud.simulator';

async function main(): Promise<void> {
  const options = JSON.parse(
    process.argv[2] ?? '{}',
  ) as K3CloudSimulatorOptions;
  const sim = await startK3CloudSimulator({ ...options, admin: true });
  process.stdout.write(
    `${JSON.stringify({ url: sim.url, baseUrl: sim.baseUrl, acctId: sim.acctId })}\n`,
  );
  process.on('SIGTERM', () => {
    void sim.close().then(() => process.exit(0));
  });
}

void main();
