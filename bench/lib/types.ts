import { z } from 'zod';
import type { BenchBroker } from './broker';

/** One table row: figures (numbers) and labels (strings). */
export type Row = Record<string, string | number>;

export interface ScenarioResult {
  readonly name: string;
  readonly title: string;
  readonly rows: Row[];
  /** What the figures mean, where a target is missed, by how much. */
  readonly notes: string[];
  readonly loadAverage: { readonly before: number; readonly after: number };
  readonly seconds: number;
}

/** Kafka ceiling per raw topic message size, measured in the same run (scenario `ceiling`). */
export interface Ceiling {
  readonly platform: string;
  readonly messageBytes: number;
  readonly producerRecordsPerSecond: number;
  readonly consumerRecordsPerSecond: number;
  readonly kafkajsRecordsPerSecond: number;
}

export interface BenchContext {
  readonly broker: BenchBroker;
  readonly databaseUrl: string;
  /** Tiny N, short durations: checks the harness, measures nothing. */
  readonly smoke: boolean;
  /** Unique per run: flow ids, lookup tables, consumer groups. */
  readonly suffix: string;
  /** Folder for `--cpu-prof` profiles of the services, when asked for. */
  readonly profileDir: string | undefined;
  readonly ceilings: Map<string, Ceiling>;
  log(message: string): void;
}

export interface Scenario {
  readonly name: string;
  readonly title: string;
  /** Scenarios whose results this one divides by (run first when not selected). */
  readonly needs?: readonly string[];
  run(ctx: BenchContext): Promise<Pick<ScenarioResult, 'rows' | 'notes'>>;
}

const rowSchema = z.record(z.string(), z.union([z.string(), z.number()]));

/** The JSON file a run writes (bench/results/latest.json): checked when read back (smoke test, docs). */
export const benchReportSchema = z.object({
  schemaVersion: z.literal(1),
  startedAt: z.string().datetime(),
  finishedAt: z.string().datetime(),
  smoke: z.boolean(),
  machine: z.object({
    cpuModel: z.string(),
    cores: z.number().int().positive(),
    memoryGb: z.number(),
    freeMemoryGb: z.number(),
    node: z.string(),
    kernel: z.string(),
  }),
  kafkaVersion: z.string(),
  loadAverage: z.object({
    start: z.array(z.number()).length(3),
    end: z.array(z.number()).length(3),
  }),
  scenarios: z.array(
    z.object({
      name: z.string(),
      title: z.string(),
      rows: z.array(rowSchema),
      notes: z.array(z.string()),
      loadAverage: z.object({ before: z.number(), after: z.number() }),
      seconds: z.number(),
    }),
  ),
});
export type BenchReport = z.infer<typeof benchReportSchema>;
