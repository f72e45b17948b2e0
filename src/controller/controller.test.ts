import { pino } from 'pino';
import { Registry } from 'prom-client';
import { Controller, parseKey, specOrMetaChanged } from './controller.ts';
import { RuntimeMetrics } from './metrics.ts';
import type { ControllerDefinition, KubeObject, ObjectKey } from './types.ts';

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

describe('event sources', () => {
  test('run while the controller runs: their keys are reconciled, stop aborts them', async () => {
    const reconciled: ObjectKey[] = [];
    let sourceSignal: AbortSignal | undefined;
    const definition: ControllerDefinition = {
      name: 'test',
      kind: { group: 'g', version: 'v1', plural: 'things', kind: 'Thing' },
      reconciler: {
        reconcile: (key) => {
          reconciled.push(key);
          return Promise.resolve(undefined);
        },
      },
      sources: [
        {
          name: 'poller',
          run: async (enqueue, signal) => {
            sourceSignal = signal;
            enqueue({ namespace: 'ns', name: 'a' });
            await new Promise((resolve) => {
              signal.addEventListener('abort', resolve, { once: true });
            });
          },
        },
      ],
    };
    const controller = new Controller({
      definition,
      concurrency: 1,
      resyncPeriodMs: 3_600_000,
      log: pino({ level: 'silent' }),
      metrics: new RuntimeMetrics(new Registry()),
      cache: { get: () => undefined, list: () => [] },
      signal: new AbortController().signal,
    });
    controller.start();
    for (let i = 0; i < 100 && reconciled.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(reconciled).toEqual([{ namespace: 'ns', name: 'a' }]);
    expect(sourceSignal?.aborted).toBe(false);
    expect(await controller.stop(1_000)).toBe(true);
    expect(sourceSignal?.aborted).toBe(true);
  });
});
