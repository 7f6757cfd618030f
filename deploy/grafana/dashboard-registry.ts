import { join } from 'node:path';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { renderDashboard, type DashboardSpec } from './dashboard-kit.util';
import { KAFKA_DASHBOARD } from './kafka.dashboard';
import { OVERVIEW_DASHBOARD } from './overview.dashboard';
import { SINK_KINGDEE_DASHBOARD } from './sink-kingdee.dashboard';
import { SOURCE_CONNECTORS_DASHBOARD } from './source-connectors.dashboard';
import { TRANSFORM_DASHBOARD } from './transform.dashboard';

/** Committed dashboard JSON lives here (provisioned into Grafana). */
export const DASHBOARDS_DIR = join(__dirname, 'dashboards');

/** Every generated dashboard: the overview and one per service kind. */
export const ALL_DASHBOARDS: readonly DashboardSpec[] = [
  OVERVIEW_DASHBOARD,
  SOURCE_CONNECTORS_DASHBOARD,
  TRANSFORM_DASHBOARD,
  SINK_KINGDEE_DASHBOARD,
  KAFKA_DASHBOARD,
];

export interface RenderedDashboard {
  readonly file: string;
  readonly dashboard: Dashboard;
  /** Exactly what is committed under dashboards/: 2-space JSON plus a newline. */
  readonly text: string;
}

export function renderAllDashboards(): RenderedDashboard[] {
  return ALL_DASHBOARDS.map((spec) => {
    const dashboard = renderDashboard(spec);
    return {
      file: spec.file,
      dashboard,
      text: `${JSON.stringify(dashboard, null, 2)}\n`,
    };
  });
}
