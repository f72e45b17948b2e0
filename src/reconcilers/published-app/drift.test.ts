import type { Condition } from '../../controller/types.ts';
import { classifyChange } from './drift.ts';

const cond = (status: Condition['status'], reason: string, observedGeneration: number): Condition => ({
  type: 'TargetsSynced',
  status,
  reason,
  message: '',
  lastTransitionTime: '2026-01-01T00:00:00Z',
  observedGeneration,
});

describe('classifyChange', () => {
  it.each<[string, string[], Condition | undefined, number, string]>([
    ['no differences', [], cond('True', 'Synced', 2), 2, 'none'],
    ['differences after being in sync at this generation', ['x'], cond('True', 'Synced', 2), 2, 'drift'],
    ['still drifted (fix did not stick yet)', ['x'], cond('False', 'Drifted', 2), 2, 'drift'],
    ['spec changed since the sync', ['x'], cond('True', 'Synced', 1), 2, 'update'],
    ['first reconcile', ['x'], undefined, 1, 'update'],
    ['recovering from another failure', ['x'], cond('False', 'Throttled', 2), 2, 'update'],
  ])('%s', (_name, differences, previous, generation, want) => {
    expect(classifyChange(differences, previous, generation)).toBe(want);
  });
});
