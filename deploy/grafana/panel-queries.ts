import { ALL_DASHBOARDS } from './dashboard-registry';

export interface PanelQueryRef {
  readonly dashboardUid: string;
  readonly panelTitle: string;
  readonly refId: string;
  /** The expression as stored in the dashboard (may contain Grafana variables). */
  readonly expr: string;
  /** The same expression runnable against Prometheus (see grafanaExprToPromql). */
  readonly promql: string;
  /**
   * True for series that only exist once something goes wrong (dead letters,
   * throttling, late records): a healthy run may return no data for them.
   */
  readonly mayBeEmpty: boolean;
}

/**
 * Makes a dashboard expression runnable outside Grafana: `$__rate_interval`,
 * `$__interval` and `$__range` become `rateInterval`, and every `$var` /
 * `${var}` template variable (used as `label=~"$var"`) becomes `.*`.
 */
export function grafanaExprToPromql(expr: string, rateInterval = '1m'): string {
  return expr
    .replace(
      /\$__rate_interval|\$__interval|\$__range|\$\{__rate_interval\}|\$\{__interval\}|\$\{__range\}/g,
      rateInterval,
    )
    .replace(/\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g, '.*');
}

/**
 * Every query of every panel of every generated dashboard. The end-to-end
 * test asks a live Prometheus for each `promql` and expects data unless
 * `mayBeEmpty`.
 */
export function allPanelQueries(rateInterval = '1m'): PanelQueryRef[] {
  const out: PanelQueryRef[] = [];
  for (const dashboard of ALL_DASHBOARDS) {
    for (const row of dashboard.rows) {
      for (const panel of row.panels) {
        panel.queries.forEach((q, i) => {
          out.push({
            dashboardUid: dashboard.uid,
            panelTitle: panel.title,
            refId: String.fromCharCode(65 + i),
            expr: q.expr,
            promql: grafanaExprToPromql(q.expr, rateInterval),
            mayBeEmpty: q.mayBeEmpty ?? false,
          });
        });
      }
    }
  }
  return out;
}
