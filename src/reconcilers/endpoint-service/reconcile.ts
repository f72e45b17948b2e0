/**
 * EndpointService reconciler: observe the owned VPC endpoint service, its permissions and
 * connections → plan (plan.ts) → apply through aws-ops.ts → report (status.ts, Events).
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import {
  ENDPOINT_SERVICE,
  ENDPOINT_SERVICE_CONDITIONS as C,
  FINALIZER,
  PUBLISHED_APP,
} from '../../api/kinds.ts';
import { ownedTagMap, type Owner } from '../../aws/tags.ts';
import type { AwsClientFactory, AwsClients } from '../../aws/types.ts';
import { consents, identityTarget, type AccessLookups, type Refusal } from '../access/access.ts';
import { consumerApp } from '../access/consumers.ts';
import { cacheLookups } from '../access/lookups.ts';
import type { ConditionInput } from '../../controller/conditions.ts';
import {
  TerminalError,
  type ObjectCache,
  type ObjectKey,
  type ReconcileContext,
  type ReconcileResult,
  type Reconciler,
  type RuntimeServices,
} from '../../controller/types.ts';
import * as ops from './aws-ops.ts';
import { describeFailure, RetryableError } from './failure.ts';
import {
  arnAccount,
  checkLoadBalancers,
  connectionBatches,
  connectionsToRejectOnDelete,
  describeModification,
  desiredService,
  diffSets,
  isTransitional,
  planConnections,
  planServiceModification,
  planTags,
  serviceClientToken,
  type ConnectionPlan,
  type DesiredService,
  type ObservedConnection,
  type ObservedService,
} from './plan.ts';
import type { EndpointService, PublishedApp } from '../../api/v1alpha1.ts';
import {
  privateDnsCondition,
  shouldStartVerification,
  txtRecord,
  verificationEvent,
  type VerificationStart,
} from './private-dns.ts';
import {
  buildStatus,
  connectionsCondition,
  serviceCondition,
  type Phase,
  type StatusReport,
} from './status.ts';

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

const DEFAULTS = {
  transitionPollMs: 15_000,
  connectionPollMs: 60_000,
  fullCheckIntervalMs: 240_000,
  dnsVerificationRetryMs: 600_000,
};

/** What the last full check of an object found, so connection polls can skip re-reading it. */
interface Checkpoint {
  uid: string | undefined;
  generation: number | undefined;
  at: number;
  service: ObservedService;
}

export class EndpointServiceReconciler implements Reconciler {
  private readonly cache: ObjectCache<EndpointService>;
  private readonly transitionPollMs: number;
  private readonly connectionPollMs: number;
  private readonly fullCheckIntervalMs: number;
  private readonly dnsVerificationRetryMs: number;
  private readonly checkpoints = new Map<string, Checkpoint>();
  /** The last domain verification started per object UID (in memory: a restart starts again). */
  private readonly dnsStarts = new Map<string, VerificationStart>();
  private readonly now: () => Date;
  private readonly aws: AwsClientFactory;
  private readonly rt: RuntimeServices;
  private readonly apps: ObjectCache<PublishedApp>;
  private readonly access: AccessLookups;

  constructor(aws: AwsClientFactory, rt: RuntimeServices, opts: EndpointServiceReconcilerOptions = {}) {
    this.aws = aws;
    this.rt = rt;
    this.cache = rt.cache<EndpointService>(ENDPOINT_SERVICE);
    this.apps = rt.cache<PublishedApp>(PUBLISHED_APP);
    this.access = cacheLookups(rt, false);
    this.transitionPollMs = opts.transitionPollMs ?? DEFAULTS.transitionPollMs;
    this.connectionPollMs = opts.connectionPollMs ?? DEFAULTS.connectionPollMs;
    this.fullCheckIntervalMs = opts.fullCheckIntervalMs ?? DEFAULTS.fullCheckIntervalMs;
    this.dnsVerificationRetryMs = opts.dnsVerificationRetryMs ?? DEFAULTS.dnsVerificationRetryMs;
    this.now = opts.now ?? (() => new Date());
  }

  async reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<ReconcileResult | undefined> {
    const obj = this.cache.get(key);
    if (!obj) {
      this.checkpoints.delete(`${key.namespace}/${key.name}`);
      return undefined;
    }
    // Checked before any AWS call: an identity the namespace was not granted is never assumed.
    const access = identityTarget(this.access, obj.spec.aws, { kind: 'EndpointService', ...key });
    if (!access.ok) return this.refuse(obj, access.refusal, ctx);
    const clients = this.aws.clientsFor(access.value);
    return obj.metadata?.deletionTimestamp ? this.finalize(obj, clients, ctx) : this.sync(obj, clients, ctx);
  }

  /** The identity is missing or not granted: Ready=False with its reason, nothing done in AWS. */
  private async refuse(
    obj: EndpointService,
    refusal: Refusal,
    ctx: ReconcileContext,
  ): Promise<ReconcileResult> {
    this.checkpoints.delete(checkpointKey(obj));
    if (obj.metadata?.deletionTimestamp !== undefined) return this.refuseDeletion(obj, refusal, ctx);
    await this.report(obj, refusal.reason, refusal.message, ctx);
    throw new TerminalError(refusal.reason, refusal.message);
  }

  /** A deletion without its identity waits, finalizer kept, until the identity is granted again. */
  private async refuseDeletion(
    obj: EndpointService,
    refusal: Refusal,
    ctx: ReconcileContext,
  ): Promise<ReconcileResult> {
    if (!obj.metadata?.finalizers?.includes(FINALIZER)) return {};
    if (obj.spec.deletionPolicy === 'Retain') {
      await this.release(obj, ctx);
      return {};
    }
    await this.report(obj, 'DeletionBlocked', `cannot clean up: ${refusal.message}`, ctx);
    return { requeueAfterMs: this.connectionPollMs };
  }

  /** Ready=False with `reason`, and a Warning Event when the reason is new. */
  private async report(
    obj: EndpointService,
    reason: string,
    message: string,
    ctx: ReconcileContext,
  ): Promise<void> {
    const previous = obj.status?.conditions?.find((c) => c.type === C.ready)?.reason;
    if (previous !== reason)
      this.rt.events.record(obj, { type: 'Warning', reason, action: 'Validate', message });
    await this.writeStatus(obj, { conditions: {}, notReady: { reason, message } }, ctx);
  }

  /** Brings AWS in line with the spec and reports what it found. */
  private async sync(
    obj: EndpointService,
    { ec2, elbv2 }: AwsClients,
    ctx: ReconcileContext,
  ): Promise<ReconcileResult | undefined> {
    const report: StatusReport = { conditions: {} };
    let phase: Phase = 'service';
    try {
      // Before anything AWS is created, so a deletion can never orphan it.
      if (!this.rt.dryRun) obj = await this.rt.finalizers.add(ENDPOINT_SERVICE, obj, FINALIZER);
      const desired = desiredService(obj.spec, ownedTagMap(this.owner(obj), obj.spec.tags));

      const checked = this.freshCheckpoint(obj);
      if (checked) {
        // A connection poll of an unchanged object: the last full check still stands.
        phase = 'connections';
        report.service = checked.service;
        const plans = await this.syncConnections(ec2, obj, checked.service.serviceId, desired, report, ctx);
        report.conditions.connections = connectionsCondition(plans);
        await this.writeStatus(obj, report);
        return this.nextLook(checked.service, desired, plans);
      }
      this.checkpoints.delete(checkpointKey(obj));

      const { service: found, extras } = await this.findService(ec2, obj);
      if (extras.length > 0) {
        const ids = extras.map((s) => s.serviceId).join(', ');
        this.rt.events.record(obj, {
          type: 'Warning',
          reason: 'DuplicateService',
          action: 'Find',
          message: `also owned, not used: ${ids}`,
        });
      }
      // NLBs already attached were verified when they were attached.
      const toVerify = found
        ? diffSets(desired.networkLoadBalancerArns, found.networkLoadBalancerArns).add
        : desired.networkLoadBalancerArns;
      const problem = checkLoadBalancers(toVerify, await ops.describeLoadBalancers(elbv2, toVerify));
      if (problem) throw new TerminalError(problem.reason, problem.message);

      const service = found
        ? await this.updateService(ec2, obj, desired, found, ctx)
        : await this.createService(ec2, obj, desired, ctx);
      if (!service) return undefined; // dry run: nothing to look at yet
      report.service = service;
      report.conditions.service = serviceCondition(service);

      phase = 'principals';
      await this.syncPrincipals(ec2, obj, service.serviceId, desired.allowedPrincipals, ctx);
      report.conditions.principals = {
        status: 'True',
        reason: 'PrincipalsSynced',
        message: `${desired.allowedPrincipals.length} allowed principal(s) in place`,
      };

      phase = 'connections';
      const plans = await this.syncConnections(ec2, obj, service.serviceId, desired, report, ctx);
      report.conditions.connections = connectionsCondition(plans);

      const dns = await this.syncPrivateDns(ec2, obj, service, ctx);
      report.service = dns.service;
      report.privateDns = dns.condition;

      await this.writeStatus(obj, report);
      // Until the private DNS name is verified every look is a full one, to see its state.
      const dnsPending = dns.condition !== null && dns.condition.status !== 'True';
      if (dnsPending) return minLook(this.nextLook(service, desired, plans), this.connectionPollMs);
      if (/^available$/i.test(service.state)) {
        this.checkpoints.set(checkpointKey(obj), {
          uid: obj.metadata?.uid,
          generation: obj.metadata?.generation,
          at: this.now().getTime(),
          service,
        });
      }
      return this.nextLook(service, desired, plans);
    } catch (err) {
      return this.fail(obj, report, phase, err, ctx);
    }
  }

  /** The last full check, if it was of this generation, recent, and what status still records. */
  private freshCheckpoint(obj: EndpointService): Checkpoint | undefined {
    const cp = this.checkpoints.get(checkpointKey(obj));
    if (!cp || cp.uid !== obj.metadata?.uid || cp.generation !== obj.metadata?.generation) return undefined;
    if (cp.service.serviceId !== obj.status?.serviceId) return undefined;
    return this.now().getTime() - cp.at < this.fullCheckIntervalMs ? cp : undefined;
  }

  /**
   * The owned service: by ownership tag (preferring the one status recorded), else the one
   * status recorded; deleted ones don't count. `extras` are further services carrying this
   * object's tags — duplicates only an endpoint ignoring ClientToken could have made.
   */
  private async findService(
    ec2: EC2Client,
    obj: EndpointService,
  ): Promise<{ service?: ObservedService; extras: ObservedService[] }> {
    const recorded = obj.status?.serviceId;
    const owned = (await ops.findOwnedServices(ec2, this.owner(obj)))
      .filter(isLive)
      .sort(
        (a, b) =>
          Number(b.serviceId === recorded) - Number(a.serviceId === recorded) ||
          a.serviceId.localeCompare(b.serviceId),
      );
    const [first, ...extras] = owned;
    if (first || !recorded) return { service: first, extras };
    const byId = await ops.describeService(ec2, recorded);
    return { service: byId && isLive(byId) ? byId : undefined, extras };
  }

  private async createService(
    ec2: EC2Client,
    obj: EndpointService,
    desired: DesiredService,
    ctx: ReconcileContext,
  ): Promise<ObservedService | undefined> {
    const what = `create endpoint service for ${desired.networkLoadBalancerArns.join(', ')}`;
    if (this.dryRunSkip(obj, ctx, 'Create', what)) return undefined;
    // A recorded service that is gone was deleted out of band: a new token makes a new one.
    const token = serviceClientToken(obj.metadata?.uid ?? '', obj.status?.serviceId);
    const service = await ops.createService(ec2, desired, token);
    ctx.log.info({ serviceId: service.serviceId }, 'endpoint service created');
    this.rt.events.record(obj, {
      type: 'Normal',
      reason: 'ServiceCreated',
      action: 'Create',
      message: `created ${service.serviceId} (${service.serviceName})`,
    });
    return service;
  }

  private async updateService(
    ec2: EC2Client,
    obj: EndpointService,
    desired: DesiredService,
    service: ObservedService,
    ctx: ReconcileContext,
  ): Promise<ObservedService> {
    const tags = planTags(desired.tags, service.tags);
    if (Object.keys(tags).length > 0 && !this.dryRunSkip(obj, ctx, 'Tag', `tag ${service.serviceId}`)) {
      await ops.tagResource(ec2, service.serviceId, tags);
    }
    const mod = planServiceModification(desired, service);
    if (!mod) return service;
    const what = describeModification(mod);
    if (this.dryRunSkip(obj, ctx, 'Modify', `${service.serviceId}: ${what}`)) return service;
    await ops.modifyService(ec2, service.serviceId, mod);
    ctx.log.info({ serviceId: service.serviceId, change: what }, 'endpoint service modified');
    this.rt.events.record(obj, {
      type: 'Normal',
      reason: 'ServiceModified',
      action: 'Modify',
      message: `${service.serviceId}: ${what}`,
    });
    // Re-read: the change moves fields we report (private DNS verification, state).
    return (await ops.describeService(ec2, service.serviceId)) ?? service;
  }

  /**
   * Starts domain verification of the private DNS name when it is due (private-dns.ts).
   * @returns the service as AWS shows it afterwards, and PrivateDnsNameVerified (null: no name).
   */
  private async syncPrivateDns(
    ec2: EC2Client,
    obj: EndpointService,
    service: ObservedService,
    ctx: ReconcileContext,
  ): Promise<{ service: ObservedService; condition: Omit<ConditionInput, 'type'> | null }> {
    const uid = obj.metadata?.uid ?? '';
    const name = service.privateDnsName;
    if (!name) {
      this.dnsStarts.delete(uid);
      return { service, condition: null };
    }
    const last = this.dnsStarts.get(uid);
    const due = shouldStartVerification(service, last, this.now().getTime(), this.dnsVerificationRetryMs);
    const current = due ? await this.startVerification(ec2, obj, service, last, ctx) : service;
    const condition = privateDnsCondition(current, this.dnsVerificationRetryMs) ?? null;
    const previous = obj.status?.conditions?.find((c) => c.type === C.privateDnsNameVerified);
    const event = condition && verificationEvent(previous?.reason, condition);
    if (event)
      this.rt.events.record(obj, {
        type: event.type,
        reason: event.reason,
        action: 'Verify',
        message: condition.message,
      });
    return { service: current, condition };
  }

  /** @returns the service as AWS shows it after the start (unchanged in dry run). */
  private async startVerification(
    ec2: EC2Client,
    obj: EndpointService,
    service: ObservedService,
    last: VerificationStart | undefined,
    ctx: ReconcileContext,
  ): Promise<ObservedService> {
    const name = service.privateDnsName ?? '';
    if (this.dryRunSkip(obj, ctx, 'Verify', `start domain verification of ${name}`)) return service;
    await ops.startPrivateDnsVerification(ec2, service.serviceId);
    this.dnsStarts.set(obj.metadata?.uid ?? '', { name, at: this.now().getTime() });
    ctx.log.info({ serviceId: service.serviceId, name }, 'private DNS verification started');
    // Once per name; the retries are logged only.
    if (last?.name !== name) {
      const record = txtRecord(service) ?? 'the TXT record in status.privateDnsNameConfiguration';
      const message = `asked AWS to verify ${name}; it looks for ${record}`;
      this.rt.events.record(obj, {
        type: 'Normal',
        reason: 'PrivateDnsVerificationStarted',
        action: 'Verify',
        message,
      });
    }
    return (await ops.describeService(ec2, service.serviceId)) ?? service;
  }

  /** Allowed principals exactly as in the spec: missing ones added, extra ones removed. */
  private async syncPrincipals(
    ec2: EC2Client,
    obj: EndpointService,
    serviceId: string,
    wanted: string[],
    ctx: ReconcileContext,
  ): Promise<void> {
    const diff = diffSets(wanted, await ops.describeAllowedPrincipals(ec2, serviceId));
    if (diff.add.length + diff.remove.length === 0) return;
    const what = [
      diff.add.length ? `allowed ${diff.add.join(', ')}` : '',
      diff.remove.length ? `removed ${diff.remove.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    if (this.dryRunSkip(obj, ctx, 'UpdatePrincipals', what)) return;
    await ops.modifyAllowedPrincipals(ec2, serviceId, diff);
    ctx.log.info({ serviceId, add: diff.add, remove: diff.remove }, 'allowed principals updated');
    this.rt.events.record(obj, {
      type: 'Normal',
      reason: 'PrincipalsUpdated',
      action: 'UpdatePrincipals',
      message: what,
    });
  }

  /**
   * Decides every pending connection, applies the decisions in one Accept and one Reject
   * call, and records an Event per decision (the audit trail).
   */
  private async syncConnections(
    ec2: EC2Client,
    obj: EndpointService,
    serviceId: string,
    desired: DesiredService,
    report: StatusReport,
    ctx: ReconcileContext,
  ): Promise<ConnectionPlan[]> {
    const plans = planConnections(
      {
        acceptanceRequired: desired.acceptanceRequired,
        allowedPrincipals: desired.allowedPrincipals,
        autoAccept: desired.autoAccept,
        serviceAccount: arnAccount(desired.networkLoadBalancerArns[0] ?? ''),
      },
      (await ops.describeConnections(ec2, serviceId)).map((c) => this.withConsumer(obj, c)),
    );
    report.connections = plans;
    const batches = connectionBatches(plans);
    const failed = new Map<string, ops.FailedItem>();
    for (const [action, ids] of [
      ['accept', batches.accept],
      ['reject', batches.reject],
    ] as const) {
      if (ids.length === 0 || this.dryRunSkip(obj, ctx, action, `${action} ${ids.join(', ')}`)) continue;
      const refused = await (action === 'accept' ? ops.acceptConnections : ops.rejectConnections)(
        ec2,
        serviceId,
        ids,
      );
      for (const item of refused) failed.set(item.id, item);
    }
    if (this.rt.dryRun) return plans;
    const previouslyPending = new Set(
      (obj.status?.connections ?? []).filter((c) => c.decision === 'Pending').map((c) => c.endpointId),
    );
    const result = plans.map((plan) => {
      const refusal = failed.get(plan.endpointId);
      if (refusal)
        return { ...plan, decision: 'Pending' as const, why: `${refusal.code}: ${refusal.message}` };
      this.recordDecision(obj, plan, previouslyPending);
      return plan;
    });
    report.connections = result;
    if (failed.size > 0) {
      const detail = [...failed.values()].map((f) => `${f.id}: ${f.code} ${f.message}`).join('; ');
      this.rt.events.record(obj, {
        type: 'Warning',
        reason: 'ConnectionDecisionFailed',
        action: 'Decide',
        message: detail,
      });
      throw new RetryableError('ConnectionDecisionFailed', detail);
    }
    return result;
  }

  /**
   * Marks a connection from an endpoint this controller made for a PublishedApp — known by its
   * tags when AWS shows them, else by the app's status.endpointId — with whether this
   * service's allowedConsumers admit that app's namespace.
   */
  private withConsumer(obj: EndpointService, conn: ObservedConnection): ObservedConnection {
    const app = consumerApp(this.apps.list(), conn, this.rt.clusterId);
    if (!app) return conn;
    return {
      ...conn,
      consumer: {
        app: `${app.namespace}/${app.name}`,
        permitted: consents(obj, app.namespace, this.access.labels),
      },
    };
  }

  private recordDecision(obj: EndpointService, plan: ConnectionPlan, previouslyPending: Set<string>): void {
    const who = `endpoint ${plan.endpointId} of account ${plan.owner}`;
    if (plan.action === 'accept') {
      this.rt.events.record(obj, {
        type: 'Normal',
        reason: 'ConnectionAccepted',
        action: 'Accept',
        message: `accepted ${who}: ${plan.why}`,
      });
    } else if (plan.action === 'reject') {
      this.rt.events.record(obj, {
        type: 'Normal',
        reason: 'ConnectionRejected',
        action: 'Reject',
        message: `rejected ${who}: ${plan.why}`,
      });
    } else if (plan.decision === 'Pending' && !previouslyPending.has(plan.endpointId)) {
      this.rt.events.record(obj, {
        type: 'Normal',
        reason: 'ConnectionPending',
        action: 'Decide',
        message: `left ${who} pending: ${plan.why}`,
      });
    }
  }

  /** When to look again: soon while anything moves, periodically while new requests need deciding. */
  private nextLook(
    service: ObservedService,
    desired: DesiredService,
    plans: ConnectionPlan[],
  ): ReconcileResult | undefined {
    const moving =
      !/^available$/i.test(service.state) ||
      plans.some((p) => p.action !== 'none' || isTransitional(p.state));
    if (moving) return { requeueAfterMs: this.transitionPollMs };
    const deciding =
      desired.acceptanceRequired &&
      (desired.autoAccept.principals.length > 0 || desired.autoAccept.rejectOthers);
    return deciding ? { requeueAfterMs: this.connectionPollMs } : undefined;
  }

  /**
   * Deletion: `Retain` lets go; `Delete` rejects remaining connections, deletes the service
   * (NotFound counts as done) and only then removes the finalizer.
   */
  private async finalize(
    obj: EndpointService,
    { ec2 }: AwsClients,
    ctx: ReconcileContext,
  ): Promise<ReconcileResult | undefined> {
    this.checkpoints.delete(checkpointKey(obj));
    if (!obj.metadata?.finalizers?.includes(FINALIZER)) return undefined;
    if (obj.spec.deletionPolicy === 'Retain') return this.release(obj, ctx);
    try {
      const { service, extras } = await this.findService(ec2, obj);
      for (const s of service ? [service, ...extras] : extras) {
        if (!this.dryRunSkip(obj, ctx, 'Delete', `delete ${s.serviceId}`)) {
          await this.deleteService(ec2, obj, s.serviceId, ctx);
        }
      }
      if (this.rt.dryRun) return undefined;
      await this.rt.finalizers.remove(ENDPOINT_SERVICE, obj, FINALIZER);
      return undefined;
    } catch (err) {
      const failure = describeFailure(err);
      const message = `${failure.reason}: ${failure.message}`;
      await this.writeStatus(obj, { conditions: {}, notReady: { reason: 'DeletionBlocked', message } }, ctx);
      this.rt.events.record(obj, { type: 'Warning', reason: 'DeletionBlocked', action: 'Delete', message });
      // Never terminal: the object is going away and only a retry can finish that.
      throw err instanceof RetryableError ? err : new RetryableError('DeletionBlocked', message);
    }
  }

  /** `Retain`: let go of the object, leave AWS as it is. */
  private async release(obj: EndpointService, ctx: ReconcileContext): Promise<undefined> {
    if (this.dryRunSkip(obj, ctx, 'Retain', 'release the endpoint service')) return undefined;
    const what = obj.status?.serviceId ?? 'the endpoint service';
    this.rt.events.record(obj, {
      type: 'Normal',
      reason: 'Retained',
      action: 'Delete',
      message: `left ${what} in AWS (deletionPolicy Retain)`,
    });
    await this.rt.finalizers.remove(ENDPOINT_SERVICE, obj, FINALIZER);
    return undefined;
  }

  private async deleteService(
    ec2: EC2Client,
    obj: EndpointService,
    serviceId: string,
    ctx: ReconcileContext,
  ): Promise<void> {
    const reject = connectionsToRejectOnDelete(await ops.describeConnections(ec2, serviceId));
    if (reject.length > 0) {
      const refused = await ops.rejectConnections(ec2, serviceId, reject);
      const rejected = reject.filter((id) => !refused.some((r) => r.id === id));
      if (rejected.length > 0) {
        this.rt.events.record(obj, {
          type: 'Normal',
          reason: 'ConnectionRejected',
          action: 'Delete',
          message: `rejected ${rejected.join(', ')}: the service is being deleted`,
        });
      }
    }
    const refusal = await ops.deleteService(ec2, serviceId);
    if (refusal)
      throw new RetryableError(
        'DeletionBlocked',
        `AWS refused to delete ${serviceId}: ${refusal.code}: ${refusal.message}`,
      );
    ctx.log.info({ serviceId }, 'endpoint service deleted');
    this.rt.events.record(obj, {
      type: 'Normal',
      reason: 'ServiceDeleted',
      action: 'Delete',
      message: `deleted ${serviceId}`,
    });
  }

  /** Reports a failed step, then rethrows: terminal errors stop retries, others back off. */
  private async fail(
    obj: EndpointService,
    report: StatusReport,
    phase: Phase,
    err: unknown,
    ctx: ReconcileContext,
  ): Promise<never> {
    this.checkpoints.delete(checkpointKey(obj));
    const failure = describeFailure(err);
    report.conditions[phase] = { status: 'False', reason: failure.reason, message: failure.message };
    ctx.log.warn({ err, phase, reason: failure.reason }, 'endpoint service reconcile failed');
    await this.writeStatus(obj, report, ctx);
    this.rt.events.record(obj, {
      type: 'Warning',
      reason: failure.reason,
      action: phaseAction(phase),
      message: failure.message,
    });
    if (failure.terminal && !(err instanceof TerminalError))
      throw new TerminalError(failure.reason, failure.message, { cause: err });
    throw err;
  }

  /** Writes status unless in dry run; a failed write during failure reporting must not hide the original error. */
  private async writeStatus(
    obj: EndpointService,
    report: StatusReport,
    ctx?: ReconcileContext,
  ): Promise<void> {
    if (this.rt.dryRun) return;
    const status = buildStatus(obj.status, report, obj.metadata?.generation, this.now());
    if (!ctx) {
      await this.rt.status.update(ENDPOINT_SERVICE, obj, status);
      return;
    }
    await this.rt.status.update(ENDPOINT_SERVICE, obj, status).catch((err: unknown) => {
      ctx.log.warn({ err }, 'status write failed while reporting a failure');
    });
  }

  /** In dry run, logs and publishes the action instead of doing it; returns true when skipped. */
  private dryRunSkip(obj: EndpointService, ctx: ReconcileContext, action: string, what: string): boolean {
    if (!this.rt.dryRun) return false;
    ctx.log.info({ action, what }, 'dry run: not applied');
    this.rt.events.record(obj, { type: 'Normal', reason: 'DryRun', action, message: `would ${what}` });
    return true;
  }

  private owner(obj: EndpointService): Owner {
    return {
      clusterId: this.rt.clusterId,
      kind: ENDPOINT_SERVICE.kind,
      namespace: obj.metadata?.namespace ?? '',
      name: obj.metadata?.name ?? '',
      uid: obj.metadata?.uid ?? '',
    };
  }
}

/** `result` with its requeue no later than `ms`. */
function minLook(result: ReconcileResult | undefined, ms: number): ReconcileResult {
  return { requeueAfterMs: Math.min(result?.requeueAfterMs ?? ms, ms) };
}

function checkpointKey(obj: EndpointService): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

function isLive(service: ObservedService): boolean {
  return !/^(deleting|deleted)$/i.test(service.state);
}

function phaseAction(phase: Phase): string {
  return { service: 'SyncService', principals: 'SyncPrincipals', connections: 'DecideConnections' }[phase];
}
