/**
 * Listener rule diff: one rule of ours with the spec's conditions, forwarding only to the
 * app's target group, at the decided priority. Changes are made in place (ModifyRule,
 * SetRulePriorities) so traffic never lacks a rule. Pure.
 */

export interface RuleConditions {
  pathPatterns: readonly string[];
  hostHeaders: readonly string[];
}

/** One of our rules as DescribeRules reports it, normalised. */
export interface ObservedRule {
  arn: string;
  priority: number;
  conditions: RuleConditions;
  /** Target groups of the forward action(s); empty when the action is not a plain forward. */
  forwardTargetGroupArns: readonly string[];
  /** False when there are actions other than one forward. */
  plainForward: boolean;
}

export interface DesiredRule {
  conditions: RuleConditions;
  targetGroupArn: string;
  priority: number;
}

export type RuleAction =
  | { type: 'createRule'; priority: number; conditions: RuleConditions; targetGroupArn: string }
  | { type: 'modifyRule'; ruleArn: string; conditions: RuleConditions; targetGroupArn: string }
  | { type: 'setRulePriority'; ruleArn: string; priority: number }
  | { type: 'deleteRule'; ruleArn: string };

export interface RulePlanInput {
  desired: DesiredRule;
  /** Every rule on the listener attributed to this app (normally zero or one). */
  own: readonly ObservedRule[];
  /** The rule recorded in status, preferred when duplicates exist. */
  recordedArn?: string;
}

export interface RulePlan {
  actions: RuleAction[];
  /** Human-readable differences found (drift or spec change). */
  differences: string[];
  /** The rule kept (absent when it is to be created). */
  ruleArn?: string;
}

const sorted = (values: readonly string[]): string[] => [...values].sort();
const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && sorted(a).every((v, i) => v === sorted(b)[i]);

function describeConditionDiff(want: RuleConditions, have: RuleConditions): string[] {
  const out: string[] = [];
  if (!sameSet(want.pathPatterns, have.pathPatterns)) {
    out.push(`path patterns are [${have.pathPatterns.join(', ')}], want [${want.pathPatterns.join(', ')}]`);
  }
  if (!sameSet(want.hostHeaders, have.hostHeaders)) {
    out.push(`host headers are [${have.hostHeaders.join(', ')}], want [${want.hostHeaders.join(', ')}]`);
  }
  return out;
}

function pickKept(own: readonly ObservedRule[], recordedArn: string | undefined): ObservedRule | undefined {
  return own.find((r) => r.arn === recordedArn) ?? [...own].sort((a, b) => a.priority - b.priority)[0];
}

/**
 * Whether the app needs a rule (it has none on the listener) and its ALB has no room for one:
 * `ruleCount` non-default rules across the ALB's listeners against the per-ALB quota.
 */
export function lacksRoom(input: { own: readonly object[]; ruleCount: number; maxRules: number }): boolean {
  return input.own.length === 0 && input.ruleCount >= input.maxRules;
}

/**
 * Plans the app's rule. Extra rules of ours (a duplicate from an interrupted create) are
 * deleted after the kept one is correct.
 */
export function planRule(input: RulePlanInput): RulePlan {
  const { desired } = input;
  const kept = pickKept(input.own, input.recordedArn);
  if (!kept) return { actions: [{ type: 'createRule', ...desired }], differences: ['rule missing'] };
  const actions: RuleAction[] = [];
  const differences = describeConditionDiff(desired.conditions, kept.conditions);
  const forwardsRight =
    kept.plainForward &&
    kept.forwardTargetGroupArns.length === 1 &&
    kept.forwardTargetGroupArns[0] === desired.targetGroupArn;
  if (!forwardsRight) {
    differences.push(
      `action forwards to [${kept.forwardTargetGroupArns.join(', ')}], want ${desired.targetGroupArn}`,
    );
  }
  if (differences.length > 0) {
    actions.push({
      type: 'modifyRule',
      ruleArn: kept.arn,
      conditions: desired.conditions,
      targetGroupArn: desired.targetGroupArn,
    });
  }
  if (kept.priority !== desired.priority) {
    differences.push(`priority is ${kept.priority}, want ${desired.priority}`);
    actions.push({ type: 'setRulePriority', ruleArn: kept.arn, priority: desired.priority });
  }
  for (const extra of input.own) {
    if (extra !== kept) {
      differences.push(`duplicate rule ${extra.arn}`);
      actions.push({ type: 'deleteRule', ruleArn: extra.arn });
    }
  }
  return { actions, differences, ruleArn: kept.arn };
}
