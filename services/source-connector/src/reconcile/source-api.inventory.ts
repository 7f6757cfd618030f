import { loadConfig } from '@kingbridge/config';
import type { RawRecord, SourcePlatform } from '@kingbridge/contracts';
import type { Logger } from '@kingbridge/observability';
import {
  RunContext,
  WindowScanner,
  splitWindows,
  type SourceConnectorClient,
  type SourceStateStore,
  type SourceStream,
  type TimeWindow,
} from '@kingbridge/source-runtime';
import { Registry } from 'prom-client';
import {
  sourceConnectorConfigSchema,
  type SourceConnectorConfig,
} from '../source-connector.config';
import { loadStreams } from '../streams/load-streams';
import { buildSourceClient } from '../runtime/source-runtime.factory';

/**
 * One source record as `@kingbridge/reconcile`'s `SourceInventory` wants it. Declared here, not imported:
 * the service must not depend on ops tooling; the reconcile CLI and the e2e suite check the fit.
 */
export interface InventoryRecord {
  readonly sourceId: string;
  readonly version: number;
  /** The platform gives no creation time in the list answer: the modified time stands in (per-day sums). */
  readonly createdAt: number;
  readonly modifiedAt: number;
  readonly payload: Record<string, unknown>;
}

/** How far a read got (windows of the range, distinct records so far). */
export interface InventoryProgress {
  readonly stream: string;
  readonly windowsDone: number;
  readonly windowsTotal: number;
  readonly records: number;
}

/** Reconciliation reads the source; it never records anything in the connector's state. */
const NO_STATE: SourceStateStore = new Proxy({} as SourceStateStore, {
  get: (_target, name) =>
    name === 'then'
      ? undefined // not a thenable
      : name === 'saveRecordStates'
        ? () => Promise.resolve()
        : () =>
            Promise.reject(
              new Error(
                `reconciliation does not use source state (${String(name)})`,
              ),
            ),
});

/**
 * The source side of a reconciliation read from the platform's own API, with the production
 * client and the flow's own query (params, time fields, page size), over `[from, to]` cut into
 * the platform's longest windows — the records the connector would have fetched for that range,
 * page drift handled as in the connector. Nothing is published and no checkpoint moves.
 * Works against the real platform as against its simulator.
 */
export class SourceApiInventory {
  private constructor(
    private readonly config: SourceConnectorConfig,
    private readonly stream: SourceStream,
    private readonly logger: Logger,
    private readonly onProgress?: (p: InventoryProgress) => void,
  ) {}

  /** The inventory of one stream of `config.CONNECTOR_ID` (from PLANS_DIR or SOURCE_STREAMS). */
  static async forStream(
    config: SourceConnectorConfig,
    streamId: string,
    logger: Logger,
    onProgress?: (p: InventoryProgress) => void,
  ): Promise<SourceApiInventory> {
    const streams = await loadStreams(config);
    const stream = streams.find((s) => s.id === streamId);
    if (!stream) {
      throw new Error(
        `${config.CONNECTOR_ID} has no stream '${streamId}' (has ${streams.map((s) => s.id).join(', ') || 'none'})`,
      );
    }
    return new SourceApiInventory(config, stream, logger, onProgress);
  }

  /**
   * The inventory of a plan's stream, configured like the connector of `platform` from `env`
   * (base URL, credentials or `*_FILE`, rate limit, PLANS_DIR); a bad variable throws ConfigError.
   */
  static async fromEnv(
    env: Readonly<Record<string, string | undefined>>,
    platform: SourcePlatform,
    streamId: string,
    logger: Logger,
    onProgress?: (p: InventoryProgress) => void,
  ): Promise<SourceApiInventory> {
    const config = loadConfig(sourceConnectorConfigSchema, {
      ...env,
      CONNECTOR_ID: platform,
    });
    return SourceApiInventory.forStream(config, streamId, logger, onProgress);
  }

  /**
   * Every record the stream's query returns whatever its time (a full scan, as a master-data stream's first
   * sync reads it); throws when the platform cannot list them all for this entity.
   */
  async listAll(_entity: string): Promise<InventoryRecord[]> {
    const window = {
      from: new Date(0),
      to: new Date(Math.floor(Date.now() / 1000) * 1000),
      full: true,
    };
    return this.read([window], (client) => {
      if (client.supportsFullScan?.(this.stream.entity) !== true)
        throw new Error(
          `${this.stream.platform} cannot list every ${this.stream.entity} record (no full scan)`,
        );
    });
  }

  /** Latest version per record of every record the stream's query returns for `[from, to)`. */
  async list(
    _entity: string,
    range: { readonly fromMs: number; readonly toMs: number },
  ): Promise<InventoryRecord[]> {
    if (range.toMs <= range.fromMs) return [];
    // The range is half-open, platform windows are closed at whole seconds: stop a second short.
    const to = new Date(Math.max(range.fromMs, range.toMs - 1000));
    return this.read((client) =>
      splitWindows(
        new Date(range.fromMs),
        to,
        client.maxWindowMs(this.stream.entity),
      ),
    );
  }

  private async read(
    windowsOf: TimeWindow[] | ((client: SourceConnectorClient) => TimeWindow[]),
    check?: (client: SourceConnectorClient) => void,
  ): Promise<InventoryRecord[]> {
    const { client, channel, metrics } = buildSourceClient(
      this.config,
      new Registry(),
      this.logger,
    );
    const found = new Map<string, RawRecord>();
    const scanner = new WindowScanner({
      client,
      channel,
      state: NO_STATE,
      metrics,
      logger: this.logger,
      publisher: {
        publish(_topic, records) {
          for (const r of records) {
            const prev = found.get(r.sourceId);
            if (
              !prev ||
              Date.parse(prev.modifiedAt) <= Date.parse(r.modifiedAt)
            )
              found.set(r.sourceId, r);
          }
          return Promise.resolve();
        },
      },
    });
    check?.(client);
    const run = new RunContext(`reconcile:${this.stream.id}`, true);
    const windows =
      typeof windowsOf === 'function' ? windowsOf(client) : windowsOf;
    for (const [i, window] of windows.entries()) {
      await scanner.scan(this.stream, window, run);
      this.onProgress?.({
        stream: this.stream.id,
        windowsDone: i + 1,
        windowsTotal: windows.length,
        records: found.size,
      });
    }
    return [...found.values()].map((r) => {
      const at = Date.parse(r.modifiedAt);
      return {
        sourceId: r.sourceId,
        version: 1,
        createdAt: at,
        modifiedAt: at,
        payload: r.payload,
      };
    });
  }
}
