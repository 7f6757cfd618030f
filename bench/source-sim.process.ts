// Child process of bench/scenarios/connector.ts: the Xiaoman (OKKI) simulator out of the benchmark's process, with
// the options given as JSON in argv[2]; prints `{"url": …}` once listening, stops on SIGTERM.
import {
  startXiaomanSimulator,
  type XiaomanOptions,
} from '@kingbridge/simulators';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as XiaomanOptions;
  const sim = await startXiaomanSimulator(options);
  process.stdout.write(`${JSON.stringify({ url: sim.url })}\n`);
  process.on('SIGTERM', () => {
    void sim.close().then(() => process.exit(0));
  });
}

void main();
