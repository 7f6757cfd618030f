import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  LATENCY_BUCKETS_SECONDS,
  LATENCY_SLO_THRESHOLD_SECONDS,
} from '@kingbridge/status-exporter';
import {
  allAlertNames,
  allRuleExpressions,
  RULE_FILES,
  RULES_DIR,
  runbookSlug,
} from '../rule-expressions';
import {
  allowedLabels,
  exposedSeriesNames,
  isStandardMetric,
  metricNamesInPromql,
  pinnedMetrics,
  selectorsInPromql,
} from '../promql-metrics.util';
import { assertPromtoolAvailable, runPromtool } from '../promtool.util';

const PROMETHEUS_DIR = resolve(__dirname, '..');
const REPO_ROOT = resolve(__dirname, '../../..');
const TEST_FILES = readdirSync(RULES_DIR).filter((f) =>
  f.endsWith('.test.yml'),
);
const CONFIG_FILES = [
  join(PROMETHEUS_DIR, 'prometheus.docker.yml'),
  join(PROMETHEUS_DIR, 'prometheus.k8s.yml'),
  join(REPO_ROOT, 'deploy/local/prometheus/prometheus.yml'),
].filter((f) => existsSync(f) || !f.includes('deploy/local'));

interface AlertRuleTest {
  alertname: string;
  exp_alerts?: Array<{ exp_labels?: Record<string, string> }>;
}
interface RuleTestFile {
  tests: Array<{ alert_rule_test?: AlertRuleTest[] }>;
}

function alertRuleTests(): AlertRuleTest[] {
  return TEST_FILES.flatMap((f) => {
    const doc = parse(readFileSync(join(RULES_DIR, f), 'utf8')) as RuleTestFile;
    return doc.tests.flatMap((t) => t.alert_rule_test ?? []);
  });
}

describe('prometheus rules and configs (promtool)', () => {
  beforeAll(() => assertPromtoolAvailable());

  it('should pass promtool check rules when given the rule files', () => {
    const result = runPromtool(['check', 'rules', ...RULE_FILES], RULES_DIR);

    expect(result.output).toContain('SUCCESS');
    expect(result.ok, result.output).toBe(true);
  });

  it.each(TEST_FILES)(
    'should pass promtool test rules when given %s',
    (file) => {
      const result = runPromtool(['test', 'rules', file], RULES_DIR);

      expect(result.ok, result.output).toBe(true);
    },
  );

  it.each(CONFIG_FILES)(
    'should pass promtool check config when given %s',
    (file) => {
      const result = runPromtool(['check', 'config', file]);

      expect(result.ok, result.output).toBe(true);
    },
  );

  it('should fail promtool test rules when an expectation is wrong', () => {
    // Guards against a promtool invocation that passes whatever the rules do.
    const result = runPromtool([
      'test',
      'rules',
      join(__dirname, 'fixtures', 'wrong-expectation.test.yml'),
    ]);

    expect(result.ok).toBe(false);
    expect(result.output).toContain('KingbridgeServiceDown');
  });
});

describe('prometheus configs', () => {
  it.each(CONFIG_FILES)(
    'should load exactly the rule files when reading %s',
    (file) => {
      const config = parse(readFileSync(file, 'utf8')) as {
        rule_files?: string[];
      };

      const names = (config.rule_files ?? []).map((f) => f.split('/').pop());

      expect(names).toEqual([...RULE_FILES]);
    },
  );
});

describe('alert rules', () => {
  const alerts = allRuleExpressions().filter((r) => r.kind === 'alert');

  it.each(alerts.map((a) => [`${a.name}/${a.labels['severity']}`, a] as const))(
    'should have severity, summary, description and a runbook when defining %s',
    (_, alert) => {
      expect(['critical', 'warning', 'info']).toContain(
        alert.labels['severity'],
      );
      expect(alert.annotations['summary']?.length).toBeGreaterThan(10);
      expect(alert.annotations['description']?.length).toBeGreaterThan(30);
      const runbook = `docs/runbooks/${runbookSlug(alert.name)}.md`;
      expect(alert.annotations['runbook_url']).toBe(runbook);
      const text = readFileSync(join(REPO_ROOT, runbook), 'utf8');
      expect(text).toContain(`# ${alert.name}`);
      for (const section of ['## Meaning', '## Check', '## Fix', '## Replay']) {
        expect(text, `${runbook} lacks "${section}"`).toContain(section);
      }
    },
  );

  it.each(allAlertNames())(
    'should have a firing and a quiet promtool case when testing %s',
    (name) => {
      const cases = alertRuleTests().filter((t) => t.alertname === name);

      expect(
        cases.some((c) => (c.exp_alerts ?? []).length > 0),
        `${name}: no case where it fires`,
      ).toBe(true);
      expect(
        cases.some((c) => (c.exp_alerts ?? []).length === 0),
        `${name}: no case where it stays quiet`,
      ).toBe(true);
    },
  );

  it('should list every alert in the runbook index', () => {
    const index = readFileSync(
      join(REPO_ROOT, 'docs/runbooks/README.md'),
      'utf8',
    );

    for (const name of allAlertNames()) {
      expect(index, `docs/runbooks/README.md lacks ${name}`).toContain(
        `| ${name} |`,
      );
      expect(index).toContain(`(${runbookSlug(name)}.md)`);
    }
  });

  it('should test every severity of an alert that has several rules', () => {
    const fired = new Set(
      alertRuleTests().flatMap((t) =>
        (t.exp_alerts ?? []).map(
          (a) => `${t.alertname}/${a.exp_labels?.['severity'] ?? ''}`,
        ),
      ),
    );

    for (const alert of alerts)
      expect(fired).toContain(`${alert.name}/${alert.labels['severity']}`);
  });
});

describe('metric names in rules', () => {
  const pinned = pinnedMetrics();
  const records = new Set(
    allRuleExpressions()
      .filter((r) => r.kind === 'record')
      .map((r) => r.name),
  );
  const exposed = new Map(
    pinned.flatMap((m) => exposedSeriesNames(m).map((s) => [s, m] as const)),
  );

  it('should read the pinned metric table from CONTRIBUTING.md', () => {
    expect(pinned.length).toBeGreaterThanOrEqual(30);
    expect(
      exposed.has('kingbridge_source_to_kingdee_latency_seconds_bucket'),
    ).toBe(true);
  });

  it.each(allRuleExpressions().map((r) => [r.name, r] as const))(
    'should use only pinned, recorded or standard metrics when evaluating %s',
    (_, rule) => {
      for (const name of metricNamesInPromql(rule.expr)) {
        const known =
          exposed.has(name) || records.has(name) || isStandardMetric(name);
        expect(known, `${rule.name}: unknown metric ${name}`).toBe(true);
      }
      for (const selector of selectorsInPromql(rule.expr)) {
        const metric = exposed.get(selector.name);
        if (!metric) continue;
        const allowed = allowedLabels(metric, selector.name);
        for (const label of selector.labels) {
          expect(
            allowed.has(label),
            `${rule.name}: ${selector.name} has no label ${label}`,
          ).toBe(true);
        }
      }
    },
  );

  it('should name recording rules level:metric:operations', () => {
    for (const name of records)
      expect(name).toMatch(/^[a-z_]+:kingbridge_[a-z0-9_]+:[a-z0-9_]+$/);
  });

  it('should read the SLO bucket the status exporter actually exposes', () => {
    const sloRules = allRuleExpressions().filter((r) =>
      r.name.includes('slow_ratio'),
    );

    expect(LATENCY_BUCKETS_SECONDS).toContain(LATENCY_SLO_THRESHOLD_SECONDS);
    expect(sloRules.length).toBe(4);
    for (const rule of sloRules)
      expect(rule.expr).toContain(`le="${LATENCY_SLO_THRESHOLD_SECONDS}"`);
  });
});
