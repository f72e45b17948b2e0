/**
 * PublishedApp status from what one reconcile found and did: the four aspect conditions,
 * the `Ready` summary and the observed fields. Pure (the clock is an argument).
 */
import type { PublishedAppStatus } from '../../api/v1alpha1.ts';
import { PUBLISHED_APP_CONDITIONS as C } from '../../api/kinds.ts';
import { rfc3339, setCondition, type ConditionInput } from '../../controller/conditions.ts';
import { jsonEqual, toJson } from '../../controller/json.ts';
import type { Condition } from '../../controller/types.ts';

/** The parts of the app whose conditions the reconciler reports, in dependency order. */
export const ASPECTS = ['endpoint', 'securityGroups', 'targets', 'route'] as const;
export type Aspect = (typeof ASPECTS)[number];

const CONDITION_TYPE: Record<Aspect, string> = {
  endpoint: C.endpointAvailable,
  securityGroups: C.securityGroupsSynced,
  targets: C.targetsSynced,
  route: C.routeConfigured,
};

/** A condition's verdict without its type. */
export type Verdict = Omit<ConditionInput, 'type'>;

/** What a reconcile found; absent fields keep their previous status value. */
export interface SyncReport {
  fields: Omit<PublishedAppStatus, 'conditions' | 'observedGeneration' | 'lastSyncTime'>;
  verdicts: Partial<Record<Aspect, Verdict>>;
  /**
   * Aspects whose False verdict is a refused part of the spec, the rest of the aspect held:
   * no retry can help, so the app counts as converged as far as the world allows.
   */
  refused: Aspect[];
}

export function newReport(): SyncReport {
  return { fields: {}, verdicts: {}, refused: [] };
}

/** Condition type of an aspect (for reading the previous one). */
export function conditionType(aspect: Aspect): string {
  return CONDITION_TYPE[aspect];
}

const NOT_REACHED: Verdict = {
  status: 'Unknown',
  reason: 'NotReached',
  message: 'an earlier step has not completed',
};

function readyVerdict(verdicts: Partial<Record<Aspect, Verdict>>): Verdict {
  const all = ASPECTS.map((a) => ({ a, v: verdicts[a] ?? NOT_REACHED }));
  // A definite failure says more than an aspect not reached because of it.
  const blocking = all.find(({ v }) => v.status === 'False') ?? all.find(({ v }) => v.status !== 'True');
  if (!blocking)
    return {
      status: 'True',
      reason: 'Ready',
      message: 'endpoint, security groups, targets and route are in place',
    };
  return {
    status: 'False',
    reason: blocking.v.reason,
    message: `${CONDITION_TYPE[blocking.a]}: ${blocking.v.message}`,
  };
}

export interface BuildStatusInput {
  previous: PublishedAppStatus | undefined;
  report: SyncReport;
  generation: number | undefined;
  now: Date;
  /** Refresh lastSyncTime at least this often even when nothing else changes. */
  syncTimeRefreshMs: number;
}

/** The four aspect conditions and Ready, set from the report's verdicts. */
function nextConditions(
  previous: PublishedAppStatus | undefined,
  verdicts: SyncReport['verdicts'],
  generation: number | undefined,
  now: Date,
): Condition[] {
  let conditions = previous?.conditions ?? [];
  for (const aspect of ASPECTS) {
    const v = verdicts[aspect] ?? NOT_REACHED;
    conditions = setCondition(conditions, { type: CONDITION_TYPE[aspect], ...v }, generation, now);
  }
  return setCondition(conditions, { type: C.ready, ...readyVerdict(verdicts) }, generation, now);
}

/**
 * The previous lastSyncTime while nothing else changed and it is younger than
 * `syncTimeRefreshMs`; else now.
 */
function lastSyncTime(next: PublishedAppStatus, input: BuildStatusInput): string {
  const { previous, now } = input;
  const last = previous?.lastSyncTime;
  const previousSync = last ? Date.parse(last) : undefined;
  const unchanged = jsonEqual(toJson(next), toJson(withoutSyncTime(previous)));
  const fresh = previousSync !== undefined && now.getTime() - previousSync < input.syncTimeRefreshMs;
  return unchanged && fresh && last ? last : rfc3339(now);
}

/**
 * The status to write. Aspects the reconcile did not reach are `Unknown`/`NotReached`.
 * lastSyncTime moves when anything else in the status changes, and otherwise at most every
 * `syncTimeRefreshMs`, so an unchanged object does not cost a status write per resync.
 */
export function buildStatus(input: BuildStatusInput): PublishedAppStatus {
  const { previous, report, generation, now } = input;
  const next: PublishedAppStatus = {
    ...withoutSyncTime(previous),
    ...report.fields,
    observedGeneration: generation,
    conditions: nextConditions(previous, report.verdicts, generation, now),
  };
  return { ...next, lastSyncTime: lastSyncTime(next, input) };
}

function withoutSyncTime(s: PublishedAppStatus | undefined): PublishedAppStatus {
  if (!s) return {};
  const { lastSyncTime: _omit, ...rest } = s;
  return rest;
}
