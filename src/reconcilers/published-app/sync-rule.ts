/**
 * The listener rule. `placeRule` (called while resolving, before any change) attributes the
 * listener's rules (ours / another PublishedApp's / foreign) and decides the rule's priority,
 * that its paths are free and that the listener has room; `syncRule` (the step) creates or
 * corrects the rule in place.
 */
import type { PublishedApp } from '../../api/v1alpha1.ts';
import { classifyAwsError } from '../../aws/errors.ts';
import * as ops from './aws-ops.ts';
import { classifyChange } from './drift.ts';
import { appUrl, loadBalancerArnOfListener, targetGroupName } from './names.ts';
import {
  decidePath,
  decidePriority,
  type AppRank,
  type PriorityClaim,
  type RuleOwner,
  type RuleSlot,
} from './plan-priority.ts';
import { lacksRoom, planRule, type RuleAction, type RuleConditions, type RulePlan } from './plan-rule.ts';
import type { References } from './resolve.ts';
import { listenersOfLoadBalancer, patchListenerRules, readKeys, rulesOfListener } from './scope-reads.ts';
import { StepProblem, type Session } from './session.ts';

/** A listener's rules, shared by the apps on it for a moment. */
export function listenerRules(s: Session, listenerArn: string): Promise<ops.ListenerRule[]> {
  return rulesOfListener(s.deps, s.clients, listenerArn, s.readMaxAgeMs);
}

/**
 * The rules the listener's ALB holds across all its listeners, default rules not counted —
 * what AWS's per-ALB quota counts. Read only when an app needs a new rule.
 */
async function albRuleCount(s: Session, listenerArn: string): Promise<number> {
  const loadBalancerArn = loadBalancerArnOfListener(listenerArn);
  const listeners = await listenersOfLoadBalancer(s.deps, s.clients, loadBalancerArn, s.referenceMaxAgeMs);
  const all = await Promise.all(
    [...new Set([listenerArn, ...listeners])].map((arn) => listenerRules(s, arn)),
  );
  return all.flat().filter((r) => !r.isDefault).length;
}

/** Whether the app needs a new rule and its ALB has no room; said as RuleLimitExceeded. */
async function roomProblem(
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

const tgNameOf = (arn: string): string => /:targetgroup\/([^/]+)\//.exec(arn)?.[1] ?? '';

function appTargetGroupName(app: PublishedApp): string {
  return targetGroupName(app.metadata?.uid ?? '', app.spec.target.protocol ?? 'HTTP', app.spec.target.port);
}

/** Whether the rule is the app's: recorded as its rule, or forwarding to one of its target groups. */
export function ruleBelongsTo(rule: ops.ListenerRule, app: PublishedApp): boolean {
  if (rule.arn === app.status?.ruleArn) return true;
  const names = new Set([appTargetGroupName(app), tgNameOf(app.status?.targetGroupArn ?? '')]);
  return rule.forwardTargetGroupArns.some(
    (arn) => arn === app.status?.targetGroupArn || names.has(tgNameOf(arn)),
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

/** Other live apps on the same listener. */
function neighbours(s: Session): PublishedApp[] {
  return s.deps.apps
    .list()
    .filter(
      (a) =>
        a.metadata?.uid !== s.uid &&
        !a.metadata?.deletionTimestamp &&
        s.deps.listenerArnOf(a) === s.listenerArn,
    );
}

function attribute(rule: ops.ListenerRule, self: PublishedApp, others: readonly PublishedApp[]): RuleOwner {
  if (ruleBelongsTo(rule, self)) return { kind: 'self' };
  const other = others.find((a) => ruleBelongsTo(rule, a));
  return other ? { kind: 'app', app: keyOf(other) } : { kind: 'foreign' };
}

function conditionsOf(app: PublishedApp): RuleConditions {
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
    s.deps.written.get(uid)?.priority ??
    app.status?.priority ??
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

function describeAction(a: RuleAction, listenerArn: string): string {
  switch (a.type) {
    case 'createRule':
      return `create rule at priority ${a.priority} on ${listenerArn}: ${a.conditions.pathPatterns.join(', ')} → ${a.targetGroupArn}`;
    case 'modifyRule':
      return `modify rule ${a.ruleArn}: ${a.conditions.pathPatterns.join(', ')} → ${a.targetGroupArn}`;
    case 'setRulePriority':
      return `move rule ${a.ruleArn} to priority ${a.priority}`;
    case 'deleteRule':
      return `delete duplicate rule ${a.ruleArn}`;
  }
}

/**
 * Applies one rule action and writes its result through to the listener's memoised rules.
 * @returns the ARN of a created rule.
 */
async function applyRuleAction(s: Session, a: RuleAction, listenerArn: string): Promise<string | undefined> {
  const { elbv2, scope } = s.clients;
  const what = describeAction(a, listenerArn);
  const written = (arn: string, rule: ops.ListenerRule | undefined): void => {
    // A response without the rule (never seen) leaves nothing to write: read them all again.
    if (rule?.arn) patchListenerRules(s.deps.reads, scope, listenerArn, arn, rule);
    else s.deps.reads.invalidate(readKeys.rules(scope, listenerArn));
  };
  // The ALB's target groups are the ones its rules forward to: a rule that now forwards to
  // the app's group changes that list (a checkpoint taken from the old one would not match
  // the next observation, and walk the app once more for nothing).
  const forwardsChanged = (): void => {
    s.deps.reads.invalidate(readKeys.targetGroups(scope, loadBalancerArnOfListener(listenerArn)));
  };
  switch (a.type) {
    case 'createRule': {
      const rule = await s.act('Create', what, () =>
        ops.createRule(elbv2, listenerArn, a.priority, a.conditions, a.targetGroupArn, s.tags()),
      );
      if (!s.dryRun) {
        written(rule?.arn ?? '', rule);
        forwardsChanged();
      }
      return rule?.arn;
    }
    case 'modifyRule': {
      const rule = await s.act('Modify', what, () =>
        ops.modifyRule(elbv2, a.ruleArn, a.conditions, a.targetGroupArn),
      );
      if (!s.dryRun) {
        written(a.ruleArn, rule);
        forwardsChanged();
      }
      return undefined;
    }
    case 'setRulePriority': {
      const rule = await s.act('Modify', what, () => ops.setRulePriority(elbv2, a.ruleArn, a.priority));
      if (!s.dryRun) written(a.ruleArn, rule);
      return undefined;
    }
    case 'deleteRule':
      await s.act('Delete', what, () => ops.deleteRule(elbv2, a.ruleArn));
      if (!s.dryRun) {
        patchListenerRules(s.deps.reads, scope, listenerArn, a.ruleArn);
        forwardsChanged();
      }
      return undefined;
  }
}

function refuse(s: Session, reason: string, message: string): void {
  if (s.previous('route')?.reason !== reason) s.event('Warning', reason, 'Route', message);
  s.verdict('route', { status: 'False', reason, message });
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
  const slots: RuleSlot[] = rules
    .filter((r) => !r.isDefault)
    .map((r) => ({
      arn: r.arn,
      priority: r.priority,
      owner: attribute(r, s.app, others),
      conditions: r.conditions,
    }));
  const own = slots.filter((r) => r.owner.kind === 'self');
  const self = rankOf(s.app);
  const priority = decidePriority({
    self,
    explicit: s.app.spec.routing.priority,
    recorded: s.app.status?.priority ?? placedOn(s, s.uid, listenerArn),
    ownRulePriority: (own.find((r) => r.arn === s.app.status?.ruleArn) ?? own[0])?.priority,
    slots,
    claims: claimsOf(s, others),
    queue: queueOf(s, others, slots),
    allocation: s.attachment.priorities ?? s.deps.opts.priorityAllocation,
  });
  if (priority.kind === 'conflict') {
    throw new StepProblem(
      'route',
      'PriorityConflict',
      `priority ${priority.priority} is held by ${priority.holder}`,
    );
  }
  if (priority.kind === 'exhausted') {
    throw new StepProblem(
      'route',
      'NoFreePriority',
      'no free priority left in the allocation range; set routing.priority',
    );
  }
  const path = decidePath({
    self,
    want: conditionsOf(s.app),
    slots,
    claims: others.map((a) => ({ rank: rankOf(a), conditions: conditionsOf(a) })),
  });
  if (path.kind === 'conflict') {
    throw new StepProblem('route', 'PathConflict', `path ${path.path} is already served by ${path.holder}`);
  }
  const full = await roomProblem(s, listenerArn, own);
  if (full) throw new StepProblem('route', 'RuleLimitExceeded', full);
  // Claimed at once (nothing above awaited since the rules were read), so that the next app
  // placed by another worker before our rule exists takes another slot.
  if (s.app.spec.routing.priority === undefined) {
    s.deps.placed.set(s.uid, { listenerArn, priority: priority.priority });
  } else s.deps.placed.delete(s.uid);
  return priority.priority;
}

/**
 * Applies the rule plan in order. @returns the rule's ARN, or null when AWS refused for a
 * reason that is reported (a priority taken meanwhile, the listener full).
 */
async function applyPlan(
  s: Session,
  plan: RulePlan,
  listenerArn: string,
  priority: number,
): Promise<string | undefined | null> {
  let ruleArn = plan.ruleArn;
  try {
    for (const action of plan.actions) ruleArn = (await applyRuleAction(s, action, listenerArn)) ?? ruleArn;
  } catch (err) {
    // What the listener holds now is unknown (or another writer's): read it again.
    s.deps.reads.invalidate(readKeys.rules(s.clients.scope, listenerArn));
    const { code } = classifyAwsError(err);
    if (code === 'PriorityInUse') {
      // Lost a race for the slot: look again soon (an allocated priority moves on).
      s.poll(s.deps.opts.verifyMs);
      refuse(s, 'PriorityConflict', `priority ${priority} was just taken`);
      return null;
    }
    if (/^TooMany(Rules|Actions)/.test(code)) {
      refuse(s, 'RuleLimitExceeded', `listener ${listenerArn}: ${code}`);
      return null;
    }
    throw err;
  }
  if (ruleArn && plan.actions.some((a) => a.type === 'createRule')) {
    s.event('Normal', 'RuleCreated', 'Create', `rule ${ruleArn} at priority ${priority}`);
  }
  return ruleArn;
}

function report(s: Session, plan: RulePlan, ruleArn: string | undefined, priority: number): boolean {
  const kind = classifyChange(plan.differences, s.previous('route'), s.generation);
  if (kind === 'drift') {
    const message = `put back: ${plan.differences.join('; ')}`;
    s.event('Warning', 'Drifted', 'Update', `rule: ${message}`);
    s.verdict('route', { status: 'False', reason: 'Drifted', message });
    return false;
  }
  if (!ruleArn) {
    s.verdict('route', { status: 'False', reason: 'Pending', message: 'dry run: the rule would be created' });
    return false;
  }
  const paths = s.app.spec.routing.pathPatterns.join(', ');
  s.verdict('route', {
    status: 'True',
    reason: 'Configured',
    message: `rule at priority ${priority} forwards ${paths}`,
  });
  return true;
}

/** @returns true when the route is in place (and was not just put back). */
export async function syncRule(s: Session, refs: References, targetGroupArn: string): Promise<boolean> {
  const listenerArn = refs.listener.listenerArn;
  const rules = await listenerRules(s, listenerArn);
  const own = rules.filter((r) => !r.isDefault && ruleBelongsTo(r, s.app));
  const ownRule = own.find((r) => r.arn === s.app.status?.ruleArn) ?? own[0];
  s.report.fields.ruleArn = ownRule?.arn;
  s.report.fields.priority = ownRule?.priority ?? s.app.status?.priority;
  const { priority } = refs;
  const conditions = conditionsOf(s.app);
  // Room was checked while resolving; the ALB may have filled up since.
  const full = await roomProblem(s, listenerArn, own);
  if (full) {
    refuse(s, 'RuleLimitExceeded', full);
    return false;
  }
  const plan = planRule({
    desired: { conditions, targetGroupArn, priority },
    own,
    recordedArn: s.app.status?.ruleArn,
  });
  const ruleArn = await applyPlan(s, plan, listenerArn, priority);
  if (ruleArn === null) return false;
  s.report.fields.ruleArn = ruleArn;
  s.report.fields.priority = priority;
  s.report.fields.url = appUrl(refs.listener.protocol, refs.loadBalancer.dnsName, conditions.pathPatterns);
  return report(s, plan, ruleArn, priority);
}
