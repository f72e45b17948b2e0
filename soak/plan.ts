/**
 * The soak's pure planner: which action comes next (weighted, drawn from a seeded PRNG), how a
 * spec edit changes a spec, and which fault rules an episode turns on. No I/O: the same seed
 * and the same state give the same plan.
 */
import type { PublishedAppSpec } from '../src/api/v1alpha1.ts';
import type { FaultKind, FaultRule } from '../test/env/aws-proxy/faults.ts';

/** Spec edits: one PATCH of the app's spec. */
export const SPEC_EDITS = [
  'editPaths',
  'addSubnet',
  'removeSubnet',
  'editHealthCheck',
  'editDeregistrationDelay',
  'editTags',
] as const;
/** Out-of-band changes straight to moto, behind the controller's back. */
export const DRIFTS = [
  'driftDeleteRule',
  'driftDeregisterTarget',
  'driftRevokeIngress',
  'driftRulePath',
  'driftRulePriority',
  'driftDeleteEndpoint',
] as const;
export const LIFECYCLE = ['delete', 'recreate'] as const;
export const FAULT_TOGGLES = ['faultsOn', 'faultsOff'] as const;

export type SpecEdit = (typeof SPEC_EDITS)[number];
export type Drift = (typeof DRIFTS)[number];
export type ActionKind = SpecEdit | Drift | (typeof LIFECYCLE)[number] | (typeof FAULT_TOGGLES)[number];

/** Relative weights: about half spec edits, a third drift, the rest lifecycle and faults. */
export const WEIGHTS: Readonly<Record<ActionKind, number>> = {
  editPaths: 8,
  addSubnet: 4,
  removeSubnet: 4,
  editHealthCheck: 6,
  editDeregistrationDelay: 4,
  editTags: 6,
  driftDeleteRule: 3,
  driftDeregisterTarget: 3,
  driftRevokeIngress: 3,
  driftRulePath: 3,
  driftRulePriority: 3,
  driftDeleteEndpoint: 3,
  delete: 3,
  recreate: 3,
  faultsOn: 4,
  faultsOff: 3,
};

/** What the planner needs to know of the run's state. */
export interface PlanState {
  /** Apps that exist (or are being created). */
  present: readonly string[];
  /** Apps deleted and not re-created yet. */
  absent: readonly string[];
  faultsOn: boolean;
}

/** One planned action; `app` for everything but the fault toggles. */
export interface Action {
  kind: ActionKind;
  app?: string;
}

export type Random = () => number;

/** An element of `items` (non-empty), uniformly. */
export function pick<T>(random: Random, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[Math.min(items.length - 1, Math.floor(random() * items.length))]!;
}

/** Kinds possible in `state`: no recreate without an absent app, no toggle to the current state, at least one app kept. */
export function possibleKinds(state: PlanState): ActionKind[] {
  return (Object.keys(WEIGHTS) as ActionKind[]).filter((kind) => {
    if (kind === 'recreate') return state.absent.length > 0;
    if (kind === 'faultsOn') return !state.faultsOn;
    if (kind === 'faultsOff') return state.faultsOn;
    if (kind === 'delete') return state.present.length > 1;
    return state.present.length > 0;
  });
}

/** The next action: a kind drawn by weight among the possible ones, then its app. */
export function nextAction(random: Random, state: PlanState): Action {
  const kinds = possibleKinds(state);
  const total = kinds.reduce((s, k) => s + WEIGHTS[k], 0);
  let x = random() * total;
  let kind = kinds[kinds.length - 1]!;
  for (const k of kinds) {
    x -= WEIGHTS[k];
    if (x < 0) {
      kind = k;
      break;
    }
  }
  if (kind === 'faultsOn' || kind === 'faultsOff') return { kind };
  return { kind, app: pick(random, kind === 'recreate' ? state.absent : state.present) };
}

const HEALTH_PATHS = ['/', '/health', '/healthz', '/status'];
const MATCHERS = ['200', '200-299', '200,302'];
const DELAYS = [0, 5, 10, 30];
const TEAMS = ['red', 'blue', 'green'];

/** The paths of version `version` of app `index`: unique per app, so no two apps ever collide. */
export function appPaths(index: number, version: number): string[] {
  const base = version === 0 ? `/a${index}` : `/a${index}-v${version}`;
  return [base, `${base}/*`];
}

/** Where an edit happens: the app's number, its edit count (for fresh paths), its DMZ's subnets. */
export interface EditContext {
  index: number;
  version: number;
  dmzSubnetIds: readonly string[];
}

/**
 * `spec` after `edit` (a new object; `spec` is left alone). Subnets stay within the DMZ's,
 * in its order, between one and all of them: an impossible add or remove changes nothing.
 */
export function editSpec(
  random: Random,
  edit: SpecEdit,
  spec: PublishedAppSpec,
  ctx: EditContext,
): PublishedAppSpec {
  const next = structuredClone(spec);
  switch (edit) {
    case 'editPaths':
      next.routing.pathPatterns = appPaths(ctx.index, ctx.version + 1);
      break;
    case 'addSubnet': {
      const missing = ctx.dmzSubnetIds.filter((s) => !spec.endpoint.subnetIds.includes(s));
      if (missing.length === 0) break;
      const add = pick(random, missing);
      next.endpoint.subnetIds = ctx.dmzSubnetIds.filter(
        (s) => s === add || spec.endpoint.subnetIds.includes(s),
      );
      break;
    }
    case 'removeSubnet': {
      if (spec.endpoint.subnetIds.length <= 1) break;
      const drop = pick(random, spec.endpoint.subnetIds);
      next.endpoint.subnetIds = spec.endpoint.subnetIds.filter((s) => s !== drop);
      break;
    }
    case 'editHealthCheck':
      next.target.healthCheck = {
        path: pick(random, HEALTH_PATHS),
        intervalSeconds: pick(random, [10, 15, 30]),
        healthyThresholdCount: pick(random, [2, 3, 5]),
        matcher: pick(random, MATCHERS),
      };
      break;
    case 'editDeregistrationDelay':
      next.target.deregistrationDelaySeconds = pick(
        random,
        DELAYS.filter((d) => d !== spec.target.deregistrationDelaySeconds),
      );
      break;
    case 'editTags': {
      const tags: Record<string, string> = { team: pick(random, TEAMS) };
      // Half the time a second tag, so tags also go away.
      if (random() < 0.5) tags.soak = `v${ctx.version + 1}`;
      next.tags = tags;
      break;
    }
  }
  return next;
}

const FAULT_KINDS: readonly FaultKind[] = ['throttle', 'error500', 'latency', 'reset', 'lostResponse'];

/**
 * The rules of one fault episode: one to three kinds, each at `rate` ± 0.1 (within [0.01, 1]);
 * lost responses aimed at the mutations, where they can cause duplicates.
 */
export function faultEpisode(random: Random, rate: number): FaultRule[] {
  const count = 1 + Math.floor(random() * 3);
  const kinds = [...FAULT_KINDS];
  const chosen: FaultKind[] = [];
  for (let i = 0; i < count; i++) chosen.push(kinds.splice(Math.floor(random() * kinds.length), 1)[0]!);
  return chosen.map((kind) => {
    const r = Math.round(Math.min(1, Math.max(0.01, rate - 0.1 + random() * 0.2)) * 100) / 100;
    if (kind === 'latency') return { kind, rate: r, latencyMs: 2_000 };
    if (kind === 'lostResponse')
      return { kind, rate: r, operation: '(Create|Register|Authorize|Modify|Set).*' };
    return { kind, rate: r };
  });
}
