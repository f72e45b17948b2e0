/**
 * Where the app's rule may sit on the listener: its priority (explicit from the spec, or
 * allocated deterministically and kept stable) and its paths. Clashes are resolved so that
 * only the later claimant reports `PriorityConflict` / `PathConflict`. Pure.
 */
import type { RuleConditions } from './plan-rule.ts';

/** Who a non-default rule on the listener belongs to. */
export type RuleOwner = { kind: 'self' } | { kind: 'app'; app: string } | { kind: 'foreign' };

/** A non-default rule on the listener. */
export interface RuleSlot {
  arn: string;
  priority: number;
  owner: RuleOwner;
  conditions: RuleConditions;
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
  /**
   * Other apps on the listener waiting for an allocated priority (none explicit, none
   * recorded, no rule yet). Each takes the next free priority in rank order, so apps placed
   * at the same moment by parallel workers pick different ones instead of racing for the
   * lowest (every loser of such a race costs a refused CreateRule and a retry). Default none.
   */
  queue?: readonly AppRank[];
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

/** How a conflict names the rule in the way. */
export function describeHolder(slot: RuleSlot): string {
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
 * is, else the recorded one if still free, else a priority in the allocation range that no
 * other rule uses and no other app claims — the lowest, or the n-th lowest when n queued apps
 * rank before this one (the last free one when there are fewer).
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
  const ahead = (input.queue ?? []).filter((r) => compareRank(r, input.self) < 0).length;
  let last: number | undefined;
  let skipped = 0;
  for (let p = input.allocation.min; p <= input.allocation.max; p++) {
    if (taken.has(p)) continue;
    if (skipped++ === ahead) return { kind: 'use', priority: p };
    last = p;
  }
  return last === undefined ? { kind: 'exhausted' } : { kind: 'use', priority: last };
}

/** Another PublishedApp's claim on paths of the same listener (its spec). */
export interface PathClaim {
  rank: AppRank;
  conditions: RuleConditions;
}

export interface PathInput {
  self: AppRank;
  /** The conditions the app's rule is to have. */
  want: RuleConditions;
  slots: readonly RuleSlot[];
  claims: readonly PathClaim[];
}

export type PathDecision = { kind: 'free' } | { kind: 'conflict'; path: string; holder: string };

/** Host headers are case-insensitive; no host condition matches every host. */
function hostsOverlap(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return true;
  const lower = new Set(a.map((h) => h.toLowerCase()));
  return b.some((h) => lower.has(h.toLowerCase()));
}

/** Whether a rule (or claim) with `conditions` serves `pattern` for some of `hosts`. */
function serves(conditions: RuleConditions, pattern: string, hosts: readonly string[]): boolean {
  return conditions.pathPatterns.includes(pattern) && hostsOverlap(conditions.hostHeaders, hosts);
}

/**
 * Judges each path pattern like an explicit priority: ours when our rule serves it, or no
 * other rule serves it and no earlier app claims it. A rule that already serves it (foreign
 * or another app's) keeps it. Only identical patterns clash (with overlapping host headers);
 * conditions other than path and host are not compared.
 */
export function decidePath(input: PathInput): PathDecision {
  const hosts = input.want.hostHeaders;
  for (const path of input.want.pathPatterns) {
    const serving = input.slots
      .filter((s) => serves(s.conditions, path, hosts))
      .sort((a, b) => a.priority - b.priority);
    if (serving.some((s) => s.owner.kind === 'self')) continue;
    const holder = serving[0];
    if (holder) return { kind: 'conflict', path, holder: describeHolder(holder) };
    const earlier = input.claims
      .filter((c) => serves(c.conditions, path, hosts) && compareRank(c.rank, input.self) < 0)
      .sort((a, b) => compareRank(a.rank, b.rank))[0];
    if (earlier) return { kind: 'conflict', path, holder: `PublishedApp ${earlier.rank.key}` };
  }
  return { kind: 'free' };
}
