import { TAG_KEYS } from '../api/kinds.ts';
import {
  isOwnedBy,
  ownedTagMap,
  ownerFilters,
  ownerFromTags,
  ownershipTags,
  tagMap,
  tagProblems,
  toAwsTags,
  type Owner,
} from './tags.ts';

const owner: Owner = { clusterId: 'c1', kind: 'PublishedApp', namespace: 'team-a', name: 'blue', uid: 'u-1' };
const OWNERSHIP = [
  { Key: 'publisher.privatelink.dev/cluster', Value: 'c1' },
  { Key: 'publisher.privatelink.dev/owner', Value: 'PublishedApp/team-a/blue' },
  { Key: 'publisher.privatelink.dev/uid', Value: 'u-1' },
];

function manyTags(n: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${String(i).padStart(2, '0')}`, 'v']));
}

describe('ownershipTags', () => {
  it.each<[string, Record<string, string> | undefined, { Key: string; Value: string }[]]>([
    ['no user tags', undefined, OWNERSHIP],
    [
      'user tags follow, sorted',
      { team: 'blue', app: 'x' },
      [...OWNERSHIP, { Key: 'app', Value: 'x' }, { Key: 'team', Value: 'blue' }],
    ],
    [
      'user cannot override ownership',
      { [TAG_KEYS.uid]: 'stolen', team: 'b' },
      [...OWNERSHIP, { Key: 'team', Value: 'b' }],
    ],
    ['aws: prefix dropped', { 'aws:cloudformation:stack': 's', 'AWS:x': 'y' }, OWNERSHIP],
    [
      'empty, too long key, too long value dropped',
      { '': 'v', ['k'.repeat(129)]: 'v', long: 'v'.repeat(257) },
      OWNERSHIP,
    ],
    [
      'limits themselves are fine',
      { ['k'.repeat(128)]: 'v'.repeat(256) },
      [...OWNERSHIP, { Key: 'k'.repeat(128), Value: 'v'.repeat(256) }],
    ],
    [
      'characters ELBv2 rejects dropped',
      { 'a*b': 'v', c: 'x#y', 'ok key:/=+-@_.': 'ümlaut 1' },
      [...OWNERSHIP, { Key: 'ok key:/=+-@_.', Value: 'ümlaut 1' }],
    ],
    ['empty value allowed', { flag: '' }, [...OWNERSHIP, { Key: 'flag', Value: '' }]],
  ])('%s', (_name, userTags, expected) => {
    expect(ownershipTags(owner, userTags)).toEqual(expected);
  });

  it('never exceeds 50 tags: keeps the first 47 user keys in sorted order', () => {
    const tags = ownershipTags(owner, manyTags(60));
    expect(tags).toHaveLength(50);
    expect(tags.slice(0, 3)).toEqual(OWNERSHIP);
    expect(tags[3]?.Key).toBe('k00');
    expect(tags[49]?.Key).toBe('k46');
  });

  it('ownedTagMap is the same set as a map, ownership winning', () => {
    expect(ownedTagMap(owner, { [TAG_KEYS.cluster]: 'other', team: 'b' })).toEqual({
      [TAG_KEYS.cluster]: 'c1',
      [TAG_KEYS.owner]: 'PublishedApp/team-a/blue',
      [TAG_KEYS.uid]: 'u-1',
      team: 'b',
    });
  });
});

describe('tagProblems', () => {
  it.each<[string, Record<string, string> | undefined, RegExp[]]>([
    ['none', undefined, []],
    ['valid', { team: 'blue', 'a b:c/d=e+f-g@h_i.j': 'x' }, []],
    ['aws prefix', { 'aws:x': 'y' }, [/reserved prefix aws:/]],
    ['controller prefix', { [TAG_KEYS.owner]: 'y' }, [/controller's prefix publisher\.privatelink\.dev\//]],
    ['empty key', { '': 'y' }, [/1-128 characters/]],
    ['long key', { ['k'.repeat(129)]: 'y' }, [/1-128 characters/]],
    ['long value', { k: 'v'.repeat(257) }, [/longer than 256/]],
    ['bad key chars', { 'a*b': 'v' }, [/characters AWS does not allow/]],
    ['bad value chars', { a: 'v#' }, [/value with characters/]],
    ['too many', manyTags(48), [/48 tags given, at most 47/]],
    ['several at once', { 'aws:x': 'v'.repeat(300) }, [/reserved prefix/, /longer than 256/]],
  ])('%s', (_name, userTags, expected) => {
    const problems = tagProblems(userTags);
    expect(problems).toHaveLength(expected.length);
    expected.forEach((pattern, i) => {
      expect(problems[i]).toMatch(pattern);
    });
  });

  it('47 user tags are allowed', () => {
    expect(tagProblems(manyTags(47))).toEqual([]);
  });
});

describe('ownerFilters', () => {
  it.each<[string, Parameters<typeof ownerFilters>[0], { Name: string; Values: string[] }[]]>([
    [
      'cluster only (batched describe)',
      { clusterId: 'c1' },
      [{ Name: 'tag:publisher.privatelink.dev/cluster', Values: ['c1'] }],
    ],
    [
      'one owner by uid',
      { clusterId: 'c1', uid: 'u-1' },
      [
        { Name: 'tag:publisher.privatelink.dev/cluster', Values: ['c1'] },
        { Name: 'tag:publisher.privatelink.dev/uid', Values: ['u-1'] },
      ],
    ],
    [
      'full owner',
      owner,
      [
        { Name: 'tag:publisher.privatelink.dev/cluster', Values: ['c1'] },
        { Name: 'tag:publisher.privatelink.dev/uid', Values: ['u-1'] },
        { Name: 'tag:publisher.privatelink.dev/owner', Values: ['PublishedApp/team-a/blue'] },
      ],
    ],
    [
      'partial name is ignored',
      { clusterId: 'c1', kind: 'PublishedApp', name: 'blue' },
      [{ Name: 'tag:publisher.privatelink.dev/cluster', Values: ['c1'] }],
    ],
  ])('%s', (_name, selector, expected) => {
    expect(ownerFilters(selector)).toEqual(expected);
  });
});

describe('isOwnedBy / ownerFromTags', () => {
  it.each<[string, { Key?: string; Value?: string }[] | undefined, boolean, Owner | undefined]>([
    ['our tags', OWNERSHIP, true, owner],
    ['our tags plus user tags', [...OWNERSHIP, { Key: 'team', Value: 'b' }], true, owner],
    [
      'other uid (object re-created)',
      OWNERSHIP.map((t) => (t.Key === TAG_KEYS.uid ? { ...t, Value: 'u-2' } : t)),
      false,
      { ...owner, uid: 'u-2' },
    ],
    [
      'other cluster',
      OWNERSHIP.map((t) => (t.Key === TAG_KEYS.cluster ? { ...t, Value: 'c2' } : t)),
      false,
      { ...owner, clusterId: 'c2' },
    ],
    ['no uid tag', OWNERSHIP.filter((t) => t.Key !== TAG_KEYS.uid), false, undefined],
    [
      'malformed owner tag',
      OWNERSHIP.map((t) => (t.Key === TAG_KEYS.owner ? { ...t, Value: 'blue' } : t)),
      true,
      undefined,
    ],
    ['untagged', [], false, undefined],
    ['tags absent', undefined, false, undefined],
    ['SDK tag without key', [{ Value: 'x' }, ...OWNERSHIP], true, owner],
  ])('%s', (_name, tags, owned, parsed) => {
    expect(isOwnedBy(tags, owner)).toBe(owned);
    expect(ownerFromTags(tags)).toEqual(parsed);
  });

  it('round-trips through ownershipTags', () => {
    expect(ownerFromTags(ownershipTags(owner, { team: 'b' }))).toEqual(owner);
  });
});

describe('tagMap / toAwsTags', () => {
  it('convert both ways', () => {
    const map = { a: '1', b: '' };
    expect(tagMap(toAwsTags(map))).toEqual(map);
    expect(tagMap([{ Key: 'a' }, { Value: 'orphan' }])).toEqual({ a: '' });
  });
});
