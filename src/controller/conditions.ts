/**
 * `metav1.Condition` helpers. Pure: the caller passes the clock reading, so the same inputs
 * always give the same list (and an unchanged status never produces a status write).
 */
import type { Condition } from './types.ts';

/** The parts of a condition a reconciler decides; the rest is derived. */
export interface ConditionInput {
  type: string;
  status: Condition['status'];
  reason: string;
  message: string;
}

/**
 * Returns `conditions` with `input` set (replacing the entry of the same type, or appended).
 * lastTransitionTime is kept unless the status flips (or the condition is new), in which case
 * it becomes `now` (RFC 3339, second precision as the API server stores it).
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  input: ConditionInput,
  observedGeneration: number | undefined,
  now: Date,
): Condition[] {
  const list = conditions ?? [];
  const prev = list.find((c) => c.type === input.type);
  const next: Condition = {
    type: input.type,
    status: input.status,
    reason: input.reason,
    message: input.message,
    lastTransitionTime: prev && prev.status === input.status ? prev.lastTransitionTime : rfc3339(now),
    ...(observedGeneration === undefined ? {} : { observedGeneration }),
  };
  return prev ? list.map((c) => (c === prev ? next : c)) : [...list, next];
}

/** @returns the condition of `type`, if present. */
export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** @returns true when the condition of `type` exists with status True. */
export function isTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/** RFC 3339 without fractional seconds (metav1.Time's wire format). */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
