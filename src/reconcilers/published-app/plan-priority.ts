/**
 * Listener rule priority: explicit from the spec, or allocated deterministically and kept
 * stable; clashes resolved so that only the later claimant reports `PriorityConflict`. Pure.
 */

/** Who a non-default rule on the listener belongs to. */
export type RuleOwner = { kind: 'self' } | { kind: 'app'; app: string } | { kind: 'foreign' };

/** A non-default rule on the listener. */
export interface RuleSlot {
  arn: string;
  priority: number;
  owner: RuleOwner;
}

/** Order among PublishedApps: older first, then by `namespace/name`. */
export interface AppRank {
  createdAtMs: number;
  key: string;
}

/** Another PublishedApp's claim on a priority of the same listener (spec or status). */
export interface PriorityClaim {
  rank: AppRank;
  priority: number;
}

export interface PriorityInput {
  self: AppRank;
  /** `spec.routing.priority`. */
  explicit?: number;
  /** `status.priority`: what was allocated before. */
  recorded?: number;
  /** Where our rule sits now, when it exists. */
  ownRulePriority?: number;
  slots: readonly RuleSlot[];
  claims: readonly PriorityClaim[];
  /** Range allocation searches, lowest first. */
  allocation: { min: number; max: number };
}

export type PriorityDecision =
  | { kind: 'use'; priority: number }
  | { kind: 'conflict'; priority: number; holder: string }
  | { kind: 'exhausted' };

/** @returns negative when `a` ranks before `b`. */
export function compareRank(a: AppRank, b: AppRank): number {
  return a.createdAtMs - b.createdAtMs || a.key.localeCompare(b.key);
}

function describeHolder(slot: RuleSlot): string {
  return slot.owner.kind === 'app' ? `PublishedApp ${slot.owner.app}` : `rule ${slot.arn}`;
}

/**
 * An explicit priority is ours when our rule holds it, or nobody holds it and no earlier
 * app claims it. A rule that already holds it (foreign or another app's) keeps it: a live
 * route is never taken away because someone else asked for its slot later.
 */
function judgeExplicit(input: PriorityInput, priority: number): PriorityDecision {
  const holder = input.slots.find((s) => s.priority === priority);
  if (holder) {
    return holder.owner.kind === 'self'
      ? { kind: 'use', priority }
      : { kind: 'conflict', priority, holder: describeHolder(holder) };
  }
  const earlier = input.claims
    .filter((c) => c.priority === priority && compareRank(c.rank, input.self) < 0)
    .sort((a, b) => compareRank(a.rank, b.rank))[0];
  if (earlier) return { kind: 'conflict', priority, holder: `PublishedApp ${earlier.rank.key}` };
  return { kind: 'use', priority };
}

/**
 * Decides the priority of the app's rule. Without an explicit one: where our rule already
 * is, else the recorded one if still free, else the lowest priority in the allocation range
 * that no other rule uses and no other app claims.
 */
export function decidePriority(input: PriorityInput): PriorityDecision {
  if (input.explicit !== undefined) return judgeExplicit(input, input.explicit);
  if (input.ownRulePriority !== undefined) return { kind: 'use', priority: input.ownRulePriority };
  const taken = new Set<number>([
    ...input.slots.filter((s) => s.owner.kind !== 'self').map((s) => s.priority),
    ...input.claims.map((c) => c.priority),
  ]);
  if (input.recorded !== undefined && !taken.has(input.recorded))
    return { kind: 'use', priority: input.recorded };
  for (let p = input.allocation.min; p <= input.allocation.max; p++) {
    if (!taken.has(p)) return { kind: 'use', priority: p };
  }
  return { kind: 'exhausted' };
}
