import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  StackingConfigBuilder,
  StackingMode,
  VisibilityMode,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  DataqueryBuilder,
  PromQueryFormat,
} from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type {
  Dashboard,
  DataSourceRef,
} from '@grafana/grafana-foundation-sdk/dashboard';

/** Every panel and variable queries the data source picked by `$datasource`. */
export const DATASOURCE: DataSourceRef = {
  type: 'prometheus',
  uid: '${datasource}',
};

/** Tag of every generated dashboard (the provisioning folder lists them). */
export const DASHBOARD_TAG = 'kingbridge';

export const PANEL_HEIGHT = 8;
export const STAT_HEIGHT = 4;

/**
 * One PromQL query of a panel. `mayBeEmpty` marks queries of series that only
 * exist once something goes wrong (dead letters, throttling, late records):
 * a healthy run legitimately returns no data for them.
 */
export interface PanelQuery {
  readonly expr: string;
  readonly legend: string;
  readonly mayBeEmpty?: boolean;
}

export interface PanelSpec {
  /** `table`: instant queries shown as rows (one per series). */
  readonly kind: 'timeseries' | 'stat' | 'table';
  readonly title: string;
  readonly description: string;
  readonly unit: string;
  readonly queries: readonly PanelQuery[];
  /** Grid columns out of 24. */
  readonly span: number;
  readonly stacked?: boolean;
  readonly min?: number;
  /** Stat panels: value from which the background turns red. */
  readonly redFrom?: number;
}

function target(
  query: PanelQuery,
  index: number,
  instantTable = false,
): DataqueryBuilder {
  const builder = new DataqueryBuilder()
    .expr(query.expr)
    .legendFormat(query.legend)
    .refId(String.fromCharCode(65 + index))
    .datasource(DATASOURCE);
  if (instantTable) builder.instant().format(PromQueryFormat.Table);
  return builder;
}

/** The builder methods every panel kind shares (the SDK's stat, table and timeseries builders). */
interface PanelBuilderBase {
  title(title: string): this;
  description(description: string): this;
  datasource(datasource: DataSourceRef): this;
  unit(unit: string): this;
  span(w: number): this;
  height(h: number): this;
  withTarget(target: DataqueryBuilder): this;
}

/** A panel of `spec`: the settings every kind takes, then the kind's own (`configure`), then its queries. */
function buildPanel<B extends PanelBuilderBase>(
  builder: B,
  spec: PanelSpec,
  height: number,
  configure: (panel: B) => void,
  instantTable = false,
): B {
  const panel = builder
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .span(spec.span)
    .height(height);
  configure(panel);
  spec.queries.forEach((q, i) => panel.withTarget(target(q, i, instantTable)));
  return panel;
}

export function timeseriesPanel(spec: PanelSpec): timeseries.PanelBuilder {
  return buildPanel(
    new timeseries.PanelBuilder(),
    spec,
    PANEL_HEIGHT,
    (panel) => {
      panel
        .lineWidth(1)
        .fillOpacity(spec.stacked ? 40 : 10)
        .showPoints(VisibilityMode.Never)
        .legend(
          new VizLegendOptionsBuilder()
            .showLegend(true)
            .displayMode(LegendDisplayMode.List)
            .placement(LegendPlacement.Bottom)
            .calcs([]),
        );
      if (spec.stacked)
        panel.stacking(new StackingConfigBuilder().mode(StackingMode.Normal));
      if (spec.min !== undefined) panel.min(spec.min);
    },
  );
}

export function tablePanel(spec: PanelSpec): table.PanelBuilder {
  return buildPanel(
    new table.PanelBuilder(),
    spec,
    PANEL_HEIGHT,
    (panel) => panel.noValue('none'),
    true,
  );
}

export function statPanel(spec: PanelSpec): stat.PanelBuilder {
  const steps: Array<{ value: number | null; color: string }> = [
    { value: null, color: 'green' },
  ];
  if (spec.redFrom !== undefined)
    steps.push({ value: spec.redFrom, color: 'red' });
  return buildPanel(new stat.PanelBuilder(), spec, STAT_HEIGHT, (panel) =>
    panel
      .reduceOptions(
        new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false),
      )
      .thresholds(
        new ThresholdsConfigBuilder()
          .mode(ThresholdsMode.Absolute)
          .steps(steps as Array<{ value: number; color: string }>),
      ),
  );
}

export interface RowSpec {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

export interface VariableSpec {
  readonly name: string;
  readonly label: string;
  /** `label_values(<metric>, <label>)` */
  readonly query: string;
}

/** A dashboard as data: rendered to JSON by renderDashboard, read by allPanelQueries. */
export interface DashboardSpec {
  readonly uid: string;
  /** File name under deploy/grafana/dashboards/. */
  readonly file: string;
  readonly title: string;
  readonly description: string;
  readonly variables: readonly VariableSpec[];
  readonly rows: readonly RowSpec[];
}

/** Builds the Grafana dashboard JSON of `spec`; panel ids are 1..n in layout order. */
export function renderDashboard(spec: DashboardSpec): Dashboard {
  const builder = dashboardBuilder(spec);
  for (const r of spec.rows) {
    builder.withRow(new RowBuilder(r.title));
    for (const p of r.panels) builder.withPanel(panelBuilder(p));
  }
  const built = builder.build();
  let id = 0;
  for (const panel of built.panels ?? []) panel.id = ++id;
  return built;
}

function panelBuilder(
  spec: PanelSpec,
): stat.PanelBuilder | table.PanelBuilder | timeseries.PanelBuilder {
  switch (spec.kind) {
    case 'stat':
      return statPanel(spec);
    case 'table':
      return tablePanel(spec);
    case 'timeseries':
      return timeseriesPanel(spec);
    default:
      return assertNever(spec.kind);
  }
}

function assertNever(value: never): never {
  throw new Error(`unknown panel kind ${String(value)}`);
}

function dashboardBuilder(spec: DashboardSpec): DashboardBuilder {
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([DASHBOARD_TAG, 'generated'])
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .readonly()
    .link(
      new DashboardLinkBuilder('Kingbridge dashboards')
        .type(DashboardLinkType.Dashboards)
        .tags([DASHBOARD_TAG])
        .asDropdown(true)
        .keepTime(true)
        .includeVars(false)
        .targetBlank(false),
    )
    .withVariable(
      new DatasourceVariableBuilder('datasource')
        .label('Data source')
        .type('prometheus'),
    );
  for (const v of spec.variables) {
    builder.withVariable(
      new QueryVariableBuilder(v.name)
        .label(v.label)
        .datasource(DATASOURCE)
        .query(v.query)
        .definition(v.query)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .allValue('.*'),
    );
  }
  return builder;
}
