export * from './plan/sync-plan.schema';
export * from './plan/load-plans';
export * from './plan/merge-overrides';
export * from './mapping/plan-compile.error';
export {
  compileConditions,
  applyConditions,
  type CompiledConditions,
  type FilterResult,
} from './mapping/condition';
export * from './lookup/lookup-provider';
export * from './lookup/cached-lookup-provider';
export * from './merge/windowed-merger';
export * from './merge/merge-state.schema';
export * from './flow/flow-transformer';
export {
  parseExpression,
  type ExprNode,
  type ExpressionScope,
} from './expression/expression-parser';
export { evaluate, type EvalContext } from './expression/expression-evaluator';
export {
  ExpressionSyntaxError,
  ExpressionEvaluationError,
} from './expression/expression.error';
export { EXPRESSION_FUNCTIONS } from './expression/expression-functions';
export { Decimal } from './util/decimal';
export { FORBIDDEN_NAMES } from './util/forbidden-names.constant';
export {
  formatDateTime,
  parseDateTime,
  parseDuration,
  zoneOffsetMinutes,
} from './util/date-time.util';
export * from './lookup/k3cloud-lookup.loader';
export * from './lookup/routing-lookup.provider';
