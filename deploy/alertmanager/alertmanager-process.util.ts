import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@kingbridge/pipeline-core';
import { startReadyProcess } from '../prometheus/prometheus-api.util';

export interface AlertmanagerProcess {
  readonly url: string;
  /** `host:port` for Prometheus' alerting config. */
  readonly address: string;
  stop(): Promise<void>;
}

/**
 * Starts a throw-away Alertmanager (Debian's prometheus-alertmanager) on a free
 * loopback port with `config` (YAML text), clustering off, a temporary data
 * directory; `stop()` ends it and removes the directory.
 */
export async function startAlertmanager(
  config: string,
  readyTimeoutMs = 20_000,
): Promise<AlertmanagerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'kb-alertmanager-'));
  writeFileSync(join(dir, 'alertmanager.yml'), config);
  const address = `127.0.0.1:${await freePort()}`;
  const url = `http://${address}`;
  const stop = await startReadyProcess({
    name: 'alertmanager',
    binary: process.env['ALERTMANAGER'] ?? 'prometheus-alertmanager',
    args: [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=${address}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    readyUrl: `${url}/-/ready`,
    dir,
    installHint:
      'apt-get install -y prometheus-alertmanager, or set ALERTMANAGER',
    readyTimeoutMs,
  });
  return { url, address, stop };
}
