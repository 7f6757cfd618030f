import type { Scenario } from '../lib/types';
import { connectorScenario } from './connector';
import { e2eLatencyScenario } from './e2e-latency';
import { scaleOutScenario } from './scale-out';
import { sinkScenario } from './sink';
import { transformScenario } from './transform';

/** Every scenario after the ceiling, in run order. */
export const SCENARIOS: readonly Scenario[] = [
  transformScenario,
  scaleOutScenario,
  e2eLatencyScenario,
  sinkScenario,
  connectorScenario,
];
