/**
 * Counts over a call record, for the figures the benchmark and the reliability suites
 * report: throttled share, faults injected, calls per operation.
 */
import type { FaultKind } from './faults.ts';
import type { CallOutcome, RecordedCall } from './server.ts';

/** Counts per outcome. */
export type OutcomeCounts = Record<CallOutcome, number>;

/** What {@link summarizeCalls} returns. */
export interface CallSummary {
  total: number;
  outcomes: OutcomeCounts;
  /** Calls refused by a bucket over all calls (injected throttles are faults, not counted). */
  throttledShare: number;
  /** Injected faults by kind, latency-only included. */
  faults: Record<FaultKind, number>;
  /** Per `service:operation`. */
  operations: Record<string, OutcomeCounts>;
}

const noOutcomes = (): OutcomeCounts => ({ ok: 0, error: 0, throttled: 0, fault: 0 });

/** Summarizes `calls` (e.g. one account's, filtered by the caller). */
export function summarizeCalls(calls: readonly RecordedCall[]): CallSummary {
  const outcomes = noOutcomes();
  const faults: Record<FaultKind, number> = {
    throttle: 0,
    error500: 0,
    accessDenied: 0,
    latency: 0,
    reset: 0,
    lostResponse: 0,
  };
  const operations: Record<string, OutcomeCounts> = {};
  for (const call of calls) {
    outcomes[call.outcome]++;
    if (call.fault) faults[call.fault]++;
    const key = `${call.service}:${call.operation}`;
    (operations[key] ??= noOutcomes())[call.outcome]++;
  }
  return {
    total: calls.length,
    outcomes,
    throttledShare: calls.length === 0 ? 0 : outcomes.throttled / calls.length,
    faults,
    operations,
  };
}
