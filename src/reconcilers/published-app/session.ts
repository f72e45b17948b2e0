/**
 * What every step of one PublishedApp reconcile shares: the object, its AWS clients, the
 * report being built, the shared caches, and `act`, the one place where a change is
 * applied — or, in dry-run mode, only logged and published as an Event.
 */
import type { Logger } from 'pino';
import { PUBLISHED_APP } from '../../api/kinds.ts';
import type { EndpointService, PublishedApp, PublishedAppStatus } from '../../api/v1alpha1.ts';
import { ownerOf, ownershipTags, type AwsTag, type Owner } from '../../aws/tags.ts';
import type { AwsClients } from '../../aws/types.ts';
import type { AccessLookups, Attachment } from '../access/access.ts';
import { objectDryRun } from '../../controller/dry-run.ts';
import { deletionPolicyOf } from '../deletion-policy.ts';
import type { KeyedSerial } from '../../controller/keyed-serial.ts';
import type { Condition, ObjectCache, RuntimeServices } from '../../controller/types.ts';
import type { Checkpoints } from './checkpoint.ts';
import type { EniIpCache } from './eni-ips.ts';
import type { SharedReads } from './shared-reads.ts';
import { conditionType, type Aspect, type SyncReport, type Verdict } from './status.ts';

/** Tuning knobs; the defaults suit production. */
export interface PublishedAppReconcilerOptions {
  /** Look again this soon while the endpoint is pending or waits for acceptance. */
  pollMs?: number;
  /** Look again this soon after a change, to confirm it (and report Drifted → True). */
  verifyMs?: number;
  /** Retry deletion this soon when AWS still holds a dependency (ENIs on the SG). */
  deletionRetryMs?: number;
  /** How long describes shared across objects (owned endpoints, SGs, rules) are reused. */
  sharedReadMaxAgeMs?: number;
  /**
   * The observation loop describes all owned endpoints this often (ENI and state changes),
   * and SGs and listener rules every 6th time; objects whose slice changed are enqueued.
   */
  observePeriodMs?: number;
  /**
   * An unchanged object is skipped (no AWS call) between full walks this far apart (±20 %);
   * 0 walks every object on every resync.
   */
  fullRecheckMs?: number;
  /** How long a listener's ALB (VPC, SGs, DNS name) and subnet VPCs are reused. */
  referenceMaxAgeMs?: number;
  /**
   * Rules an ALB may hold across all its listeners, default rules not counted: AWS's quota
   * "rules per Application Load Balancer" (100 unless raised for the account).
   */
  albRuleQuota?: number;
  /**
   * Certificates an ALB may hold across its listeners, default ones not counted: AWS's quota
   * "certificates per Application Load Balancer" (25 unless raised for the account).
   */
  albCertificateQuota?: number;
  /** Range allocated priorities are taken from, lowest first. */
  priorityAllocation?: { min: number; max: number };
  /** Accept a raw spec.listenerArn (no SharedListener); off: every app attaches by reference. */
  singleTenant?: boolean;
  /** lastSyncTime is refreshed at least this often. */
  syncTimeRefreshMs?: number;
  now?: () => Date;
}

export type ResolvedOptions = Required<PublishedAppReconcilerOptions>;

/** The defaults, a fresh set per call (they suit production). */
function defaultOptions(): ResolvedOptions {
  return {
    pollMs: 10_000,
    verifyMs: 3_000,
    deletionRetryMs: 10_000,
    sharedReadMaxAgeMs: 2_000,
    observePeriodMs: 10_000,
    fullRecheckMs: 3_600_000,
    referenceMaxAgeMs: 60_000,
    albRuleQuota: 100,
    albCertificateQuota: 25,
    priorityAllocation: { min: 1000, max: 50_000 },
    syncTimeRefreshMs: 600_000,
    singleTenant: false,
    now: () => new Date(),
  };
}

/** Every option as given, or its default where it is not (undefined or null). */
export function resolveOptions(o: PublishedAppReconcilerOptions): ResolvedOptions {
  return withDefaults(o, defaultOptions());
}

/** `defaults`, each key taken from `given` unless that is undefined or null there. */
function withDefaults<T extends object>(given: Partial<T>, defaults: T): T {
  const out = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof T)[]) out[key] = given[key] ?? defaults[key];
  return out;
}

/** Process-wide state shared by all reconciles of the controller. */
export interface Deps {
  rt: RuntimeServices;
  apps: ObjectCache<PublishedApp>;
  endpointServices: ObjectCache<EndpointService>;
  /** Identities, listeners and consents, for the separation-of-duties checks. */
  access: AccessLookups;
  /** The listener ARN an app names (raw or through its SharedListener), unchecked. */
  listenerArnOf(app: PublishedApp): string | undefined;
  reads: SharedReads;
  enis: EniIpCache;
  checkpoints: Checkpoints;
  /** Every IP seen on an endpoint of an app (by UID): stale, not foreign, once gone. */
  seenIps: Map<string, Set<string>>;
  /**
   * The priority this process allocated per UID, from the moment it is decided: the rule
   * (and the status recording it) only appear at the end of that app's pass, and an app
   * placed meanwhile by another worker must not pick the same slot.
   */
  placed: Map<string, Placement>;
  /** Certificate changes per listener, one at a time (its certificates and marks are read, then changed). */
  certificateLocks: KeyedSerial;
  /** Changes to a SharedListener's front door (VPC link, its SG, the ALB SG rule), one at a time per SharedListener UID. */
  frontDoorLocks: KeyedSerial;
  opts: ResolvedOptions;
}

/**
 * The app's freshest status: this process's last write until the watch delivers it (the
 * informer cache can lag behind our own write, and a requeue may run first), else the cached one.
 */
export function latestStatus(deps: Pick<Deps, 'rt'>, app: PublishedApp): PublishedAppStatus | undefined {
  const status = deps.rt.status.latest(PUBLISHED_APP, app);
  return app.status === undefined && Object.keys(status ?? {}).length === 0 ? undefined : status;
}

/** A priority allocated on a listener. */
export interface Placement {
  listenerArn: string;
  priority: number;
}

/** A problem only a change of the object or of the world can fix: reported, not retried hot. */
export class StepProblem extends Error {
  readonly aspect: Aspect;
  readonly reason: string;

  constructor(aspect: Aspect, reason: string, message: string) {
    super(message);
    this.name = 'StepProblem';
    this.aspect = aspect;
    this.reason = reason;
  }
}

/** Where and as whom a session acts: the app's checked listener grant and its AWS clients. */
export interface SessionAccess {
  attachment: Attachment;
  clients: AwsClients;
}

/** Where a session says what it found and did: its log, and the report its status is built from. */
export interface SessionOutput {
  log: Logger;
  report: SyncReport;
}

/** One reconcile of one object. */
export class Session {
  readonly app: PublishedApp;
  readonly uid: string;
  readonly clients: AwsClients;
  /** Where the app is built and as whom, as its (checked) listener grant says. */
  readonly attachment: Attachment;
  readonly log: Logger;
  readonly report: SyncReport;
  readonly deps: Deps;
  /** Poll intervals asked for by steps; the smallest wins. */
  readonly requeue: number[] = [];
  /**
   * How old a shared describe may be for this reconcile: the short default while an object
   * converges; the observation's age for the full walk of an object that was clean (the
   * observation would have enqueued it had its slice changed).
   */
  readMaxAgeMs: number;
  /** How old a reference lookup (listener + ALB, subnets, extra SGs) may be for this reconcile. */
  referenceMaxAgeMs: number;

  constructor(deps: Deps, app: PublishedApp, access: SessionAccess, output: SessionOutput) {
    this.deps = deps;
    this.attachment = access.attachment;
    this.uid = app.metadata?.uid ?? '';
    this.app = { ...app, status: latestStatus(deps, app) };
    this.clients = access.clients;
    this.log = output.log;
    this.report = output.report;
    this.report.fields.deletionPolicy = deletionPolicyOf(app.spec);
    this.readMaxAgeMs = deps.opts.sharedReadMaxAgeMs;
    this.referenceMaxAgeMs = deps.opts.referenceMaxAgeMs;
  }

  /** The controller's --dry-run, or this object's dry-run annotation. */
  get dryRun(): boolean {
    return this.deps.rt.dryRun || objectDryRun(this.app);
  }

  get generation(): number | undefined {
    return this.app.metadata?.generation;
  }

  /** The listener the app's rule goes on. */
  get listenerArn(): string {
    return this.attachment.listenerArn;
  }

  /** `<namespace>/<name>`. */
  get key(): string {
    return `${this.app.metadata?.namespace ?? ''}/${this.app.metadata?.name ?? ''}`;
  }

  /** The app as the owner of what it builds or adopts. */
  get owner(): Owner {
    return ownerOf(this.deps.rt.clusterId, PUBLISHED_APP.kind, this.app);
  }

  /** Tags for a resource this app creates: user tags plus ownership tags. */
  tags(): AwsTag[] {
    return ownershipTags(this.owner, this.app.spec.tags);
  }

  /** The aspect's condition as last written. */
  previous(aspect: Aspect): Condition | undefined {
    return this.app.status?.conditions?.find((c) => c.type === conditionType(aspect));
  }

  /**
   * Whether a pass at this generation already finished `aspect` (its condition is True at
   * this generation). The status's observedGeneration alone does not say so: a pass that
   * failed before or inside the step records the generation too.
   */
  finishedAtThisGeneration(aspect: Aspect): boolean {
    const c = this.previous(aspect);
    return c?.status === 'True' && c.observedGeneration === this.generation;
  }

  verdict(aspect: Aspect, v: Verdict): void {
    this.report.verdicts[aspect] = v;
  }

  /** Marks the aspect's False verdict as a refused part of the spec (see SyncReport.refused). */
  refused(aspect: Aspect): void {
    this.report.refused.push(aspect);
  }

  poll(ms: number): void {
    this.requeue.push(ms);
  }

  event(type: 'Normal' | 'Warning', reason: string, action: string, message: string): void {
    this.deps.rt.events.record(this.app, { type, reason, action, message });
  }

  /**
   * A problem on `aspect`: its condition False with the problem's reason, and a Warning Event
   * (for `action`) only when that reason is new, so a lasting problem is said once.
   */
  reportProblem(aspect: Aspect, problem: { reason: string; message: string }, action: string): void {
    if (this.previous(aspect)?.reason !== problem.reason)
      this.event('Warning', problem.reason, action, problem.message);
    this.verdict(aspect, { status: 'False', reason: problem.reason, message: problem.message });
  }

  /**
   * Applies one change. In dry-run mode the change is logged and published as an Event
   * instead, and undefined is returned.
   */
  async act<T>(action: string, what: string, run: () => Promise<T>): Promise<T | undefined> {
    if (this.dryRun) {
      this.log.info({ action, plan: what }, 'dry run: not applied');
      this.event('Normal', 'DryRun', action, `would ${what}`);
      return undefined;
    }
    const out = await run();
    this.log.info({ action }, what);
    this.poll(this.deps.opts.verifyMs);
    return out;
  }
}

/** Placeholder id for a resource a dry run would have created. */
export const PLANNED = '(planned)';
