import { setTimeout as sleep } from 'node:timers/promises';
import { collectAllGarbage, MemoryReducer, reductionDue, type Reduction } from './memory-reducer.ts';

const policy = { quietMs: 20, minReconciles: 3, minIntervalMs: 1_000 };

describe('reductionDue', () => {
  it.each([
    [
      'too little work',
      { reconcilesSinceLast: 2, lastReductionAt: undefined, now: 5_000 },
      { action: 'skip' },
    ],
    ['first burst', { reconcilesSinceLast: 3, lastReductionAt: undefined, now: 5_000 }, { action: 'reduce' }],
    ['interval passed', { reconcilesSinceLast: 9, lastReductionAt: 4_000, now: 5_000 }, { action: 'reduce' }],
    [
      'within interval',
      { reconcilesSinceLast: 9, lastReductionAt: 4_600, now: 5_000 },
      { action: 'wait', ms: 600 },
    ],
    [
      'little work, within interval',
      { reconcilesSinceLast: 1, lastReductionAt: 4_600, now: 5_000 },
      { action: 'skip' },
    ],
  ])('%s', (_name, state, expected) => {
    expect(reductionDue(state, policy)).toEqual(expected);
  });
});

describe('collectAllGarbage', () => {
  it('gives back the heap pages garbage grew into', async () => {
    // Old-generation garbage: survives the scavenges while it is built, then dropped.
    let held: unknown[] | undefined = Array.from({ length: 400_000 }, (_, i) => ({ i, s: `item-${i}` }));
    const grown = process.memoryUsage().heapTotal;
    expect(held.length).toBe(400_000);
    held = undefined;
    await collectAllGarbage();
    expect(held).toBeUndefined();
    expect(process.memoryUsage().heapTotal).toBeLessThan(grown - 10 * 1024 * 1024);
  });
});

describe('MemoryReducer', () => {
  it('reduces once a burst has been quiet for quietMs, and not after too little work', async () => {
    const collected: number[] = [];
    const reduced: Reduction[] = [];
    const reducer = new MemoryReducer(
      policy,
      {
        onReduced: (r) => reduced.push(r),
        onError: (err) => {
          throw err;
        },
      },
      () => {
        collected.push(Date.now());
        return Promise.resolve();
      },
    );
    reducer.reconciled();
    reducer.reconciled();
    await sleep(60);
    expect(collected).toHaveLength(0); // two reconciles: below minReconciles
    reducer.reconciled(); // the third, counted with the two before
    await sleep(10);
    expect(collected).toHaveLength(0); // not quiet yet
    await sleep(60);
    expect(collected).toHaveLength(1);
    expect(reduced[0]!.ms).toBeGreaterThanOrEqual(0);
    reducer.stop();
  });

  it('reports a failed reduction instead of throwing', async () => {
    const errors: unknown[] = [];
    const reducer = new MemoryReducer(
      { ...policy, minReconciles: 1 },
      { onReduced: () => undefined, onError: (err) => errors.push(err) },
      () => Promise.reject(new Error('inspector unavailable')),
    );
    reducer.reconciled();
    await sleep(60);
    expect(errors).toEqual([new Error('inspector unavailable')]);
  });
});
