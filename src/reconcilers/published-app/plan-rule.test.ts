import { lacksRoom, planRule, type ObservedRule, type RulePlanInput } from './plan-rule.ts';

const TG = 'arn:tg/mine';
const conditions = { pathPatterns: ['/blue', '/blue/*'], hostHeaders: [] };
const desired = { conditions, targetGroupArn: TG, priority: 10 };
const rule = (over: Partial<ObservedRule> = {}): ObservedRule => ({
  arn: 'arn:rule/1',
  priority: 10,
  conditions: { pathPatterns: ['/blue/*', '/blue'], hostHeaders: [] },
  forwardTargetGroupArns: [TG],
  plainForward: true,
  ...over,
});
const base: RulePlanInput = { desired, own: [] };

describe('planRule', () => {
  it('creates a missing rule', () => {
    expect(planRule(base)).toEqual({
      actions: [{ type: 'createRule', priority: 10, conditions, targetGroupArn: TG }],
      differences: ['rule missing'],
    });
  });

  it('does nothing when the rule matches (value order ignored)', () => {
    expect(planRule({ ...base, own: [rule()] })).toEqual({
      actions: [],
      differences: [],
      ruleArn: 'arn:rule/1',
    });
  });

  it.each<{ name: string; over: Partial<ObservedRule>; difference: RegExp }>([
    {
      name: 'edited path',
      over: { conditions: { pathPatterns: ['/x'], hostHeaders: [] } },
      difference: /path patterns are \[\/x\]/,
    },
    {
      name: 'added host header',
      over: { conditions: { ...conditions, hostHeaders: ['a.example'] } },
      difference: /host headers/,
    },
    {
      name: 'forwards elsewhere',
      over: { forwardTargetGroupArns: ['arn:tg/other'] },
      difference: /forwards to \[arn:tg\/other\]/,
    },
    {
      name: 'weighted to two groups',
      over: { forwardTargetGroupArns: [TG, 'arn:tg/other'] },
      difference: /forwards to/,
    },
    {
      name: 'not a plain forward',
      over: { forwardTargetGroupArns: [], plainForward: false },
      difference: /forwards to \[\]/,
    },
  ])('modifies in place: $name', ({ over, difference }) => {
    const plan = planRule({ ...base, own: [rule(over)] });
    expect(plan.actions).toEqual([
      { type: 'modifyRule', ruleArn: 'arn:rule/1', conditions, targetGroupArn: TG },
    ]);
    expect(plan.differences.join('; ')).toMatch(difference);
  });

  it('moves the rule with SetRulePriorities, not delete+create', () => {
    const plan = planRule({ ...base, desired: { ...desired, priority: 20 }, own: [rule()] });
    expect(plan.actions).toEqual([{ type: 'setRulePriority', ruleArn: 'arn:rule/1', priority: 20 }]);
    expect(plan.differences).toEqual(['priority is 10, want 20']);
  });

  it('fixes conditions and priority together, modify first', () => {
    const plan = planRule({
      ...base,
      desired: { ...desired, priority: 20 },
      own: [rule({ conditions: { pathPatterns: ['/x'], hostHeaders: [] } })],
    });
    expect(plan.actions.map((a) => a.type)).toEqual(['modifyRule', 'setRulePriority']);
  });

  it('keeps the recorded rule and deletes duplicates after fixing it', () => {
    const dup = rule({ arn: 'arn:rule/0', priority: 5 });
    const plan = planRule({ ...base, own: [dup, rule()], recordedArn: 'arn:rule/1' });
    expect(plan.ruleArn).toBe('arn:rule/1');
    expect(plan.actions).toEqual([{ type: 'deleteRule', ruleArn: 'arn:rule/0' }]);
  });

  it('without a record keeps the lowest priority duplicate', () => {
    const plan = planRule({
      ...base,
      own: [rule({ arn: 'arn:rule/b', priority: 30 }), rule({ arn: 'arn:rule/a', priority: 10 })],
    });
    expect(plan.ruleArn).toBe('arn:rule/a');
    expect(plan.actions).toEqual([{ type: 'deleteRule', ruleArn: 'arn:rule/b' }]);
  });
});

describe('lacksRoom', () => {
  it.each([
    { name: 'no rule of ours, room left', own: 0, ruleCount: 99, want: false },
    { name: 'no rule of ours, ALB full', own: 0, ruleCount: 100, want: true },
    { name: 'no rule of ours, over the quota', own: 0, ruleCount: 101, want: true },
    { name: 'our rule exists on a full ALB: no new one needed', own: 1, ruleCount: 100, want: false },
  ])('$name', ({ own, ruleCount, want }) => {
    expect(lacksRoom({ own: Array.from({ length: own }, () => rule()), ruleCount, maxRules: 100 })).toBe(
      want,
    );
  });
});
