import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

/** Folder of the rule files (deploy/prometheus/rules). */
export const RULES_DIR = join(__dirname, 'rules');

/** Rule files loaded by every Prometheus config, in load order. */
export const RULE_FILES = ['recording.yml', 'alerts.yml'] as const;

const ruleSchema = z.union([
  z.object({
    record: z.string().min(1),
    expr: z.string().min(1),
    labels: z.record(z.string(), z.string()).optional(),
  }),
  z.object({
    alert: z.string().min(1),
    expr: z.string().min(1),
    for: z.string().optional(),
    labels: z.record(z.string(), z.string()),
    annotations: z.record(z.string(), z.string()),
  }),
]);

export const ruleFileSchema = z.object({
  groups: z.array(
    z.object({
      name: z.string().min(1),
      interval: z.string().optional(),
      rules: z.array(ruleSchema).min(1),
    }),
  ),
});
export type RuleFile = z.infer<typeof ruleFileSchema>;

export interface RuleExpression {
  readonly file: string;
  readonly group: string;
  readonly kind: 'record' | 'alert';
  /** Recorded metric name or alert name. */
  readonly name: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly for?: string;
}

export function loadRuleFile(file: string): RuleFile {
  return ruleFileSchema.parse(
    parse(readFileSync(join(RULES_DIR, file), 'utf8')),
  );
}

/**
 * Every recording and alerting rule of deploy/prometheus/rules, with its
 * PromQL expression. Used by the rule tests and by the end-to-end test that
 * asks a live Prometheus for each expression.
 */
export function allRuleExpressions(): RuleExpression[] {
  const out: RuleExpression[] = [];
  for (const file of RULE_FILES) {
    for (const group of loadRuleFile(file).groups) {
      for (const rule of group.rules) {
        const common = { file, group: group.name, expr: rule.expr.trim() };
        if ('record' in rule) {
          out.push({
            ...common,
            kind: 'record',
            name: rule.record,
            labels: rule.labels ?? {},
            annotations: {},
          });
        } else {
          out.push({
            ...common,
            kind: 'alert',
            name: rule.alert,
            labels: rule.labels,
            annotations: rule.annotations,
            ...(rule.for === undefined ? {} : { for: rule.for }),
          });
        }
      }
    }
  }
  return out;
}

/** Names of all alerts (each once, even when several rules share a name). */
export function allAlertNames(): string[] {
  return [
    ...new Set(
      allRuleExpressions()
        .filter((r) => r.kind === 'alert')
        .map((r) => r.name),
    ),
  ];
}

/** `KingbridgeServiceDown` -> `kingbridge-service-down` (the runbook file name). */
export function runbookSlug(alertName: string): string {
  return alertName.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
