/**
 * What every step of one EndpointService reconcile shares: the object, its AWS clients, its
 * log, the report its status is built from, the process-wide state, and `skip`, the one
 * place where dry-run mode stops a change (logged and published as an Event instead).
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { Logger } from 'pino';
import { ENDPOINT_SERVICE, FINALIZER } from '../../api/kinds.ts';
import type { EndpointService, PublishedApp } from '../../api/v1alpha1.ts';
import { ownerOf, type Owner } from '../../aws/tags.ts';
import type { AwsClients } from '../../aws/types.ts';
import type { ObjectCache, RuntimeServices } from '../../controller/types.ts';
import type { AccessLookups } from '../access/access.ts';
import type { Checkpoint } from './checkpoint.ts';
import type { VerificationStart } from './private-dns.ts';
import { objectDryRun } from '../../controller/dry-run.ts';
import { deletionPolicyOf } from '../deletion-policy.ts';
import { buildStatus, type Phase, type StatusReport } from './status.ts';

/** Tuning knobs; the defaults suit production. */
export interface EndpointServiceReconcilerOptions {
  /** Look again this soon while a connection or the service is changing state (AWS sends no notifications). */
  transitionPollMs?: number;
  /** Look for new connection requests this often when autoAccept/rejectOthers has something to decide. */
  connectionPollMs?: number;
  /**
   * Between full checks of an unchanged object (same generation), a reconcile only reads and
   * decides connections; the service configuration and permissions are re-read (drift) once
   * this long has passed. 0 = every reconcile is a full check.
   */
  fullCheckIntervalMs?: number;
  /**
   * While the private DNS name is not verified, domain verification is started again this
   * often (AWS cannot tell when the TXT record appears); the state is read every
   * `connectionPollMs` meanwhile.
   */
  dnsVerificationRetryMs?: number;
  /** Clock for condition timestamps and checkpoints. */
  now?: () => Date;
}

export type ResolvedOptions = Required<EndpointServiceReconcilerOptions>;

/** Every option as given, or its default where it is not. */
export function resolveOptions(o: EndpointServiceReconcilerOptions): ResolvedOptions {
  return {
    transitionPollMs: o.transitionPollMs ?? 15_000,
    connectionPollMs: o.connectionPollMs ?? 60_000,
    fullCheckIntervalMs: o.fullCheckIntervalMs ?? 240_000,
    dnsVerificationRetryMs: o.dnsVerificationRetryMs ?? 600_000,
    now: o.now ?? (() => new Date()),
  };
}

/** Process-wide state shared by all reconciles of the controller. */
export interface Deps {
  rt: RuntimeServices;
  /** PublishedApps, to tell which connection comes from which app (allowedConsumers). */
  apps: ObjectCache<PublishedApp>;
  access: AccessLookups;
  opts: ResolvedOptions;
  /** The last full check per `<namespace>/<name>` (checkpoint.ts). */
  checkpoints: Map<string, Checkpoint>;
  /** The last domain verification started per object UID (in memory: a restart starts again). */
  dnsStarts: Map<string, VerificationStart>;
}

/** One reconcile of one object, as far as it needs no AWS call (status, Events, the finalizer). */
export class ObjectSession {
  readonly deps: Deps;
  /** The object; after `ensureFinalizer`, as that write returned it. */
  obj: EndpointService;
  readonly log: Logger;
  /** What this reconcile learned so far; the status is built from it. */
  readonly report: StatusReport = { conditions: {} };

  constructor(deps: Deps, obj: EndpointService, log: Logger) {
    this.deps = deps;
    // The cache may not show our own last status write yet; conditions build on that write.
    this.obj = { ...obj, status: deps.rt.status.latest(ENDPOINT_SERVICE, obj) };
    this.log = log;
    this.report.deletionPolicy = deletionPolicyOf(obj.spec);
  }

  /** The controller's --dry-run, or this object's dry-run annotation. */
  get dryRun(): boolean {
    return this.deps.rt.dryRun || objectDryRun(this.obj);
  }

  get uid(): string {
    return this.obj.metadata?.uid ?? '';
  }

  /** `<namespace>/<name>`, the key checkpoints are kept under. */
  get key(): string {
    return `${this.obj.metadata?.namespace ?? ''}/${this.obj.metadata?.name ?? ''}`;
  }

  /** Milliseconds since the epoch, on the reconciler's clock. */
  now(): number {
    return this.deps.opts.now().getTime();
  }

  /** Whom the service's ownership tags name. */
  owner(): Owner {
    return ownerOf(this.deps.rt.clusterId, ENDPOINT_SERVICE.kind, this.obj);
  }

  event(type: 'Normal' | 'Warning', reason: string, action: string, message: string): void {
    this.deps.rt.events.record(this.obj, { type, reason, action, message });
  }

  /** In dry run, logs and publishes the action instead of doing it; true when it is skipped. */
  skip(action: string, what: string): boolean {
    if (!this.dryRun) return false;
    this.log.info({ action, what }, 'dry run: not applied');
    this.event('Normal', 'DryRun', action, `would ${what}`);
    return true;
  }

  /** Adds the finalizer (not in dry run), before anything is created in AWS, so a deletion can never orphan it. */
  async ensureFinalizer(): Promise<void> {
    if (!this.dryRun) this.obj = await this.deps.rt.finalizers.add(ENDPOINT_SERVICE, this.obj, FINALIZER);
  }

  /**
   * Writes the status built from the report (not in dry run). `whileFailing`: a failed write
   * is logged, not thrown, so it cannot hide the error being reported.
   */
  async writeStatus(whileFailing = false): Promise<void> {
    if (this.dryRun) return;
    const { rt, opts } = this.deps;
    const status = buildStatus(this.obj.status, this.report, this.obj.metadata?.generation, opts.now());
    const write = rt.status.update(ENDPOINT_SERVICE, this.obj, status);
    if (!whileFailing) {
      await write;
      return;
    }
    await write.catch((err: unknown) => {
      this.log.warn({ err }, 'status write failed while reporting a failure');
    });
  }
}

/** A step whose failure is reported on its condition: a phase of Ready, or the private DNS name's. */
export type Step = Phase | 'privateDns';

/** One reconcile of one object with the AWS clients of its (granted) identity. */
export class Session extends ObjectSession {
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
  private readonly clients: AwsClients;
  /** The step under way, whose condition a failure is reported on. */
  phase: Step = 'service';

  constructor(deps: Deps, obj: EndpointService, clients: AwsClients, log: Logger) {
    super(deps, obj, log);
    this.clients = clients;
    this.ec2 = clients.ec2;
    this.elbv2 = clients.elbv2;
  }

  /** Route 53, reached for only when a TXT record is to be published or removed (built then). */
  get route53(): Route53Client {
    return this.clients.route53;
  }
}
