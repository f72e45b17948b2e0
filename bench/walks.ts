/**
 * The pure arithmetic of the steady-state figures that a short window cannot see directly:
 * when the cold start has settled, what one full walk of an unchanged app costs, and the
 * full walks' cost amortised over the controller's full-recheck period.
 */
import type { RecordedCall } from '../test/env/aws-proxy/server.ts';
import { isRead } from './bounds.ts';

/** What the observation loop calls; everything else comes from a reconcile of some app. */
const OBSERVATION_OPERATIONS = new Set([
  'DescribeVpcEndpoints',
  'DescribeSecurityGroups',
  'DescribeRules',
  'DescribeTargetGroups',
]);

/**
 * Time of the last call in `calls` (any outcome) that a reconcile made — a write, or a read
 * the observation loop never makes (DescribeTargetHealth, …) — or undefined when there is
 * none. Writes alone are not enough: after a cold start the verification passes the writes
 * asked for are read-only, and at N = 300 they ran for minutes after the last write.
 */
export function lastReconcileCallAt(calls: readonly RecordedCall[]): number | undefined {
  let last: number | undefined;
  for (const c of calls) {
    const reconcile = !isRead(c.operation) || !OBSERVATION_OPERATIONS.has(c.operation);
    if (reconcile && (last === undefined || c.time > last)) last = c.time;
  }
  return last;
}

/**
 * Sum of a Prometheus counter or gauge over the series whose labels include `labels`, read
 * from the text exposition format; 0 when no series matches.
 */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m?.[1] !== name) continue;
    const have = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

/** What a window with full walks in it measured. */
export interface WalkWindow {
  /** The controller's AWS calls in the window. */
  calls: number;
  seconds: number;
  /** Reconciles completed in the window (each a full walk, by the probe's choice of periods). */
  walks: number;
  /** The observation's own rate, measured in a window without full walks. */
  observationCallsPerSecond: number;
}

/**
 * AWS calls per full walk: the window's calls less what the observation alone would have
 * made in it, over the walks. NaN without walks; never below 0.
 */
export function callsPerWalk(w: WalkWindow): number {
  if (w.walks <= 0) return NaN;
  return Math.max(0, w.calls - w.observationCallsPerSecond * w.seconds) / w.walks;
}

/**
 * Calls per second that full walks add in steady state: each of `apps` is walked once per
 * `fullRecheckSeconds` on average (the ±20 % jitter averages out).
 */
export function amortisedWalkCallsPerSecond(
  apps: number,
  perWalk: number,
  fullRecheckSeconds: number,
): number {
  return (apps * perWalk) / fullRecheckSeconds;
}
