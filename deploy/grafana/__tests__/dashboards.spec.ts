import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { dashboardDrift } from '../generate-dashboards';
import {
  ALL_DASHBOARDS,
  DASHBOARDS_DIR,
  renderAllDashboards,
} from '../dashboard-registry';
import { allPanelQueries, grafanaExprToPromql } from '../panel-queries';
import { allRuleExpressions } from '../../prometheus/rule-expressions';
import {
  allowedLabels,
  exposedSeriesNames,
  isStandardMetric,
  metricNamesInPromql,
  pinnedMetrics,
  selectorsInPromql,
} from '../../prometheus/promql-metrics.util';
import {
  assertPromtoolAvailable,
  checkPromqlExpressions,
} from '../../prometheus/promtool.util';

interface JsonPanel {
  id?: number;
  type: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: Array<{
    expr?: string;
    refId?: string;
    datasource?: { type?: string };
  }>;
}
interface JsonDashboard {
  uid: string;
  title: string;
  panels: JsonPanel[];
  templating: { list: Array<{ name: string; type: string; query?: unknown }> };
}

const committed: Array<{ file: string; json: JsonDashboard }> =
  ALL_DASHBOARDS.map((d) => ({
    file: d.file,
    json: JSON.parse(
      readFileSync(join(DASHBOARDS_DIR, d.file), 'utf8'),
    ) as JsonDashboard,
  }));
const dataPanels = committed.flatMap(({ json }) =>
  json.panels
    .filter((p) => p.type !== 'row')
    .map((p) => ({ uid: json.uid, panel: p })),
);

describe('generated dashboards', () => {
  it('should equal the generator output when committed (run scripts/generate-dashboards.ts)', () => {
    expect(dashboardDrift()).toEqual({ stale: [], missing: [], extra: [] });
  });

  it('should report a stale file when the committed JSON differs from the generator', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kb-dash-'));
    try {
      for (const { file, text } of renderAllDashboards())
        writeFileSync(join(dir, file), text);
      const [first] = renderAllDashboards();
      writeFileSync(
        join(dir, first!.file),
        first!.text.replace('"refresh": "30s"', '"refresh": "5s"'),
      );
      writeFileSync(join(dir, 'hand-made.json'), '{}');

      const drift = dashboardDrift(dir);

      expect(drift.stale).toEqual([first!.file]);
      expect(drift.extra).toEqual(['hand-made.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should include an overview and one dashboard per service kind', () => {
    expect(committed.map((c) => c.json.uid).sort()).toEqual([
      'kingbridge-kafka',
      'kingbridge-overview',
      'kingbridge-sink-kingdee',
      'kingbridge-source-connectors',
      'kingbridge-transform',
    ]);
  });

  it('should have unique dashboard uids and unique panel ids', () => {
    const uids = committed.map((c) => c.json.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const { json } of committed) {
      const ids = json.panels.map((p) => p.id);
      expect(
        ids.every((id) => typeof id === 'number' && id > 0),
        json.uid,
      ).toBe(true);
      expect(new Set(ids).size, json.uid).toBe(ids.length);
    }
  });

  it.each(
    dataPanels.map((p) => [`${p.uid} / ${p.panel.title}`, p.panel] as const),
  )(
    'should have a prometheus datasource and non-empty queries in %s',
    (_, panel) => {
      expect(panel.datasource?.type).toBe('prometheus');
      expect(panel.datasource?.uid).toBe('${datasource}');
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const t of panel.targets ?? []) {
        expect(t.expr?.trim().length).toBeGreaterThan(0);
        expect(t.datasource?.type).toBe('prometheus');
      }
      expect(panel.title?.length).toBeGreaterThan(0);
    },
  );

  it('should place every panel within 24 columns without overlaps', () => {
    for (const { json } of committed) {
      const cells = new Set<string>();
      for (const p of json.panels) {
        const g = p.gridPos;
        expect(g, `${json.uid}/${p.title}`).toBeDefined();
        expect(g!.x).toBeGreaterThanOrEqual(0);
        expect(g!.w).toBeGreaterThan(0);
        expect(g!.h).toBeGreaterThan(0);
        expect(g!.x + g!.w, `${json.uid}/${p.title}`).toBeLessThanOrEqual(24);
        for (let x = g!.x; x < g!.x + g!.w; x++) {
          for (let y = g!.y; y < g!.y + g!.h; y++) {
            const cell = `${x},${y}`;
            expect(
              cells.has(cell),
              `${json.uid}/${p.title} overlaps at ${cell}`,
            ).toBe(false);
            cells.add(cell);
          }
        }
      }
    }
  });

  it('should list every panel query in allPanelQueries', () => {
    const fromJson = dataPanels
      .flatMap(({ panel }) => (panel.targets ?? []).map((t) => t.expr))
      .sort();

    const exported = allPanelQueries()
      .map((q) => q.expr)
      .sort();

    expect(exported).toEqual(fromJson);
    expect(allPanelQueries().every((q) => !q.promql.includes('$'))).toBe(true);
  });

  it('should pass promtool check rules when every panel query is written as a record rule', () => {
    assertPromtoolAvailable();
    const queries = allPanelQueries();

    const result = checkPromqlExpressions(
      queries.map((q) => ({
        name: `${q.dashboardUid}/${q.panelTitle}`,
        expr: q.promql,
      })),
    );

    expect(result.ok, result.output).toBe(true);
    expect(result.output).toContain(`SUCCESS: ${queries.length} rules found`);
  });

  it('should fail the promtool check when a panel query is invalid', () => {
    assertPromtoolAvailable();

    const result = checkPromqlExpressions([
      {
        name: 'broken',
        expr: 'sum by (flow (rate(kingbridge_documents_total[1m]))',
      },
    ]);

    expect(result.ok).toBe(false);
  });

  it('should use only pinned, recorded or standard metrics with their labels in panels and variables', () => {
    const pinned = pinnedMetrics();
    const exposed = new Map(
      pinned.flatMap((m) => exposedSeriesNames(m).map((s) => [s, m] as const)),
    );
    const records = new Set(
      allRuleExpressions()
        .filter((r) => r.kind === 'record')
        .map((r) => r.name),
    );

    for (const q of allPanelQueries()) {
      for (const name of metricNamesInPromql(q.promql)) {
        expect(
          exposed.has(name) || records.has(name) || isStandardMetric(name),
          `${q.panelTitle}: ${name}`,
        ).toBe(true);
      }
      for (const s of selectorsInPromql(q.promql)) {
        const metric = exposed.get(s.name);
        if (!metric) continue;
        for (const label of s.labels) {
          expect(
            allowedLabels(metric, s.name).has(label),
            `${q.panelTitle}: ${s.name}{${label}}`,
          ).toBe(true);
        }
      }
    }
    for (const spec of ALL_DASHBOARDS) {
      for (const v of spec.variables) {
        const m = /^label_values\((\w+), (\w+)\)$/.exec(v.query);
        expect(m, v.query).not.toBeNull();
        const metric = exposed.get(m![1]!);
        expect(metric, v.query).toBeDefined();
        expect(metric!.labels).toContain(m![2]);
      }
    }
  });

  it('should substitute Grafana variables when turning a panel expression into PromQL', () => {
    expect(
      grafanaExprToPromql(
        'sum(rate(x{flow=~"$flow",t=~"${target}"}[$__rate_interval]))',
        '30s',
      ),
    ).toBe('sum(rate(x{flow=~".*",t=~".*"}[30s]))');
  });
});

describe('grafana provisioning', () => {
  const root = resolve(__dirname, '../provisioning');

  it('should provision a prometheus datasource and the generated dashboards folder', () => {
    const ds = parse(
      readFileSync(join(root, 'datasources/prometheus.yaml'), 'utf8'),
    ) as {
      apiVersion: number;
      datasources: Array<{ type: string; url: string; access: string }>;
    };
    const dash = parse(
      readFileSync(join(root, 'dashboards/kingbridge.yaml'), 'utf8'),
    ) as {
      apiVersion: number;
      providers: Array<{ type: string; options: { path: string } }>;
    };

    expect(ds.apiVersion).toBe(1);
    expect(ds.datasources[0]).toMatchObject({
      type: 'prometheus',
      access: 'proxy',
    });
    expect(ds.datasources[0]!.url).toMatch(/^https?:\/\//);
    expect(dash.apiVersion).toBe(1);
    expect(dash.providers[0]).toMatchObject({ type: 'file' });
    expect(dash.providers[0]!.options.path).toMatch(/^\/.+/);
  });
});
