import {
  compareRank,
  decidePath,
  decidePriority,
  type PathInput,
  type PriorityInput,
  type RuleOwner,
  type RuleSlot,
} from './plan-priority.ts';

const self = { createdAtMs: 2000, key: 'dmz/b' };
const older = { createdAtMs: 1000, key: 'dmz/a' };
const newer = { createdAtMs: 3000, key: 'dmz/c' };
const base: PriorityInput = { self, slots: [], claims: [], allocation: { min: 1000, max: 1003 } };
const foreign = (priority: number): RuleSlot => ({
  arn: `arn:rule/${priority}`,
  priority,
  owner: { kind: 'foreign' },
  conditions: { pathPatterns: [], hostHeaders: [] },
});
const mine = (priority: number): RuleSlot => ({
  arn: `arn:rule/${priority}`,
  priority,
  owner: { kind: 'self' },
  conditions: { pathPatterns: [], hostHeaders: [] },
});
const app = (priority: number, name: string): RuleSlot => ({
  arn: `arn:rule/${priority}`,
  priority,
  owner: { kind: 'app', app: name },
  conditions: { pathPatterns: [], hostHeaders: [] },
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
      name: 'allocated, queued: an older app waiting too takes the lowest free, we the next',
      input: { slots: [foreign(1000)], queue: [older, newer] },
      want: { kind: 'use', priority: 1002 },
    },
    {
      name: 'allocated, queued: only newer apps waiting → the lowest free',
      input: { queue: [newer, { createdAtMs: 2000, key: 'dmz/z' }] },
      want: { kind: 'use', priority: 1000 },
    },
    {
      name: 'allocated, queued: more apps ahead than free priorities → the last free one',
      input: {
        slots: [foreign(1000), foreign(1001)],
        queue: [older, { createdAtMs: 1500, key: 'dmz/x' }, { createdAtMs: 1600, key: 'dmz/y' }],
      },
      want: { kind: 'use', priority: 1003 },
    },
    {
      name: 'allocated, queued: a free recorded priority wins over the queue',
      input: { recorded: 1000, queue: [older] },
      want: { kind: 'use', priority: 1000 },
    },
    {
      name: 'allocated: range exhausted',
      input: { slots: [foreign(1000), foreign(1001), foreign(1002), foreign(1003)], queue: [older] },
      want: { kind: 'exhausted' },
    },
  ])('$name', ({ input, want }) => {
    expect(decidePriority({ ...base, ...input })).toEqual(want);
  });
});

describe('decidePath', () => {
  const want = { pathPatterns: ['/x', '/x/*'], hostHeaders: [] };
  const serving = (owner: RuleOwner, paths: string[], hosts: string[] = [], priority = 5): RuleSlot => ({
    arn: `arn:rule/${priority}`,
    priority,
    owner,
    conditions: { pathPatterns: paths, hostHeaders: hosts },
  });
  const claim = (rank: typeof self, paths: string[], hosts: string[] = []) => ({
    rank,
    conditions: { pathPatterns: paths, hostHeaders: hosts },
  });
  const input: PathInput = { self, want, slots: [], claims: [] };
  it.each<{ name: string; input: Partial<PathInput>; want: ReturnType<typeof decidePath> }>([
    { name: 'nobody serves the paths', input: {}, want: { kind: 'free' } },
    {
      name: 'a foreign rule serves one of them',
      input: { slots: [serving({ kind: 'foreign' }, ['/y', '/x/*'])] },
      want: { kind: 'conflict', path: '/x/*', holder: 'rule arn:rule/5' },
    },
    {
      name: 'another app’s rule serves one, even if that app is newer',
      input: {
        slots: [serving({ kind: 'app', app: 'dmz/c' }, ['/x'])],
        claims: [claim(newer, ['/x'])],
      },
      want: { kind: 'conflict', path: '/x', holder: 'PublishedApp dmz/c' },
    },
    {
      name: 'our rule serves them: a foreign rule on the same path does not take them away',
      input: {
        slots: [serving({ kind: 'self' }, ['/x', '/x/*'], [], 3), serving({ kind: 'foreign' }, ['/x'])],
      },
      want: { kind: 'free' },
    },
    {
      name: 'our rule serves one, a pattern added to the spec is a foreign rule’s',
      input: {
        slots: [serving({ kind: 'self' }, ['/x'], [], 3), serving({ kind: 'foreign' }, ['/x/*'], [], 9)],
      },
      want: { kind: 'conflict', path: '/x/*', holder: 'rule arn:rule/9' },
    },
    {
      name: 'several rules serve it: the one traffic reaches first is named',
      input: {
        slots: [
          serving({ kind: 'foreign' }, ['/x'], [], 9),
          serving({ kind: 'app', app: 'dmz/a' }, ['/x'], [], 4),
        ],
      },
      want: { kind: 'conflict', path: '/x', holder: 'PublishedApp dmz/a' },
    },
    {
      name: 'overlapping but different patterns do not clash',
      input: { slots: [serving({ kind: 'foreign' }, ['/x*', '/'])] },
      want: { kind: 'free' },
    },
    {
      name: 'same path, other host: no clash',
      input: {
        want: { pathPatterns: ['/x'], hostHeaders: ['a.example.com'] },
        slots: [serving({ kind: 'foreign' }, ['/x'], ['b.example.com'])],
      },
      want: { kind: 'free' },
    },
    {
      name: 'same path, host compared without case',
      input: {
        want: { pathPatterns: ['/x'], hostHeaders: ['A.example.com'] },
        slots: [serving({ kind: 'foreign' }, ['/x'], ['b.example.com', 'a.EXAMPLE.com'])],
      },
      want: { kind: 'conflict', path: '/x', holder: 'rule arn:rule/5' },
    },
    {
      name: 'same path, a rule for every host clashes with ours for one host',
      input: {
        want: { pathPatterns: ['/x'], hostHeaders: ['a.example.com'] },
        slots: [serving({ kind: 'foreign' }, ['/x'])],
      },
      want: { kind: 'conflict', path: '/x', holder: 'rule arn:rule/5' },
    },
    {
      name: 'no rule yet, an older app claims one path (a newer one the other)',
      input: { claims: [claim(newer, ['/x']), claim(older, ['/x/*'])] },
      want: { kind: 'conflict', path: '/x/*', holder: 'PublishedApp dmz/a' },
    },
    {
      name: 'no rule yet, only a newer app claims it',
      input: { claims: [claim(newer, ['/x', '/x/*'])] },
      want: { kind: 'free' },
    },
    {
      name: 'no rule yet, two older apps claim it: the oldest is named',
      input: {
        claims: [
          claim(self, ['/x']),
          claim(older, ['/x']),
          claim({ createdAtMs: 1500, key: 'dmz/z' }, ['/x']),
        ],
      },
      want: { kind: 'conflict', path: '/x', holder: 'PublishedApp dmz/a' },
    },
    {
      name: 'an older app claims it for another host',
      input: {
        claims: [claim(older, ['/x'], ['b.example.com'])],
        want: { pathPatterns: ['/x'], hostHeaders: ['a.example.com'] },
      },
      want: { kind: 'free' },
    },
  ])('$name', ({ input: over, want: expected }) => {
    expect(decidePath({ ...input, ...over })).toEqual(expected);
  });
});

it('apps queued at the same moment each get a different priority', () => {
  const ranks = Array.from({ length: 6 }, (_, i) => ({ createdAtMs: 1000, key: `dmz/app-${i}` }));
  const chosen = ranks.map((me) => {
    const d = decidePriority({
      ...base,
      self: me,
      allocation: { min: 1000, max: 1010 },
      slots: [foreign(1001)],
      queue: ranks.filter((r) => r !== me),
    });
    return d.kind === 'use' ? d.priority : undefined;
  });
  expect(chosen).toEqual([1000, 1002, 1003, 1004, 1005, 1006]);
});
