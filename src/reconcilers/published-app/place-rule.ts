/**
 * Where the app's rule goes, decided while resolving (before any change): the listener's
 * rules are attributed (ours / another PublishedApp's / foreign), then the rule's priority is
 * chosen and its paths and the ALB's room are checked. `sync-rule.ts` applies the result.
 */
import type { PublishedApp } from '../../api/v1alpha1.ts';
import type * as ops from './aws-ops.ts';
import { appTargetGroupName, loadBalancerArnOfListener, targetGroupNameOfArn } from './names.ts';
import {
  decidePath,
  decidePriority,
  type AppRank,
  type PriorityClaim,
  type PriorityDecision,
  type RuleOwner,
  type RuleSlot,
} from './plan-priority.ts';
import { lacksRoom, type RuleConditions } from './plan-rule.ts';
import { listenersOfLoadBalancer, rulesOfListener } from './scope-reads.ts';
import { latestStatus, StepProblem, type Session } from './session.ts';

/** A listener's rules, shared by the apps on it for a moment. */
export function listenerRules(s: Session, listenerArn: string): Promise<ops.ListenerRule[]> {
  return rulesOfListener(s.deps, s.clients, listenerArn, s.readMaxAgeMs);
}

/**
 * The rules the listener's ALB holds across all its listeners, default rules not counted —
 * what AWS's per-ALB quota counts. Read only when an app needs a new rule.
 */
async function albRuleCount(s: Session, listenerArn: string): Promise<number> {
  const all = await Promise.all((await albListeners(s, listenerArn)).map((arn) => listenerRules(s, arn)));
  return all.flat().filter((r) => !r.isDefault).length;
}

/** Every listener of `listenerArn`'s ALB (itself included): what the per-ALB quotas count across. */
export async function albListeners(s: Session, listenerArn: string): Promise<string[]> {
  const loadBalancerArn = loadBalancerArnOfListener(listenerArn);
  const listeners = await listenersOfLoadBalancer(s.deps, s.clients, loadBalancerArn, s.referenceMaxAgeMs);
  return [...new Set([listenerArn, ...listeners])];
}

/** Whether the app needs a new rule and its ALB has no room; said as RuleLimitExceeded. */
export async function roomProblem(
  s: Session,
  listenerArn: string,
  own: readonly object[],
): Promise<string | undefined> {
  if (own.length > 0) return undefined;
  const quota = s.deps.opts.albRuleQuota;
  const ruleCount = await albRuleCount(s, listenerArn);
  if (!lacksRoom({ own, ruleCount, maxRules: quota })) return undefined;
  return `load balancer ${loadBalancerArnOfListener(listenerArn)} holds ${ruleCount} rules across its listeners (default rules not counted); its quota is ${quota} (--alb-rule-quota)`;
}

/**
 * Whether the rule is the app's: recorded as its rule, the rule it adopts, or forwarding to
 * one of its target groups.
 */
export function ruleBelongsTo(rule: ops.ListenerRule, app: PublishedApp): boolean {
  if (rule.arn === app.status?.ruleArn || rule.arn === app.spec.adopt?.ruleArn) return true;
  const names = new Set([appTargetGroupName(app), targetGroupNameOfArn(app.status?.targetGroupArn ?? '')]);
  return rule.forwardTargetGroupArns.some(
    (arn) => arn === app.status?.targetGroupArn || names.has(targetGroupNameOfArn(arn)),
  );
}

function rankOf(app: PublishedApp): AppRank {
  const created = app.metadata?.creationTimestamp;
  return {
    createdAtMs: created ? new Date(created).getTime() : 0,
    key: `${app.metadata?.namespace ?? ''}/${app.metadata?.name ?? ''}`,
  };
}

function keyOf(app: PublishedApp): string {
  return rankOf(app).key;
}

/** Other live apps on `listenerArn` (default: the app's own listener). */
export function neighbours(s: Session, listenerArn = s.listenerArn): PublishedApp[] {
  return s.deps.apps
    .list()
    .filter(
      (a) =>
        a.metadata?.uid !== s.uid &&
        !a.metadata?.deletionTimestamp &&
        s.deps.listenerArnOf(a) === listenerArn,
    );
}

function attribute(rule: ops.ListenerRule, self: PublishedApp, others: readonly PublishedApp[]): RuleOwner {
  if (ruleBelongsTo(rule, self)) return { kind: 'self' };
  const other = others.find((a) => ruleBelongsTo(rule, a));
  return other ? { kind: 'app', app: keyOf(other) } : { kind: 'foreign' };
}

export function conditionsOf(app: PublishedApp): RuleConditions {
  return { pathPatterns: app.spec.routing.pathPatterns, hostHeaders: app.spec.routing.hostHeaders ?? [] };
}

/**
 * The priority another app holds a claim on: its spec's, else its recorded one (our last
 * status write is fresher than the informer's copy), else the one this process allocated to
 * it on this listener and whose rule may not exist yet.
 */
function claimOf(s: Session, app: PublishedApp): number | undefined {
  const uid = app.metadata?.uid ?? '';
  return (
    app.spec.routing.priority ??
    latestStatus(s.deps, app)?.priority ??
    placedOn(s, uid, s.deps.listenerArnOf(app) ?? '')
  );
}

/** The priority this process allocated to the app `uid` on `listenerArn`, if any. */
function placedOn(s: Session, uid: string, listenerArn: string): number | undefined {
  const placed = s.deps.placed.get(uid);
  return placed?.listenerArn === listenerArn ? placed.priority : undefined;
}

function claimsOf(s: Session, others: readonly PublishedApp[]): PriorityClaim[] {
  return others.flatMap((a) => {
    const priority = claimOf(s, a);
    return priority === undefined ? [] : [{ rank: rankOf(a), priority }];
  });
}

/** Other apps still waiting for an allocated priority: no claim on one, no rule. */
function queueOf(s: Session, others: readonly PublishedApp[], slots: readonly RuleSlot[]): AppRank[] {
  const placed = new Set(slots.flatMap((r) => (r.owner.kind === 'app' ? [r.owner.app] : [])));
  return others.filter((a) => claimOf(s, a) === undefined && !placed.has(keyOf(a))).map(rankOf);
}

/** The listener's non-default rules, each attributed to its owner. */
function slotsOf(
  rules: readonly ops.ListenerRule[],
  self: PublishedApp,
  others: readonly PublishedApp[],
): RuleSlot[] {
  return rules
    .filter((r) => !r.isDefault)
    .map((r) => ({
      arn: r.arn,
      priority: r.priority,
      owner: attribute(r, self, others),
      conditions: r.conditions,
    }));
}

const isOwn = (slot: RuleSlot): boolean => slot.owner.kind === 'self';

/** The app's priority on `listenerArn`, judged against the listener's rules and the other apps' claims. */
function choosePriority(
  s: Session,
  listenerArn: string,
  slots: readonly RuleSlot[],
  others: readonly PublishedApp[],
): PriorityDecision {
  const own = slots.filter(isOwn);
  return decidePriority({
    self: rankOf(s.app),
    explicit: s.app.spec.routing.priority,
    recorded: s.app.status?.priority ?? placedOn(s, s.uid, listenerArn),
    ownRulePriority: (own.find((r) => r.arn === s.app.status?.ruleArn) ?? own[0])?.priority,
    slots,
    claims: claimsOf(s, others),
    queue: queueOf(s, others, slots),
    allocation: s.attachment.priorities ?? s.deps.opts.priorityAllocation,
  });
}

/** Why a priority decision gives the app no priority. */
function priorityProblem(decision: Exclude<PriorityDecision, { kind: 'use' }>): StepProblem {
  return decision.kind === 'conflict'
    ? new StepProblem(
        'route',
        'PriorityConflict',
        `priority ${decision.priority} is held by ${decision.holder}`,
      )
    : new StepProblem(
        'route',
        'NoFreePriority',
        'no free priority left in the allocation range; set routing.priority',
      );
}

/** @throws StepProblem `PathConflict` when another rule or an older app has one of the app's paths. */
function checkPaths(s: Session, slots: readonly RuleSlot[], others: readonly PublishedApp[]): void {
  const path = decidePath({
    self: rankOf(s.app),
    want: conditionsOf(s.app),
    slots,
    claims: others.map((a) => ({ rank: rankOf(a), conditions: conditionsOf(a) })),
  });
  if (path.kind === 'conflict') {
    throw new StepProblem('route', 'PathConflict', `path ${path.path} is already served by ${path.holder}`);
  }
}

/**
 * Records an allocated priority as the app's the moment it is decided, so that the next app
 * placed by another worker before our rule exists takes another slot; an explicit one needs
 * no record.
 */
function holdPlacement(s: Session, listenerArn: string, priority: number): void {
  if (s.app.spec.routing.priority === undefined) s.deps.placed.set(s.uid, { listenerArn, priority });
  else s.deps.placed.delete(s.uid);
}

/**
 * Where the app's rule may sit, judged against every rule on the listener and the other apps
 * on it — before any change is made, so an app that cannot have its rule gets nothing.
 * @returns the rule's priority.
 * @throws StepProblem `PriorityConflict`, `NoFreePriority`, `PathConflict` or `RuleLimitExceeded`.
 */
export async function placeRule(s: Session, listenerArn: string): Promise<number> {
  const rules = await listenerRules(s, listenerArn);
  const others = neighbours(s);
  const slots = slotsOf(rules, s.app, others);
  const priority = choosePriority(s, listenerArn, slots, others);
  if (priority.kind !== 'use') throw priorityProblem(priority);
  checkPaths(s, slots, others);
  const full = await roomProblem(s, listenerArn, slots.filter(isOwn));
  if (full) throw new StepProblem('route', 'RuleLimitExceeded', full);
  holdPlacement(s, listenerArn, priority.priority);
  return priority.priority;
}
