import { compareRank, decidePriority, type PriorityInput, type RuleSlot } from './plan-priority.ts';

const self = { createdAtMs: 2000, key: 'dmz/b' };
const older = { createdAtMs: 1000, key: 'dmz/a' };
const newer = { createdAtMs: 3000, key: 'dmz/c' };
const base: PriorityInput = { self, slots: [], claims: [], allocation: { min: 1000, max: 1003 } };
const foreign = (priority: number): RuleSlot => ({
  arn: `arn:rule/${priority}`,
  priority,
  owner: { kind: 'foreign' },
});
const mine = (priority: number): RuleSlot => ({
  arn: `arn:rule/${priority}`,
  priority,
  owner: { kind: 'self' },
});
const app = (priority: number, name: string): RuleSlot => ({
  arn: `arn:rule/${priority}`,
  priority,
  owner: { kind: 'app', app: name },
});

describe('compareRank', () => {
  it.each([
    [older, self, -1],
    [self, older, 1],
    [{ createdAtMs: 2000, key: 'dmz/a' }, self, -1],
    [self, { ...self }, 0],
  ])('%j vs %j', (a, b, sign) => {
    expect(Math.sign(compareRank(a, b))).toBe(sign);
  });
});

describe('decidePriority', () => {
  it.each<{ name: string; input: Partial<PriorityInput>; want: ReturnType<typeof decidePriority> }>([
    { name: 'explicit, free', input: { explicit: 10 }, want: { kind: 'use', priority: 10 } },
    {
      name: 'explicit, our rule holds it',
      input: { explicit: 10, slots: [mine(10)] },
      want: { kind: 'use', priority: 10 },
    },
    {
      name: 'explicit, a foreign rule holds it',
      input: { explicit: 10, slots: [foreign(10)] },
      want: { kind: 'conflict', priority: 10, holder: 'rule arn:rule/10' },
    },
    {
      name: 'explicit, another app holds it even if that app is newer',
      input: { explicit: 10, slots: [app(10, 'dmz/c')], claims: [{ rank: newer, priority: 10 }] },
      want: { kind: 'conflict', priority: 10, holder: 'PublishedApp dmz/c' },
    },
    {
      name: 'explicit, free, an older app claims it',
      input: { explicit: 10, claims: [{ rank: older, priority: 10 }] },
      want: { kind: 'conflict', priority: 10, holder: 'PublishedApp dmz/a' },
    },
    {
      name: 'explicit, free, only a newer app claims it',
      input: { explicit: 10, claims: [{ rank: newer, priority: 10 }] },
      want: { kind: 'use', priority: 10 },
    },
    {
      name: 'explicit, same creation time: name decides',
      input: { explicit: 10, claims: [{ rank: { createdAtMs: 2000, key: 'dmz/a' }, priority: 10 }] },
      want: { kind: 'conflict', priority: 10, holder: 'PublishedApp dmz/a' },
    },
    {
      name: 'explicit change while our rule sits elsewhere: judged at the new priority',
      input: { explicit: 20, ownRulePriority: 10, slots: [mine(10), foreign(20)] },
      want: { kind: 'conflict', priority: 20, holder: 'rule arn:rule/20' },
    },
    {
      name: 'allocated: our rule keeps its place',
      input: { ownRulePriority: 1002, recorded: 1000, slots: [mine(1002)] },
      want: { kind: 'use', priority: 1002 },
    },
    {
      name: 'allocated: recorded and free',
      input: { recorded: 1001 },
      want: { kind: 'use', priority: 1001 },
    },
    {
      name: 'allocated: recorded taken meanwhile by a foreign rule → lowest free',
      input: { recorded: 1001, slots: [foreign(1001), foreign(1000)] },
      want: { kind: 'use', priority: 1002 },
    },
    {
      name: 'allocated: skips priorities of rules and of other apps claims',
      input: { slots: [foreign(1000), app(1001, 'dmz/a')], claims: [{ rank: newer, priority: 1002 }] },
      want: { kind: 'use', priority: 1003 },
    },
    { name: 'allocated: first of the range', input: {}, want: { kind: 'use', priority: 1000 } },
    {
      name: 'allocated: range exhausted',
      input: { slots: [foreign(1000), foreign(1001), foreign(1002), foreign(1003)] },
      want: { kind: 'exhausted' },
    },
  ])('$name', ({ input, want }) => {
    expect(decidePriority({ ...base, ...input })).toEqual(want);
  });
});
