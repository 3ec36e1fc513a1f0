/**
 * What one measured run produces: one line of the report and one element of the JSON results.
 */
import type { ClosedLoopResult } from './closedLoopLoad.js';
import type { IdleResult } from './idleScenario.js';

export interface LoadRunResult {
  readonly kind: 'load';
  readonly scenario: 'one-group' | 'many-groups';
  readonly label: string;
  readonly load: ClosedLoopResult;
}

export interface IdleRunResult {
  readonly kind: 'idle';
  readonly scenario: 'idle';
  readonly label: string;
  readonly idle: IdleResult;
}

export type RunResult = LoadRunResult | IdleRunResult;
