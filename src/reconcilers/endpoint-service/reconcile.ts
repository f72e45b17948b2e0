/**
 * EndpointService reconciler: the identity checked, then observe → plan → apply → report,
 * one step per module (sync-service, sync-principals, sync-connections, sync-private-dns,
 * finalize); see README.md.
 */
import {
  ENDPOINT_SERVICE,
  ENDPOINT_SERVICE_CONDITIONS as C,
  FINALIZER,
  PUBLISHED_APP,
} from '../../api/kinds.ts';
import type { EndpointService, PublishedApp } from '../../api/v1alpha1.ts';
import { ownedTagMap } from '../../aws/tags.ts';
import type { AwsClientFactory } from '../../aws/types.ts';
import {
  TerminalError,
  type ObjectCache,
  type ObjectKey,
  type ReconcileContext,
  type ReconcileResult,
  type Reconciler,
  type RuntimeServices,
} from '../../controller/types.ts';
import { identityTarget, type Refusal } from '../access/access.ts';
import { cacheLookups } from '../access/lookups.ts';
import { deletionPolicyOf } from '../deletion-policy.ts';
import { checkpointStands, type Checkpoint } from './checkpoint.ts';
import { describeFailure } from './failure.ts';
import { nextLookMs, type PassOutcome } from './next-look.ts';
import { desiredService, type DesiredService, type ObservedService } from './plan.ts';
import {
  ObjectSession,
  resolveOptions,
  Session,
  type Deps,
  type EndpointServiceReconcilerOptions,
  type Step,
} from './session.ts';
import { connectionsCondition, principalsCondition, serviceCondition } from './status.ts';
import { syncConnections } from './sync-connections.ts';
import { syncPrincipals } from './sync-principals.ts';
import { syncPrivateDns } from './sync-private-dns.ts';
import { syncService } from './sync-service.ts';
import { finalize, release } from './finalize.ts';

export class EndpointServiceReconciler implements Reconciler {
  private readonly deps: Deps;
  private readonly aws: AwsClientFactory;
  private readonly objects: ObjectCache<EndpointService>;

  constructor(aws: AwsClientFactory, rt: RuntimeServices, opts: EndpointServiceReconcilerOptions = {}) {
    this.aws = aws;
    this.deps = {
      rt,
      apps: rt.cache<PublishedApp>(PUBLISHED_APP),
      access: cacheLookups(rt, false),
      opts: resolveOptions(opts),
      checkpoints: new Map(),
      dnsStarts: new Map(),
    };
    this.objects = rt.cache<EndpointService>(ENDPOINT_SERVICE);
  }

  async reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<ReconcileResult | undefined> {
    const obj = this.objects.get(key);
    if (!obj) {
      this.deps.checkpoints.delete(`${key.namespace}/${key.name}`);
      return undefined;
    }
    // Checked before any AWS call: an identity the namespace was not granted is never assumed.
    // Adoption is granted by the identity; a deletion never needs that grant.
    const adopts = obj.spec.adopt !== undefined && !obj.metadata?.deletionTimestamp;
    const access = identityTarget(
      this.deps.access,
      obj.spec.aws,
      { kind: 'EndpointService', ...key },
      { adopts },
    );
    if (!access.ok) return this.refuse(new ObjectSession(this.deps, obj, ctx.log), access.refusal);
    const s = new Session(this.deps, obj, this.aws.clientsFor(access.value), ctx.log);
    if (!obj.metadata?.deletionTimestamp) return this.sync(s);
    this.deps.checkpoints.delete(s.key);
    return finalize(s);
  }

  /** The identity is missing or not granted: Ready=False with its reason, nothing done in AWS. */
  private async refuse(s: ObjectSession, refusal: Refusal): Promise<ReconcileResult> {
    this.deps.checkpoints.delete(s.key);
    if (s.obj.metadata?.deletionTimestamp !== undefined) return this.refuseDeletion(s, refusal);
    await notReady(s, refusal);
    throw new TerminalError(refusal.reason, refusal.message);
  }

  /** A deletion without its identity waits, finalizer kept, until the identity is granted again. */
  private async refuseDeletion(s: ObjectSession, refusal: Refusal): Promise<ReconcileResult> {
    if (!s.obj.metadata?.finalizers?.includes(FINALIZER)) return {};
    if (deletionPolicyOf(s.obj.spec) === 'Retain') {
      // No AWS call, so no identity needed (an adopted service keeps the ownership tags then).
      await release(s);
      return {};
    }
    await notReady(s, { reason: 'DeletionBlocked', message: `cannot clean up: ${refusal.message}` });
    return { requeueAfterMs: this.deps.opts.connectionPollMs };
  }

  /** Brings AWS in line with the spec and reports what it found. */
  private async sync(s: Session): Promise<ReconcileResult | undefined> {
    try {
      await s.ensureFinalizer();
      const desired = desiredService(s.obj.spec, ownedTagMap(s.owner(), s.obj.spec.tags));
      const checked = this.standingCheckpoint(s);
      const pass = checked ? await pollConnections(s, checked, desired) : await this.fullCheck(s, desired);
      if (!pass) return undefined;
      return await this.after(s, pass);
    } catch (err) {
      return this.fail(s, err);
    }
  }

  /**
   * Every step: service, principals, connections, private DNS name.
   * @returns what it saw; undefined when a dry run has no service to look at yet.
   */
  private async fullCheck(s: Session, desired: DesiredService): Promise<PassOutcome | undefined> {
    this.deps.checkpoints.delete(s.key);
    const service = await syncService(s, desired);
    if (!service) return undefined;
    s.report.service = service;
    s.report.conditions.service = serviceCondition(service);
    s.phase = 'principals';
    await syncPrincipals(s, service.serviceId, desired.allowedPrincipals);
    s.report.conditions.principals = principalsCondition(desired.allowedPrincipals.length);
    s.phase = 'connections';
    const plans = await syncConnections(s, service.serviceId, desired);
    s.report.conditions.connections = connectionsCondition(plans);
    const dns = await syncPrivateDns(s, service);
    s.report.service = dns.service;
    s.report.privateDns = dns.condition;
    // Until the private DNS name is verified every look is a full one, to see its state.
    const dnsPending = dns.condition !== null && dns.condition.status !== 'True';
    // The service as the DNS step left it: a poll reports it, so it must show the verification just done.
    if (!dnsPending && /^available$/i.test(service.state)) this.remember(s, dns.service);
    return { service, desired, plans, dnsPending };
  }

  /** Writes the status and says when to look again. */
  private async after(s: Session, pass: PassOutcome): Promise<ReconcileResult | undefined> {
    await s.writeStatus();
    const ms = nextLookMs(pass, this.deps.opts);
    return ms === undefined ? undefined : { requeueAfterMs: ms };
  }

  private standingCheckpoint(s: Session): Checkpoint | undefined {
    const cp = this.deps.checkpoints.get(s.key);
    const obj = {
      uid: s.obj.metadata?.uid,
      generation: s.obj.metadata?.generation,
      recordedServiceId: s.obj.status?.serviceId,
    };
    return checkpointStands(cp, obj, s.now(), this.deps.opts.fullCheckIntervalMs) ? cp : undefined;
  }

  private remember(s: Session, service: ObservedService): void {
    const { uid, generation } = s.obj.metadata ?? {};
    this.deps.checkpoints.set(s.key, { uid, generation, at: s.now(), service });
  }

  /** Reports a failed step, then rethrows: terminal errors stop retries, others back off. */
  private async fail(s: Session, err: unknown): Promise<never> {
    const { phase } = s;
    this.deps.checkpoints.delete(s.key);
    const failure = describeFailure(err);
    const condition = { status: 'False' as const, reason: failure.reason, message: failure.message };
    // The private DNS name's condition is outside Ready: a Route 53 failure leaves the phases as they are.
    if (phase === 'privateDns') s.report.privateDns = condition;
    else s.report.conditions[phase] = condition;
    s.log.warn({ err, phase, reason: failure.reason }, 'endpoint service reconcile failed');
    await s.writeStatus(true);
    s.event('Warning', failure.reason, PHASE_ACTION[phase], failure.message);
    if (failure.terminal && !(err instanceof TerminalError))
      throw new TerminalError(failure.reason, failure.message, { cause: err });
    throw err;
  }
}

/** A connection poll of an unchanged object: the last full check still stands for the rest. */
async function pollConnections(
  s: Session,
  checked: Checkpoint,
  desired: DesiredService,
): Promise<PassOutcome> {
  s.phase = 'connections';
  s.report.service = checked.service;
  const plans = await syncConnections(s, checked.service.serviceId, desired);
  s.report.conditions.connections = connectionsCondition(plans);
  return { service: checked.service, desired, plans };
}

/** Ready=False with the problem's reason, and a Warning Event when that reason is new. */
async function notReady(s: ObjectSession, problem: { reason: string; message: string }): Promise<void> {
  const previous = s.obj.status?.conditions?.find((c) => c.type === C.ready)?.reason;
  if (previous !== problem.reason) s.event('Warning', problem.reason, 'Validate', problem.message);
  s.report.notReady = problem;
  await s.writeStatus(true);
}

const PHASE_ACTION: Record<Step, string> = {
  service: 'SyncService',
  principals: 'SyncPrincipals',
  connections: 'DecideConnections',
  privateDns: 'PublishTxtRecord',
};
