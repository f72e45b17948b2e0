/**
 * The numbers a benchmark result is divided by, computed from the throttling proxy's own
 * bucket table (the stand-in for AWS) and the call record of the same run.
 */
import { BUDGETS, bucketsFor, type BucketName } from '../test/env/aws-proxy/buckets.ts';
import type { RecordedCall } from '../test/env/aws-proxy/server.ts';

/** The slowest bucket for a set of calls, at the controller's share of AWS's rates. */
export interface ColdStartBound {
  /** Seconds the binding bucket needs at least. */
  seconds: number;
  bucket: BucketName | undefined;
  /** Successful calls drawn from that bucket. */
  calls: number;
  /** That bucket's burst and refill per second at the controller's share (and time scale). */
  burst: number;
  ratePerSecond: number;
}

/** A read-only API operation (draws no mutating bucket). */
export const isRead = (operation: string): boolean => /^(Describe|Get|List|Search)/.test(operation);

/**
 * Lower bound on the time the successful mutating calls in `calls` need when the controller
 * may use `share` of every bucket (burst rounded down, at least 1, as the controller's own
 * limiter does), refilled `timeScale` times faster than AWS. Reads are left out on purpose:
 * how many are necessary is a design choice, so the bound stays a true lower bound.
 */
export function coldStartBound(
  calls: readonly RecordedCall[],
  share: number,
  timeScale: number,
): ColdStartBound {
  const counts = new Map<BucketName, number>();
  for (const c of calls) {
    if (c.outcome !== 'ok' || isRead(c.operation)) continue;
    for (const b of bucketsFor(c.service, c.operation)) counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  let best: ColdStartBound = { seconds: 0, bucket: undefined, calls: 0, burst: 0, ratePerSecond: 0 };
  for (const [bucket, n] of counts) {
    const budget = BUDGETS[bucket];
    const burst = Math.max(1, Math.floor(budget.burst * share + 1e-9));
    const ratePerSecond = budget.ratePerSecond * share * timeScale;
    const seconds = Math.max(0, n - burst) / ratePerSecond;
    if (seconds > best.seconds || best.bucket === undefined) {
      best = { seconds, bucket, calls: n, burst, ratePerSecond };
    }
  }
  return best;
}

/** The p-th percentile (0–100, nearest rank) of `values`; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Throttled calls over all calls (0 when there are none). */
export function throttledShare(calls: readonly RecordedCall[]): number {
  if (calls.length === 0) return 0;
  return calls.filter((c) => c.outcome === 'throttled').length / calls.length;
}

/** Throttled calls, their share, and the buckets that refused them. */
export interface ThrottleSummary {
  calls: number;
  total: number;
  share: number;
  byBucket: Record<string, number>;
}

/** Summarises the throttling in `calls`. */
export function throttleSummary(calls: readonly RecordedCall[]): ThrottleSummary {
  const byBucket: Record<string, number> = {};
  let throttled = 0;
  for (const c of calls) {
    if (c.outcome !== 'throttled') continue;
    throttled++;
    const bucket = c.bucket ?? 'fault';
    byBucket[bucket] = (byBucket[bucket] ?? 0) + 1;
  }
  return { calls: throttled, total: calls.length, share: throttledShare(calls), byBucket };
}

/** Percentiles of timed events, in seconds; undefined entries are timeouts. */
export interface LatencySummary {
  changes: number;
  timeouts: number;
  p50Seconds: number;
  p99Seconds: number;
  maxSeconds: number;
}

/** Summarises event durations in ms (undefined = timed out; left out of the percentiles). */
export function latencySummary(ms: readonly (number | undefined)[]): LatencySummary {
  const done = ms.filter((m): m is number => m !== undefined);
  return {
    changes: ms.length,
    timeouts: ms.length - done.length,
    p50Seconds: percentile(done, 50) / 1000,
    p99Seconds: percentile(done, 99) / 1000,
    maxSeconds: percentile(done, 100) / 1000,
  };
}

/** Calls per `service:operation`, most frequent first. */
export function callsByOperation(calls: readonly RecordedCall[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of calls) {
    const key = `${c.service}:${c.operation}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([, a], [, b]) => b - a));
}
