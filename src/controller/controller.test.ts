import { parseKey, specOrMetaChanged } from './controller.ts';
import type { KubeObject } from './types.ts';

const base: KubeObject = {
  metadata: {
    name: 'a',
    namespace: 'ns',
    generation: 1,
    resourceVersion: '1',
    finalizers: ['f'],
    labels: { l: '1' },
  },
};
const withMeta = (m: Partial<NonNullable<KubeObject['metadata']>>): KubeObject => ({
  metadata: { ...base.metadata, resourceVersion: '2', ...m },
});

describe('specOrMetaChanged', () => {
  test.each([
    { name: 'status-only change (same generation)', next: withMeta({}), want: false },
    { name: 'spec change bumps generation', next: withMeta({ generation: 2 }), want: true },
    { name: 'deletion started', next: withMeta({ deletionTimestamp: '2026-11-25T00:00:00Z' }), want: true },
    { name: 'finalizer removed', next: withMeta({ finalizers: [] }), want: true },
    { name: 'label changed', next: withMeta({ labels: { l: '2' } }), want: true },
    { name: 'annotation added', next: withMeta({ annotations: { a: 'x' } }), want: true },
    {
      name: 'no generation (not a CRD with status) → always',
      next: withMeta({ generation: undefined }),
      want: true,
    },
  ])('$name → $want', ({ next, want }) => {
    expect(specOrMetaChanged(base, next)).toBe(want);
  });
});

test('parseKey splits namespace/name at the first slash', () => {
  expect(parseKey('team-a/blue')).toEqual({ namespace: 'team-a', name: 'blue' });
  expect(parseKey('/cluster-scoped')).toEqual({ namespace: '', name: 'cluster-scoped' });
});
