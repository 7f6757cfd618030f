/** What other projects reuse of deploy/: the Prometheus rules and API helpers, the dashboards' panel queries. */
export { allPanelQueries, grafanaExprToPromql } from './grafana/panel-queries';
export {
  loadedRules,
  queryPrometheus,
  resultSize,
  startPrometheus,
  startReadyProcess,
  type PrometheusProcess,
  type QueryResponse,
} from './prometheus/prometheus-api.util';
export {
  RULES_DIR,
  RULE_FILES,
  allAlertNames,
  allRuleExpressions,
  loadRuleFile,
  type RuleExpression,
} from './prometheus/rule-expressions';
