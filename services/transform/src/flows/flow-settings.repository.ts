import type { DataSource } from 'typeorm';
import type { Flow } from './load-flows';

/**
 * Publishes each flow's effective plan (after the merge overrides of this process's config) to
 * `transform.flow_settings`, so reconciliation and other ops tools read the settings the transform runs with.
 */
export async function publishFlowSettings(
  dataSource: DataSource,
  flows: readonly Flow[],
): Promise<void> {
  for (const f of flows) {
    await dataSource.query(
      `INSERT INTO transform.flow_settings (flow, plan_file, plan, started_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (flow) DO UPDATE SET plan_file = EXCLUDED.plan_file, plan = EXCLUDED.plan, started_at = now()`,
      [f.id, f.file, JSON.stringify(f.plan)],
    );
  }
}
