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
