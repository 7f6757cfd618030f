// Child process of the sink benchmarks (bench/sink-throughput.ts, bench/scenarios/e2e-latency.ts): runs the K3Cloud
// simulator out of the benchmark's process (the real Kingdee is remote; sharing the sink's event loop would charge
// the simulator's CPU to the sink). Besides the simulator's own admin API it serves `GET /writes?formId=…` on a
// second port: `[billNo, firstWrittenAt, writeCount]` per document, without the document bodies (tens of
// thousands of documents would make the admin list a large answer).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  startK3CloudSimulator,
  type K3CloudSimulatorOptions,
} from '@kingbridge/simulators';

async function main(): Promise<void> {
  const options = JSON.parse(
    process.argv[2] ?? '{}',
  ) as K3CloudSimulatorOptions;
  const sim = await startK3CloudSimulator({ ...options, admin: true });
  const writes = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const formId = url.searchParams.get('formId') ?? undefined;
    const rows = sim.documents
      .list({ formId })
      .map((d) => [d.billNo, d.firstWrittenAt, d.writeCount]);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(rows));
  });
  await new Promise<void>((done) => writes.listen(0, '127.0.0.1', done));
  const port = (writes.address() as AddressInfo).port;
  process.stdout.write(
    `${JSON.stringify({ url: sim.url, baseUrl: sim.baseUrl, acctId: sim.acctId, writesUrl: `http://127.0.0.1:${port}/writes` })}\n`,
  );
  process.on('SIGTERM', () => {
    writes.close();
    void sim.close().then(() => process.exit(0));
  });
}

void main();
