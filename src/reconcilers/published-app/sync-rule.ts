/**
 * The listener rule step: creates or corrects the app's rule in place, at the priority
 * `place-rule.ts` chose while resolving, and writes each change through to the listener's
 * memoised rules.
 */
import { classifyAwsError } from '../../aws/errors.ts';
import * as ops from './aws-ops.ts';
import { classifyChange } from './drift.ts';
import { appUrl, loadBalancerArnOfListener } from './names.ts';
import { conditionsOf, listenerRules, roomProblem, ruleBelongsTo } from './place-rule.ts';
import { planRule, type RuleAction, type RulePlan } from './plan-rule.ts';
import type { References } from './resolve.ts';
import { patchListenerRules, readKeys } from './scope-reads.ts';
import type { Session } from './session.ts';

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

/** One rule action under way: the session, the listener it is on, and what it does (said). */
interface RuleWrite {
  s: Session;
  listenerArn: string;
  what: string;
}

/**
 * Writes a changed rule through to the listener's memoised rules. A response without the rule
 * (never seen) leaves nothing to write: they are all read again.
 */
function written(w: RuleWrite, arn: string, rule: ops.ListenerRule | undefined): void {
  const { s, listenerArn } = w;
  if (rule?.arn) patchListenerRules(s.deps.reads, s.clients.scope, { listenerArn, arn, rule });
  else s.deps.reads.invalidate(readKeys.rules(s.clients.scope, listenerArn));
}

/**
 * The ALB's target groups are the ones its rules forward to: a rule that now forwards to the
 * app's group changes that list (a checkpoint taken from the old one would not match the next
 * observation, and walk the app once more for nothing).
 */
function forwardsChanged(w: RuleWrite): void {
  const { scope } = w.s.clients;
  w.s.deps.reads.invalidate(readKeys.targetGroups(scope, loadBalancerArnOfListener(w.listenerArn)));
}

type ActionOf<T extends RuleAction['type']> = Extract<RuleAction, { type: T }>;

/** @returns the created rule's ARN. */
async function createRule(w: RuleWrite, a: ActionOf<'createRule'>): Promise<string | undefined> {
  const { s, listenerArn } = w;
  const rule = await s.act('Create', w.what, () =>
    ops.createRule(s.clients.elbv2, {
      listenerArn,
      priority: a.priority,
      conditions: a.conditions,
      targetGroupArn: a.targetGroupArn,
      tags: s.tags(),
    }),
  );
  if (!s.dryRun) {
    written(w, rule?.arn ?? '', rule);
    forwardsChanged(w);
  }
  return rule?.arn;
}

async function modifyRule(w: RuleWrite, a: ActionOf<'modifyRule'>): Promise<undefined> {
  const { s } = w;
  const rule = await s.act('Modify', w.what, () =>
    ops.modifyRule(s.clients.elbv2, a.ruleArn, a.conditions, a.targetGroupArn),
  );
  if (!s.dryRun) {
    written(w, a.ruleArn, rule);
    forwardsChanged(w);
  }
  return undefined;
}

async function setRulePriority(w: RuleWrite, a: ActionOf<'setRulePriority'>): Promise<undefined> {
  const { s } = w;
  const rule = await s.act('Modify', w.what, () =>
    ops.setRulePriority(s.clients.elbv2, a.ruleArn, a.priority),
  );
  if (!s.dryRun) written(w, a.ruleArn, rule);
  return undefined;
}

async function deleteRule(w: RuleWrite, a: ActionOf<'deleteRule'>): Promise<undefined> {
  const { s, listenerArn } = w;
  await s.act('Delete', w.what, () => ops.deleteRule(s.clients.elbv2, a.ruleArn));
  if (!s.dryRun) {
    patchListenerRules(s.deps.reads, s.clients.scope, { listenerArn, arn: a.ruleArn });
    forwardsChanged(w);
  }
  return undefined;
}

/**
 * Applies one rule action and writes its result through to the listener's memoised rules.
 * @returns the ARN of a created rule.
 */
function applyRuleAction(s: Session, a: RuleAction, listenerArn: string): Promise<string | undefined> {
  const w: RuleWrite = { s, listenerArn, what: describeAction(a, listenerArn) };
  switch (a.type) {
    case 'createRule':
      return createRule(w, a);
    case 'modifyRule':
      return modifyRule(w, a);
    case 'setRulePriority':
      return setRulePriority(w, a);
    case 'deleteRule':
      return deleteRule(w, a);
  }
}

function refuse(s: Session, reason: string, message: string): void {
  s.reportProblem('route', { reason, message }, 'Route');
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
