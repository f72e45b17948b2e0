import type { LabelSelector } from '../../api/v1alpha1.ts';
import {
  describeGrant,
  identityGrants,
  namespaceGrants,
  selectorMatches,
  type NamespaceLabels,
} from './namespaces.ts';

const LABELS: Record<string, Record<string, string>> = {
  'team-blue': { team: 'blue', tier: 'apps' },
  'team-green': { team: 'green', tier: 'apps', quarantined: 'yes' },
  dmz: { team: 'dmz' },
};
const labels: NamespaceLabels = (ns) => LABELS[ns];

describe('selectorMatches', () => {
  const blue = LABELS['team-blue'];
  test.each<[string, LabelSelector, Record<string, string> | undefined, boolean]>([
    ['empty selector: all', {}, blue, true],
    ['unknown namespace: none', {}, undefined, false],
    ['matchLabels', { matchLabels: { team: 'blue' } }, blue, true],
    ['matchLabels, one pair wrong', { matchLabels: { team: 'blue', tier: 'db' } }, blue, false],
    ['In', { matchExpressions: [{ key: 'team', operator: 'In', values: ['blue', 'green'] }] }, blue, true],
    ['In, label absent', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, blue, false],
    ['NotIn', { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['green'] }] }, blue, true],
    [
      'NotIn, label absent',
      { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] },
      blue,
      true,
    ],
    [
      'NotIn, excluded',
      { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['blue'] }] },
      blue,
      false,
    ],
    ['Exists', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, blue, true],
    [
      'DoesNotExist',
      { matchExpressions: [{ key: 'quarantined', operator: 'DoesNotExist' }] },
      LABELS['team-green'],
      false,
    ],
    [
      'labels and expressions together',
      { matchLabels: { tier: 'apps' }, matchExpressions: [{ key: 'quarantined', operator: 'DoesNotExist' }] },
      blue,
      true,
    ],
  ])('%s', (_, selector, given, expected) => {
    expect(selectorMatches(selector, given)).toBe(expected);
  });
});

describe('identityGrants', () => {
  test.each([
    ['no grant: nobody', undefined, 'team-blue', false],
    ['empty grant: nobody', {}, 'team-blue', false],
    ['by name', { names: ['team-blue'] }, 'team-blue', true],
    ['another name', { names: ['team-blue'] }, 'team-green', false],
    ['by selector', { selector: { matchLabels: { tier: 'apps' } } }, 'team-green', true],
    ['selector not matching', { selector: { matchLabels: { tier: 'apps' } } }, 'dmz', false],
    ['empty selector: every known namespace', { selector: {} }, 'dmz', true],
    ['empty selector, unknown namespace', { selector: {} }, 'nowhere', false],
    ['names or selector', { names: ['dmz'], selector: { matchLabels: { team: 'blue' } } }, 'dmz', true],
  ])('%s', (_, grant, namespace, expected) => {
    expect(identityGrants(grant, namespace, labels)).toBe(expected);
  });
});

describe('namespaceGrants', () => {
  test.each([
    ['absent: Same, own namespace', undefined, 'team-blue', true],
    ['absent: Same, another', undefined, 'dmz', false],
    ['Same', { from: 'Same' as const }, 'dmz', false],
    ['All', { from: 'All' as const }, 'dmz', true],
    [
      'Selector matching',
      { from: 'Selector' as const, selector: { matchLabels: { team: 'dmz' } } },
      'dmz',
      true,
    ],
    [
      'Selector not matching',
      { from: 'Selector' as const, selector: { matchLabels: { team: 'dmz' } } },
      'team-green',
      false,
    ],
    [
      'Selector always includes the owner',
      { from: 'Selector' as const, selector: { matchLabels: { team: 'dmz' } } },
      'team-blue',
      true,
    ],
    ['Selector without selector: owner only', { from: 'Selector' as const }, 'dmz', false],
  ])('%s', (_, grant, namespace, expected) => {
    expect(namespaceGrants(grant, 'team-blue', namespace, labels)).toBe(expected);
  });

  test.each([
    [undefined, 'namespace team-blue only'],
    [{ from: 'All' as const }, 'all namespaces'],
    [
      { from: 'Selector' as const, selector: { matchLabels: { team: 'dmz' } } },
      'namespaces matching {"matchLabels":{"team":"dmz"}}',
    ],
  ])('describes %j', (grant, expected) => {
    expect(describeGrant(grant, 'team-blue')).toBe(expected);
  });
});
