/**
 * The soak's invariants, checked purely against one observation of the API server and of
 * moto (read by observe.ts). Each broken invariant is one violation naming the app and what
 * was wanted and found.
 */
import type { PublishedApp, PublishedAppSpec } from '../src/api/v1alpha1.ts';
import type { Inventory } from '../test/reliability/inventory.ts';
import { ownedCounts } from '../test/reliability/inventory.ts';

/** An app as the soak last wrote it. */
export interface ExpectedApp {
  name: string;
  uid: string;
  spec: PublishedAppSpec;
}

/** A listener rule as read from moto. */
export interface ObservedRule {
  paths: string[];
  priority: number | undefined;
  forward: string[];
}

/** A target group as read from moto. */
export interface ObservedTargetGroup {
  healthCheck: {
    path?: string;
    intervalSeconds?: number;
    timeoutSeconds?: number;
    healthyThresholdCount?: number;
    unhealthyThresholdCount?: number;
    matcher?: string;
  };
  deregistrationDelaySeconds: number | undefined;
  /** Registered, non-draining target IPs, sorted. */
  targets: string[];
  tags: Record<string, string>;
}

/** An ingress permission of the managed SG, flattened: one per source group. */
export interface Ingress {
  protocol: string;
  fromPort: number | undefined;
  toPort: number | undefined;
  source: string;
}

/** Everything one check reads. */
export interface Observation {
  apps: ReadonlyMap<string, PublishedApp>;
  inventory: Inventory;
  rules: ReadonlyMap<string, ObservedRule>;
  targetGroups: ReadonlyMap<string, ObservedTargetGroup>;
  /** Live endpoints: their subnets and ENI IPs (both sorted). */
  endpoints: ReadonlyMap<string, { subnets: string[]; ips: string[] }>;
  /** Every security group's ingress. */
  ingress: ReadonlyMap<string, Ingress[]>;
  /** foreignSnapshot() now. */
  foreign: string;
}

/** What the invariants are judged against besides the apps. */
export interface Baseline {
  /** foreignSnapshot() after seeding, before the controller ran. */
  foreign: string;
  /** The ALB security group of each SharedListener (by name). */
  albSecurityGroup: ReadonlyMap<string, string>;
}

export interface Violation {
  invariant: string;
  app?: string;
  detail: string;
}

const same = (a: readonly unknown[], b: readonly unknown[]): boolean =>
  JSON.stringify([...a].map(String).sort()) === JSON.stringify([...b].map(String).sort());

function isReadyAtGeneration(app: PublishedApp): boolean {
  const ready = app.status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' && app.status?.observedGeneration === app.metadata?.generation;
}

/** The health-check fields the spec sets, each compared with the group's. */
function healthCheckDiffs(spec: PublishedAppSpec, tg: ObservedTargetGroup): string[] {
  const want = spec.target.healthCheck ?? {};
  return (Object.keys(want) as (keyof typeof want)[])
    .filter((k) => want[k] !== tg.healthCheck[k])
    .map((k) => `${k}: want ${String(want[k])}, have ${String(tg.healthCheck[k])}`);
}

/** The ids of the resources tagged with the app's UID (the first of each kind). */
interface OwnedIds {
  endpointId: string | undefined;
  securityGroupId: string | undefined;
  targetGroupArn: string | undefined;
  ruleArn: string | undefined;
}

function ownedIds(inv: Inventory, uid: string): OwnedIds {
  const owned = (items: readonly { id: string; uid?: string }[]): string | undefined =>
    items.find((x) => x.uid === uid)?.id;
  return {
    endpointId: owned(inv.endpoints),
    securityGroupId: owned(inv.securityGroups),
    targetGroupArn: owned(inv.targetGroups),
    ruleArn: owned(inv.rules),
  };
}

type Fail = (invariant: string, detail: string) => void;

function readyDetail(app: PublishedApp): string {
  const ready = app.status?.conditions?.find((c) => c.type === 'Ready');
  const at = `observedGeneration ${app.status?.observedGeneration} of ${app.metadata?.generation}`;
  return ready
    ? `Ready=${ready.status} (${ready.reason}: ${ready.message}), ${at}`
    : `no Ready condition, ${at}`;
}

/** Ready at its generation, exactly one of each kind, status naming the tagged ones. */
function checkObject(
  want: ExpectedApp,
  app: PublishedApp,
  obs: Observation,
  ids: OwnedIds,
  fail: Fail,
): void {
  if (!isReadyAtGeneration(app)) fail('ready', readyDetail(app));
  const counts = ownedCounts(obs.inventory, want.uid);
  if (Object.values(counts).some((n) => n !== 1)) fail('exactlyOne', JSON.stringify(counts));
  for (const [field, id] of Object.entries(ids) as [keyof OwnedIds, string | undefined][]) {
    const recorded = app.status?.[field];
    if (id !== undefined && recorded !== id) fail('status', `status.${field} ${recorded}, tagged ${id}`);
  }
}

/** Endpoint subnets = spec; targets = ENI IPs; health check, deregistration delay and tags = spec. */
function checkEndpointAndTargets(want: ExpectedApp, obs: Observation, ids: OwnedIds, fail: Fail): void {
  const ep = ids.endpointId === undefined ? undefined : obs.endpoints.get(ids.endpointId);
  if (ep && !same(ep.subnets, want.spec.endpoint.subnetIds)) {
    fail('subnets', `endpoint in ${ep.subnets.join(',')}, spec ${want.spec.endpoint.subnetIds.join(',')}`);
  }
  const tg = ids.targetGroupArn === undefined ? undefined : obs.targetGroups.get(ids.targetGroupArn);
  if (!tg) return;
  if (ep && !same(tg.targets, ep.ips)) {
    fail('targets', `targets ${tg.targets.join(',') || 'none'}, ENI IPs ${ep.ips.join(',') || 'none'}`);
  }
  const diffs = healthCheckDiffs(want.spec, tg);
  if (diffs.length > 0) fail('healthCheck', diffs.join('; '));
  const delay = want.spec.target.deregistrationDelaySeconds ?? 300;
  if (tg.deregistrationDelaySeconds !== delay) {
    fail('deregistrationDelay', `want ${delay}, have ${tg.deregistrationDelaySeconds}`);
  }
  const missing = Object.entries(want.spec.tags ?? {}).filter(([k, v]) => tg.tags[k] !== v);
  if (missing.length > 0) fail('tags', `target group lacks ${JSON.stringify(Object.fromEntries(missing))}`);
}

/** Rule paths = spec, priority = spec's or the recorded one, forwarding to the app's group only. */
function checkRule(want: ExpectedApp, app: PublishedApp, obs: Observation, ids: OwnedIds, fail: Fail): void {
  const rule = ids.ruleArn === undefined ? undefined : obs.rules.get(ids.ruleArn);
  if (!rule) return;
  if (!same(rule.paths, want.spec.routing.pathPatterns)) {
    fail('rulePaths', `rule ${rule.paths.join(',')}, spec ${want.spec.routing.pathPatterns.join(',')}`);
  }
  const priority = want.spec.routing.priority ?? app.status?.priority;
  if (rule.priority !== priority) fail('rulePriority', `rule ${rule.priority}, want ${priority}`);
  if (ids.targetGroupArn && !same(rule.forward, [ids.targetGroupArn])) {
    fail('ruleForward', `rule forwards to ${rule.forward.join(',')}`);
  }
}

/** The managed SG's ingress is exactly the target port over TCP from the listener's ALB SG. */
function checkIngress(want: ExpectedApp, obs: Observation, base: Baseline, ids: OwnedIds, fail: Fail): void {
  if (ids.securityGroupId === undefined) return;
  const port = want.spec.target.port;
  const wanted = `tcp:${port}-${port}:${base.albSecurityGroup.get(want.spec.listenerRef!.name)}`;
  const have = (obs.ingress.get(ids.securityGroupId) ?? []).map(
    (p) => `${p.protocol}:${p.fromPort}-${p.toPort}:${p.source}`,
  );
  if (!same(have, [wanted]))
    fail('ingress', `managed SG ingress ${have.join(' ') || 'none'}, want ${wanted}`);
}

/** The invariants of one live app. */
function checkApp(want: ExpectedApp, obs: Observation, base: Baseline): Violation[] {
  const out: Violation[] = [];
  const fail: Fail = (invariant, detail) => {
    out.push({ invariant, app: want.name, detail });
  };
  const app = obs.apps.get(want.name);
  if (app?.metadata?.uid !== want.uid) {
    fail('exists', `object ${app ? `has uid ${app.metadata?.uid}` : 'missing'}, want uid ${want.uid}`);
    return out;
  }
  const ids = ownedIds(obs.inventory, want.uid);
  checkObject(want, app, obs, ids, fail);
  checkEndpointAndTargets(want, obs, ids, fail);
  checkRule(want, app, obs, ids, fail);
  checkIngress(want, obs, base, ids, fail);
  return out;
}

/**
 * Every violation in `obs`: per live app (exists, Ready at its generation, exactly one of each
 * owned resource, status = tagged ids, subnets, targets = ENI IPs, health check, deregistration
 * delay, tags, rule paths / priority / forward, managed SG ingress); per deleted UID, nothing
 * left; no resource tagged with an unknown UID; foreign resources as they were.
 */
export function checkInvariants(
  live: readonly ExpectedApp[],
  deletedUids: readonly string[],
  obs: Observation,
  base: Baseline,
): Violation[] {
  const out = live.flatMap((want) => checkApp(want, obs, base));
  for (const uid of deletedUids) {
    const counts = ownedCounts(obs.inventory, uid);
    if (Object.values(counts).some((n) => n !== 0)) {
      out.push({ invariant: 'deletedLeavesNothing', detail: `uid ${uid}: ${JSON.stringify(counts)}` });
    }
  }
  const known = new Set([...live.map((a) => a.uid), ...deletedUids]);
  for (const [kind, items] of Object.entries(obs.inventory)) {
    for (const item of items as { id: string; uid?: string }[]) {
      if (item.uid !== undefined && !known.has(item.uid)) {
        out.push({ invariant: 'noStrays', detail: `${kind} ${item.id} tagged with unknown uid ${item.uid}` });
      }
    }
  }
  if (obs.foreign !== base.foreign) {
    out.push({ invariant: 'foreignUnchanged', detail: firstDifference(base.foreign, obs.foreign) });
  }
  return out;
}

/** The first differing line of two snapshots, with its neighbours, for the report. */
export function firstDifference(before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  const i = a.findIndex((line, k) => line !== b[k]);
  const at = i === -1 ? a.length : i;
  return `line ${at + 1}: before ${JSON.stringify(a.slice(Math.max(0, at - 2), at + 3))}, after ${JSON.stringify(b.slice(Math.max(0, at - 2), at + 3))}`;
}
