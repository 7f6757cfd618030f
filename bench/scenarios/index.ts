import type { Scenario } from '../lib/types';
import { sinkScenario } from './sink';
import { transformScenario } from './transform';

/** Every scenario after the ceiling, in run order. */
export const SCENARIOS: readonly Scenario[] = [transformScenario, sinkScenario];
