/**
 * Checkpoints: what a PublishedApp looked like, wanted and observed, the last time a
 * reconcile found nothing to do. While the spec (and the service name it resolves to) and
 * the app's slice of the batched observation stay the same, a resync skips the object with
 * zero AWS calls; a jittered full re-check bounds how long anything the observation cannot
 * see (targets, target group settings, the ALB's SGs, SNI certificates, API routes and
 * integrations) can stay drifted.
 */
import { createHash } from 'node:crypto';
import type { PublishedApp, PublishedAppStatus } from '../../api/v1alpha1.ts';
import type { ApiFrontDoor } from '../access/access.ts';
import type { ListenerRule, ObservedSecurityGroup, ObservedTargetGroup, TaggedEndpoint } from './aws-ops.ts';
import { ruleKey } from './plan-sg.ts';

/** The parts of the scope-wide observation that belong to one app. */
export interface ObservedSlice {
  endpoints: readonly TaggedEndpoint[];
  securityGroups: readonly ObservedSecurityGroup[];
  /** The app's rule (by the ARN in its status), absent when it is gone. */
  rule: ListenerRule | undefined;
  /** The app's target group (by the ARN in its status) as its ALB reports it. */
  targetGroup: ObservedTargetGroup | undefined;
}

export interface Checkpoint {
  desired: string;
  observed: string;
  /** Epoch ms after which the next reconcile does the full walk again. */
  recheckAt: number;
}

const digest = (value: unknown): string =>
  createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 22);

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

/**
 * Everything a reconcile's outcome depends on from the Kubernetes side: the app, its service
 * name, and its SharedListener's front door (another API or link is another outcome).
 */
export function desiredFingerprint(
  app: PublishedApp,
  serviceName: string | undefined,
  frontDoor?: ApiFrontDoor,
): string {
  return digest([app.metadata?.generation, app.spec, serviceName, frontDoor ?? null]);
}

/** A stable digest of an app's observed slice; equal slices give equal digests. */
export function observedFingerprint(slice: ObservedSlice): string {
  const endpoints = [...slice.endpoints]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((e) => [
      e.id,
      e.state,
      e.serviceName,
      sorted(e.subnetIds),
      sorted(e.securityGroupIds),
      sorted(e.networkInterfaceIds),
      e.privateDnsEnabled === true,
    ]);
  const groups = [...slice.securityGroups]
    .sort((a, b) => a.groupId.localeCompare(b.groupId))
    .map((g) => [g.groupId, sorted(g.ingress.map(ruleKey)), sorted(g.egress.map(ruleKey))]);
  const r = slice.rule;
  const rule = r && [r.arn, r.priority, r.conditions, r.plainForward, sorted(r.forwardTargetGroupArns)];
  const t = slice.targetGroup;
  const targetGroup = t && [t.arn, t.protocol, t.port, t.healthCheck];
  return digest([endpoints, groups, rule ?? null, targetGroup ?? null]);
}

/** JSON with every object's keys sorted: the API server hands a status back in another key order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
}

/**
 * The checkpoint a clean pass leaves in the status: a digest of what it wanted (`desired`),
 * what it saw (`observed`) and the status it wrote (but the checkpoint itself and
 * lastSyncTime, which moves on its own). A process that never walked the app trusts its
 * last clean pass only when all three come out the same again: a changed spec, AWS slice or
 * status — a hand-edited one included — gives another digest.
 */
export function statusCheckpoint(desired: string, observed: string, status: PublishedAppStatus): string {
  const { checkpoint: _checkpoint, lastSyncTime: _lastSyncTime, ...rest } = status;
  return digest([desired, observed, canonical(rest)]);
}

/** `status` with the checkpoint of a clean pass, or without any (any other pass). */
export function withStatusCheckpoint(
  status: PublishedAppStatus,
  clean: { desired: string; observed: string } | undefined,
): PublishedAppStatus {
  const { checkpoint: _previous, ...rest } = status;
  return clean ? { ...rest, checkpoint: statusCheckpoint(clean.desired, clean.observed, rest) } : rest;
}

/** Picks the app's slice out of the scope-wide lists. */
export function sliceOf(
  app: { uid: string; ruleArn: string | undefined; targetGroupArn: string | undefined },
  scope: {
    endpoints: readonly TaggedEndpoint[];
    securityGroups: readonly ObservedSecurityGroup[];
    rules: readonly ListenerRule[];
    targetGroups: readonly ObservedTargetGroup[];
  },
  uidTag: string,
): ObservedSlice {
  const { uid, ruleArn, targetGroupArn } = app;
  return {
    endpoints: scope.endpoints.filter((e) => e.tags[uidTag] === uid),
    securityGroups: scope.securityGroups.filter((g) => g.tags[uidTag] === uid),
    rule: ruleArn === undefined ? undefined : scope.rules.find((x) => x.arn === ruleArn),
    targetGroup:
      targetGroupArn === undefined ? undefined : scope.targetGroups.find((g) => g.arn === targetGroupArn),
  };
}

/** Per-UID checkpoints of one controller process. */
export class Checkpoints {
  private readonly byUid = new Map<string, Checkpoint>();
  private readonly looked = new Set<string>();
  private readonly fullRecheckMs: number;
  private readonly now: () => number;
  private readonly random: () => number;

  /**
   * @param fullRecheckMs mean time between full walks of an unchanged object; 0 disables
   *   checkpoints (every reconcile walks everything).
   */
  constructor(fullRecheckMs: number, now: () => number = Date.now, random: () => number = Math.random) {
    this.fullRecheckMs = fullRecheckMs;
    this.now = now;
    this.random = random;
  }

  /**
   * Whether this is the first time this process may resume `uid` from its status checkpoint:
   * only an app the process has not reconciled yet (after a restart or a hand-over); later
   * passes have their own record, and a status written by a failed pass of this process
   * must not be mistaken for it.
   */
  firstLook(uid: string): boolean {
    if (this.looked.has(uid)) return false;
    this.looked.add(uid);
    return true;
  }

  /** Records a clean reconcile; the next full walk is due in `fullRecheckMs` ± 20 %. */
  record(uid: string, desired: string, observed: string): void {
    if (this.fullRecheckMs <= 0) return;
    const jitter = 0.8 + 0.4 * this.random();
    this.byUid.set(uid, { desired, observed, recheckAt: this.now() + this.fullRecheckMs * jitter });
  }

  /**
   * `holds`: a reconcile with this desired fingerprint has nothing to do; `due`: the object
   * was clean with this spec but its full walk is due; `none`: no checkpoint, or the spec
   * (or what it resolves to) changed.
   */
  check(uid: string, desired: string): 'holds' | 'due' | 'none' {
    const cp = this.byUid.get(uid);
    if (cp?.desired !== desired) return 'none';
    return this.now() < cp.recheckAt ? 'holds' : 'due';
  }

  /** The observed fingerprint recorded for `uid`, if any. */
  observed(uid: string): string | undefined {
    return this.byUid.get(uid)?.observed;
  }

  forget(uid: string): void {
    this.byUid.delete(uid);
  }

  /** Drops everything about a deleted app. */
  drop(uid: string): void {
    this.byUid.delete(uid);
    this.looked.delete(uid);
  }
}
