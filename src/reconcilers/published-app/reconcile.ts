/**
 * PublishedApp reconciler: resolve references → security groups → endpoint → target group
 * and targets → listener rule → clean up what a spec change made obsolete → tags → report.
 * Each step observes (shared, batched describes), plans with a pure planner and applies
 * through `Session.act`, so a dry run is the same walk with nothing applied.
 */
import { FINALIZER, PUBLISHED_APP, TAG_KEYS } from '../../api/kinds.ts';
import type { EndpointService, PublishedApp } from '../../api/v1alpha1.ts';
import { ENDPOINT_SERVICE } from '../../api/kinds.ts';
import { classifyAwsError, failureReason } from '../../aws/errors.ts';
import { rfc3339 } from '../../controller/conditions.ts';
import { KeyedSerial } from '../../controller/keyed-serial.ts';
import type { AwsClientFactory } from '../../aws/types.ts';
import {
  TerminalError,
  type EventSource,
  type ObjectKey,
  type ReconcileContext,
  type ReconcileResult,
  type Reconciler,
  type RuntimeServices,
} from '../../controller/types.ts';
import type { Logger } from 'pino';
import {
  attachmentOf,
  cleanupAttachmentOf,
  consentRefusal,
  type Attachment,
  type Refusal,
} from '../access/access.ts';
import { cacheLookups, listenerArnOf } from '../access/lookups.ts';
import * as ops from './aws-ops.ts';
import { tagAdopted } from './adopt.ts';
import { deleteOwned, deleteOwnRules, disown } from './delete.ts';
import { deletionPolicyOf } from '../deletion-policy.ts';
import { EniIpCache } from './eni-ips.ts';
import {
  Checkpoints,
  desiredFingerprint,
  observedFingerprint,
  sliceOf,
  statusCheckpoint,
  withStatusCheckpoint,
} from './checkpoint.ts';
import { listenerArnOfRule, loadBalancerArnOfListener } from './names.ts';
import { observationSource } from './observer.ts';
import { readAges } from './read-ages.ts';
import { ownedEndpoints, resolveReferences, serviceNameOf, type References } from './resolve.ts';
import {
  patchListenerRules,
  readKeys,
  rulesOfListener,
  scopeEndpoints,
  scopeSecurityGroups,
  targetGroupsOfLoadBalancer,
} from './scope-reads.ts';
import {
  resolveOptions,
  Session,
  StepProblem,
  type Deps,
  type PublishedAppReconcilerOptions,
} from './session.ts';
import { SharedReads } from './shared-reads.ts';
import { ALB_ASPECTS, ASPECTS, buildStatus, newReport, type Aspect } from './status.ts';
import { liveEndpoint, observedEndpoint, syncEndpoint, type EndpointOutcome } from './sync-endpoint.ts';
import { listenerRules } from './place-rule.ts';
import { releasePreviousCertificate, syncRoute } from './sync-certificate.ts';
import { deleteOwnApi, releasePreviousApi, syncApi } from './sync-api.ts';
import { syncSecurityGroups } from './sync-security-groups.ts';
import { syncTags } from './sync-tags.ts';
import { syncTargets } from './sync-targets.ts';

/** Condition reasons for AWS failures, by error kind. */
/** Whether the app carries our finalizer (so AWS resources may have been built for it). */
function hasFinalizer(app: PublishedApp): boolean {
  return app.metadata?.finalizers?.includes(FINALIZER) === true;
}

/** The aspect whose condition carries a refused grant. */
function refusedAspect(refusal: Refusal): Aspect {
  return refusal.reason === 'ReferenceNotPermitted' ? 'endpoint' : 'route';
}

/** For a session that makes no AWS call (a refusal without anything built to take back). */
const UNATTACHED: Attachment = { listenerArn: '', target: {} };

/**
 * A built app whose rule the spec cannot have (a priority or path taken, no room): the rule is
 * left as it is and the refusal said once, while the rest of the app keeps following AWS.
 * Not checkpointed: what frees the slot is another app's change, which only a walk sees, so
 * every resync walks it again. @returns false: no route change was made.
 */
function holdRefusedRoute(s: Session, problem: StepProblem): boolean {
  s.reportProblem('route', problem, 'Validate');
  s.report.fields.ruleArn = s.app.status?.ruleArn;
  s.report.fields.priority = s.app.status?.priority;
  s.report.fields.url = s.app.status?.url;
  return false;
}

/** A built app whose API routes the spec cannot have: they are left as they are, the refusal said. */
function holdRefusedApi(s: Session, problem: StepProblem): boolean {
  s.reportProblem('api', problem, 'Validate');
  return false;
}

/** An AWS failure of one step, reported after the later steps ran on its fallback. */
interface StepFailure {
  aspect: Aspect;
  err: unknown;
}

/**
 * Runs a step; when its AWS call fails and `fallback` says what AWS holds instead (a
 * resource already built), records the failure and returns that. Spec refusals
 * ({@link StepProblem}) and failures with nothing to fall back on end the reconcile.
 */
async function withFallback<T>(
  failed: StepFailure[],
  aspect: Aspect,
  run: () => Promise<T>,
  fallback: () => T | undefined,
): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const instead = err instanceof StepProblem ? undefined : fallback();
    if (instead === undefined) throw err;
    failed.push({ aspect, err });
    return instead;
  }
}

/** Deletes the endpoints a spec change made obsolete, once the targets follow the current one. */
async function removeObsoleteEndpoints(s: Session, endpoint: EndpointOutcome): Promise<void> {
  const targetsReady = s.report.verdicts.targets?.status === 'True';
  const obsolete = endpoint.obsolete.map((e) => e.id);
  if (!targetsReady || obsolete.length === 0) return;
  await s.act('Delete', `delete obsolete endpoint(s) ${obsolete.join(', ')}`, () =>
    ops.deleteEndpoints(s.clients.ec2, obsolete),
  );
  s.deps.reads.invalidate(readKeys.endpoints(s.clients.scope));
}

/** Deletes the app's rule on a listener it no longer names. */
async function removeRuleOnPreviousListener(s: Session, refs: References): Promise<void> {
  const oldRule = s.app.status?.ruleArn;
  if (!oldRule || listenerArnOfRule(oldRule) === refs.listener.listenerArn) return;
  await s.act('Delete', `delete rule ${oldRule} on the previous listener`, () =>
    ops.deleteRule(s.clients.elbv2, oldRule),
  );
  if (!s.dryRun)
    patchListenerRules(s.deps.reads, s.clients.scope, {
      listenerArn: listenerArnOfRule(oldRule),
      arn: oldRule,
    });
}

/** Deletes the target group of a previous protocol/port, unless a rule still forwards to it. */
async function removePreviousTargetGroup(s: Session, refs: References, tgArn: string): Promise<void> {
  const oldTg = s.app.status?.targetGroupArn;
  if (!oldTg || oldTg === tgArn) return;
  const stillUsed = (await listenerRules(s, refs.listener.listenerArn)).some((r) =>
    r.forwardTargetGroupArns.includes(oldTg),
  );
  if (!stillUsed)
    await s.act('Delete', `delete previous target group ${oldTg}`, () =>
      ops.deleteTargetGroup(s.clients.elbv2, oldTg),
    );
}

export class PublishedAppReconciler implements Reconciler {
  private readonly aws: AwsClientFactory;
  private readonly deps: Deps;

  constructor(aws: AwsClientFactory, rt: RuntimeServices, opts: PublishedAppReconcilerOptions = {}) {
    this.aws = aws;
    const resolved = resolveOptions(opts);
    const access = cacheLookups(rt, resolved.singleTenant);
    this.deps = {
      rt,
      access,
      listenerArnOf: (app) => listenerArnOf(access, app),
      apps: rt.cache<PublishedApp>(PUBLISHED_APP),
      endpointServices: rt.cache<EndpointService>(ENDPOINT_SERVICE),
      reads: new SharedReads(resolved.sharedReadMaxAgeMs),
      enis: new EniIpCache(),
      checkpoints: new Checkpoints(resolved.fullRecheckMs, () => resolved.now().getTime()),
      seenIps: new Map(),
      placed: new Map(),
      certificateLocks: new KeyedSerial(),
      frontDoorLocks: new KeyedSerial(),
      opts: resolved,
    };
  }

  /** The loop that enqueues apps whose observed AWS state changed (see observer.ts). */
  observation(): EventSource {
    return observationSource(this.deps, this.aws);
  }

  async reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<ReconcileResult | undefined> {
    const app = this.deps.apps.get(key);
    if (!app) return undefined;
    if (app.metadata?.deletionTimestamp) return this.finalizeChecked(app, ctx);
    const attached = attachmentOf(this.deps.access, app);
    if (!attached.ok) return this.refuse(app, attached.refusal, ctx);
    const refusal = consentRefusal(this.deps.access, app);
    if (refusal) return this.refuse(app, refusal, ctx);
    const s = this.session(app, attached.value, ctx.log);
    const desired = desiredFingerprint(s.app, serviceNameOf(s), s.attachment.frontDoor);
    const checkpoint = this.deps.checkpoints.check(s.uid, desired);
    if (checkpoint === 'holds' || (checkpoint === 'none' && (await this.resume(s, desired)))) {
      await this.refreshSyncTime(s);
      return undefined;
    }
    const ages = readAges(this.deps.opts, checkpoint === 'due');
    s.readMaxAgeMs = ages.sharedMs;
    s.referenceMaxAgeMs = ages.referenceMs;
    // Re-recorded if this walk, too, finds nothing to do.
    this.deps.checkpoints.forget(s.uid);
    return this.sync(s, desired);
  }

  private session(
    app: PublishedApp,
    attachment: Attachment,
    log: Logger,
    report = newReport(attachment.frontDoor ? ASPECTS : ALB_ASPECTS),
  ): Session {
    const clients = this.aws.clientsFor(attachment.target);
    return new Session(this.deps, app, { attachment, clients }, { log, report });
  }

  /**
   * A grant the app lacks: nothing is made or assumed for it. An app built before its grant
   * went away stops being served — its own rule (and API routes) removed, as the listener's identity — and
   * the rest of it stays until the grant returns or the app is deleted.
   */
  private async refuse(app: PublishedApp, refusal: Refusal, ctx: ReconcileContext): Promise<undefined> {
    this.forget(app.metadata?.uid ?? '');
    // A withdrawn adoption grant stops the reconciling only: taking the rule away would take
    // down what was adopted, not just what the grant let the app build.
    const cleanup = refusal.reason === 'AdoptionNotPermitted' ? undefined : this.withdrawalAttachment(app);
    const s = this.session(app, cleanup ?? UNATTACHED, ctx.log);
    if (cleanup) await this.withdraw(s);
    s.reportProblem(refusedAspect(refusal), refusal, 'Validate');
    await this.writeStatus(s);
    throw new TerminalError(refusal.reason, refusal.message);
  }

  /** The grant a built app's rule is taken back with; undefined when not built or not granted. */
  private withdrawalAttachment(app: PublishedApp): Attachment | undefined {
    if (!hasFinalizer(app)) return undefined;
    const cleanup = cleanupAttachmentOf(this.deps.access, app);
    return cleanup.ok ? cleanup.value : undefined;
  }

  /** Stops serving a built app: deletes its own rules and API routes (and forgets them in status). */
  private async withdraw(s: Session): Promise<void> {
    if (s.dryRun) return;
    await deleteOwnRules(s);
    Object.assign(s.report.fields, { ruleArn: undefined, priority: undefined, url: undefined });
    if (!s.attachment.frontDoor) return;
    await deleteOwnApi(s, s.attachment.frontDoor.apiId);
    Object.assign(s.report.fields, {
      apiId: undefined,
      apiIntegrationId: undefined,
      apiRouteIds: undefined,
      invokeUrl: undefined,
    });
  }

  /** Deletion, as the listener's identity; a missing or withdrawn identity blocks it, said why. */
  private async finalizeChecked(
    app: PublishedApp,
    ctx: ReconcileContext,
  ): Promise<ReconcileResult | undefined> {
    if (!hasFinalizer(app)) return undefined;
    const cleanup = cleanupAttachmentOf(this.deps.access, app);
    if (cleanup.ok) return this.finalize(this.session(app, cleanup.value, ctx.log));
    // No AWS call, so no identity needed (an adopted app's resources keep the ownership tags then).
    if (deletionPolicyOf(app.spec) === 'Retain') return this.finalize(this.session(app, UNATTACHED, ctx.log));
    const s = this.session(app, UNATTACHED, ctx.log);
    const message = `cannot clean up: ${cleanup.refusal.message}; grant it again, or remove the finalizer to leave the AWS resources`;
    s.reportProblem('endpoint', { reason: 'DeletionBlocked', message }, 'Delete');
    await this.writeStatus(s);
    return { requeueAfterMs: this.deps.opts.deletionRetryMs };
  }

  /**
   * An object skipped by its checkpoint still shows that it is being watched: lastSyncTime
   * moves every `syncTimeRefreshMs` (the observation has confirmed its endpoint, SGs and
   * rule within the last rounds).
   */
  private async refreshSyncTime(s: Session): Promise<void> {
    const last = s.app.status?.lastSyncTime;
    const now = this.deps.opts.now();
    if (
      s.dryRun ||
      !s.app.status ||
      (last && now.getTime() - Date.parse(last) < this.deps.opts.syncTimeRefreshMs)
    )
      return;
    const status = { ...s.app.status, lastSyncTime: rfc3339(now) };
    await this.deps.rt.status.update(PUBLISHED_APP, s.app, status);
  }

  /**
   * The first look of this process at an app (after a restart or a hand-over): when the
   * status checkpoint of its last clean pass holds for the spec, this observation and the
   * status as it is, the app is checkpointed here as if this process had walked it — its
   * first walk skipped, the next full walk due as usual. Costs only the scope-wide describes
   * every app shares, read as old as a full walk may.
   */
  private async resume(s: Session, desired: string): Promise<boolean> {
    const kept = s.app.status?.checkpoint;
    if (!this.deps.checkpoints.firstLook(s.uid) || !kept || s.dryRun || !s.app.status) return false;
    s.readMaxAgeMs = readAges(this.deps.opts, true).sharedMs;
    const observed = await this.observe(s);
    if (statusCheckpoint(desired, observed, s.app.status) !== kept) {
      s.log.info('status checkpoint does not hold: walking the app');
      return false;
    }
    this.deps.checkpoints.record(s.uid, desired, observed);
    await this.trustEniIps(s);
    return true;
  }

  /**
   * The resumed app's addresses as its status says: the checkpoint's digest binds its
   * endpoint's ENI ids (in the slice) to status.endpointIPs, and an ENI keeps its address for
   * life, so its next walk needs no DescribeNetworkInterfaces while those ENIs stay.
   */
  private async trustEniIps(s: Session): Promise<void> {
    const status = s.app.status;
    const live = (await ownedEndpoints(s)).find((e) => e.id === status?.endpointId);
    if (live && status?.endpointIPs)
      s.deps.enis.trust(s.clients.scope, live.networkInterfaceIds, status.endpointIPs);
  }

  /**
   * After a reconcile that found nothing to do and everything Ready: what it observed, to
   * skip the app until something changes; undefined when the pass was not clean.
   */
  private async cleanObservation(s: Session): Promise<string | undefined> {
    const clean = s.report.aspects.every(
      (a) => s.report.verdicts[a]?.status === 'True' || s.report.refused.includes(a),
    );
    if (s.dryRun || !clean || s.requeue.length > 0) return undefined;
    return this.observe(s);
  }

  /** The app's slice of the scope-wide describes, as a fingerprint. */
  private async observe(s: Session): Promise<string> {
    const listenerArn = s.listenerArn;
    const [endpoints, securityGroups, rules, targetGroups] = await Promise.all([
      scopeEndpoints(s.deps, s.clients, s.readMaxAgeMs),
      scopeSecurityGroups(s.deps, s.clients, s.readMaxAgeMs),
      rulesOfListener(s.deps, s.clients, listenerArn, s.readMaxAgeMs),
      targetGroupsOfLoadBalancer(s.deps, s.clients, loadBalancerArnOfListener(listenerArn), s.readMaxAgeMs),
    ]);
    const recorded = {
      uid: s.uid,
      ruleArn: s.report.fields.ruleArn ?? s.app.status?.ruleArn,
      targetGroupArn: s.report.fields.targetGroupArn ?? s.app.status?.targetGroupArn,
    };
    const slice = sliceOf(recorded, { endpoints, securityGroups, rules, targetGroups }, TAG_KEYS.uid);
    return observedFingerprint(slice);
  }

  private async sync(s: Session, desired: string): Promise<ReconcileResult | undefined> {
    let phase: Aspect = 'endpoint';
    const failed: StepFailure[] = [];
    try {
      const refs = await resolveReferences(s);
      if (!refs) {
        await this.writeStatus(s);
        return undefined; // the EndpointService watch brings the app back
      }
      // Before anything is created in AWS, so a deletion can never orphan it.
      const app = s.dryRun ? s.app : await this.deps.rt.finalizers.add(PUBLISHED_APP, s.app, FINALIZER);
      const session =
        app === s.app
          ? s
          : new Session(
              this.deps,
              app,
              { attachment: s.attachment, clients: s.clients },
              { log: s.log, report: s.report },
            );
      if (refs.adoption) await tagAdopted(session, refs.adoption);
      // Each step whose AWS call fails falls back to what AWS holds, so the steps after it
      // still converge (above all the targets on the live ENIs); the failure is reported last.
      // Only a built app falls back: nothing new is made on top of a failed step.
      const step = <T>(aspect: Aspect, run: () => Promise<T>, fallback: () => T | undefined) => {
        phase = aspect;
        return withFallback(failed, aspect, run, fallback);
      };
      const sgId = await step(
        'securityGroups',
        () => syncSecurityGroups(session, refs),
        () => (liveEndpoint(session, refs) ? app.status?.securityGroupId : undefined),
      );
      const endpoint = await step(
        'endpoint',
        () => syncEndpoint(session, refs, sgId),
        () => observedEndpoint(session, refs),
      );
      const tgArn = await step(
        'targets',
        () => syncTargets(session, refs, endpoint),
        () => app.status?.targetGroupArn,
      );
      const routed = refs.routeProblem
        ? holdRefusedRoute(session, refs.routeProblem)
        : await step(
            'route',
            () => syncRoute(session, refs, tgArn),
            () => false,
          );
      await this.apiStep(session, refs, step);
      if (failed.length === 0) {
        if (routed) await this.removeObsolete(session, refs, endpoint, tgArn);
        await syncTags(session, session.report.fields);
        await this.complete(session, desired);
        s.requeue.push(...session.requeue);
        return this.next(s);
      }
    } catch (err) {
      failed.unshift({ aspect: phase, err });
    }
    const [first, ...rest] = failed;
    return first ? this.failSteps(s, [first, ...rest]) : undefined;
  }

  /** A pass that got through: its status, and its checkpoint when it was clean (in status too). */
  private async complete(s: Session, desired: string): Promise<void> {
    const observed = await this.cleanObservation(s);
    const clean = observed === undefined ? undefined : { desired, observed };
    await this.writeStatus(s, clean);
    if (clean) this.deps.checkpoints.record(s.uid, desired, clean.observed);
  }

  /** The API hop after the route (behind the API front door only), or its held refusal. */
  private async apiStep(
    s: Session,
    refs: References,
    step: (aspect: Aspect, run: () => Promise<boolean>, fallback: () => boolean) => Promise<boolean>,
  ): Promise<boolean> {
    if (refs.apiProblem) return holdRefusedApi(s, refs.apiProblem);
    const api = refs.api;
    if (!api) return true;
    return step(
      'api',
      () => syncApi(s, refs, api),
      () => false,
    );
  }

  /**
   * After traffic has moved: the endpoints of a previous service (or duplicates), the target
   * group of a previous protocol/port, a rule left on a previous listener, and a certificate
   * the rule no longer needs.
   */
  private async removeObsolete(
    s: Session,
    refs: References,
    endpoint: EndpointOutcome,
    tgArn: string,
  ): Promise<void> {
    await removeObsoleteEndpoints(s, endpoint);
    await removeRuleOnPreviousListener(s, refs);
    await removePreviousTargetGroup(s, refs, tgArn);
    await releasePreviousCertificate(s);
    await releasePreviousApi(s, refs);
  }

  private async finalize(s: Session): Promise<ReconcileResult | undefined> {
    if (!hasFinalizer(s.app)) return undefined;
    if (deletionPolicyOf(s.app.spec) === 'Retain') {
      if (s.app.spec.adopt && s.attachment !== UNATTACHED) {
        await disown(s);
        // Only published: the finalizer stays, or the tags would stay for good.
        if (s.dryRun) return undefined;
      }
      s.event('Normal', 'Retained', 'Delete', 'deletionPolicy Retain: AWS resources left in place');
      await this.release(s);
      return undefined;
    }
    try {
      return await this.deleteAll(s);
    } catch (err) {
      await this.reportDeletionFailure(s, err);
      throw err;
    }
  }

  /** Deletes what the app owns; the finalizer goes once nothing is left. */
  private async deleteAll(s: Session): Promise<ReconcileResult | undefined> {
    const done = await deleteOwned(s);
    // In a dry run nothing was deleted: keep the finalizer so nothing is orphaned.
    if (s.dryRun) return undefined;
    if (!done) {
      s.verdict('endpoint', {
        status: 'False',
        reason: 'DeletionBlocked',
        message: 'waiting for the endpoint network interfaces to go before deleting the security group',
      });
      await this.writeStatus(s);
      return { requeueAfterMs: this.deps.opts.deletionRetryMs };
    }
    s.event('Normal', 'Deleted', 'Delete', 'AWS resources deleted');
    await this.release(s);
    return undefined;
  }

  /**
   * A failed deletion, said once on the endpoint condition. It is retried with backoff whatever
   * the kind (a permission may come back).
   */
  private async reportDeletionFailure(s: Session, err: unknown): Promise<void> {
    const info = classifyAwsError(err);
    const message = `deleting: ${info.code}: ${info.message}`;
    s.log.warn({ code: info.code }, message);
    s.reportProblem('endpoint', { reason: failureReason(info), message }, 'Delete');
    await this.writeStatusOrWarn(s);
  }

  /** Removes the finalizer and forgets the app. */
  private async release(s: Session): Promise<void> {
    await this.deps.rt.finalizers.remove(PUBLISHED_APP, s.app, FINALIZER);
    this.forget(s.uid);
  }

  /** Drops what this process remembers about a deleted app. */
  private forget(uid: string): void {
    this.deps.checkpoints.drop(uid);
    this.deps.seenIps.delete(uid);
    this.deps.placed.delete(uid);
  }

  private next(s: Session): ReconcileResult | undefined {
    return s.requeue.length > 0 ? { requeueAfterMs: Math.min(...s.requeue) } : undefined;
  }

  /** Writes the status; a failed write is logged, not thrown (a failure is being reported already). */
  private async writeStatusOrWarn(s: Session): Promise<void> {
    await this.writeStatus(s).catch((e: unknown) => {
      s.log.warn({ err: e }, 'status write failed');
    });
  }

  /** @param clean what a clean pass wanted and saw: its checkpoint goes into the status. */
  private async writeStatus(s: Session, clean?: { desired: string; observed: string }): Promise<void> {
    if (s.dryRun) return;
    const status = buildStatus({
      previous: s.app.status,
      report: s.report,
      generation: s.generation,
      now: this.deps.opts.now(),
      syncTimeRefreshMs: this.deps.opts.syncTimeRefreshMs,
    });
    await this.deps.rt.status.update(PUBLISHED_APP, s.app, withStatusCheckpoint(status, clean));
  }

  /** Reports every deferred step failure; the first decides retry vs terminal. */
  private async failSteps(
    s: Session,
    [first, ...rest]: readonly [StepFailure, ...StepFailure[]],
  ): Promise<ReconcileResult | undefined> {
    for (const { aspect, err } of rest) {
      const info = classifyAwsError(err);
      const reason = failureReason(info);
      s.verdict(aspect, { status: 'False', reason, message: `${info.code}: ${info.message}` });
    }
    return this.fail(s, first.aspect, first.err);
  }

  /** Reports the failure on the aspect being worked on; decides retry vs terminal. */
  private async fail(s: Session, phase: Aspect, err: unknown): Promise<ReconcileResult | undefined> {
    if (err instanceof StepProblem) {
      s.reportProblem(err.aspect, err, 'Validate');
      await this.writeStatus(s);
      throw new TerminalError(err.reason, err.message, { cause: err });
    }
    const info = classifyAwsError(err);
    const reason = failureReason(info);
    const message = `${info.code}: ${info.message}`;
    s.verdict(phase, { status: 'False', reason, message });
    await this.writeStatusOrWarn(s);
    // Retrying cannot fix these until the spec, the permissions or the world change.
    if (info.kind === 'accessDenied' || info.kind === 'invalidInput') {
      if (s.previous(phase)?.reason !== reason) s.event('Warning', reason, 'Reconcile', message);
      throw new TerminalError(reason, message, { cause: err });
    }
    throw err;
  }
}
