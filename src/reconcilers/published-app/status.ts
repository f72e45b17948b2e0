/**
 * PublishedApp status from what one reconcile found and did: the aspect conditions,
 * the `Ready` summary and the observed fields. Pure (the clock is an argument).
 */
import type { PublishedAppStatus } from '../../api/v1alpha1.ts';
import { PUBLISHED_APP_CONDITIONS as C } from '../../api/kinds.ts';
import { rfc3339, setCondition, type ConditionInput } from '../../controller/conditions.ts';
import { jsonEqual, toJson } from '../../controller/json.ts';
import type { Condition } from '../../controller/types.ts';

/**
 * The parts of the app whose conditions the reconciler reports, in dependency order. `api`
 * (the route on the SharedListener's HTTP API) only applies behind the API front door.
 */
export const ASPECTS = ['endpoint', 'securityGroups', 'targets', 'route', 'api'] as const;
export type Aspect = (typeof ASPECTS)[number];

/** The aspects of an app without the API front door. */
export const ALB_ASPECTS: readonly Aspect[] = ['endpoint', 'securityGroups', 'targets', 'route'];

const CONDITION_TYPE: Record<Aspect, string> = {
  endpoint: C.endpointAvailable,
  securityGroups: C.securityGroupsSynced,
  targets: C.targetsSynced,
  route: C.routeConfigured,
  api: C.apiRouteConfigured,
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
  /** The aspects that apply to the app; the others' conditions are removed. */
  aspects: readonly Aspect[];
}

/** An empty report for an app with these aspects (default: no API front door). */
export function newReport(aspects: readonly Aspect[] = ALB_ASPECTS): SyncReport {
  return { fields: {}, verdicts: {}, refused: [], aspects };
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

function readyVerdict(verdicts: Partial<Record<Aspect, Verdict>>, aspects: readonly Aspect[]): Verdict {
  const all = aspects.map((a) => ({ a, v: verdicts[a] ?? NOT_REACHED }));
  // A definite failure says more than an aspect not reached because of it.
  const blocking = all.find(({ v }) => v.status === 'False') ?? all.find(({ v }) => v.status !== 'True');
  if (!blocking)
    return {
      status: 'True',
      reason: 'Ready',
      message: aspects.includes('api')
        ? 'endpoint, security groups, targets, route and API route are in place'
        : 'endpoint, security groups, targets and route are in place',
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

/** The conditions of the report's aspects and Ready, set from its verdicts; other aspects' removed. */
function nextConditions(
  previous: PublishedAppStatus | undefined,
  report: SyncReport,
  generation: number | undefined,
  now: Date,
): Condition[] {
  const { verdicts, aspects } = report;
  const dropped = ASPECTS.filter((a) => !aspects.includes(a)).map((a) => CONDITION_TYPE[a]);
  let conditions = (previous?.conditions ?? []).filter((c) => !dropped.includes(c.type));
  for (const aspect of aspects) {
    const v = verdicts[aspect] ?? NOT_REACHED;
    conditions = setCondition(conditions, { type: CONDITION_TYPE[aspect], ...v }, generation, now);
  }
  return setCondition(conditions, { type: C.ready, ...readyVerdict(verdicts, aspects) }, generation, now);
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
    conditions: nextConditions(previous, report, generation, now),
  };
  return { ...next, lastSyncTime: lastSyncTime(next, input) };
}

function withoutSyncTime(s: PublishedAppStatus | undefined): PublishedAppStatus {
  if (!s) return {};
  const { lastSyncTime: _omit, ...rest } = s;
  return rest;
}
