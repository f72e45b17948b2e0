import { findCondition, isTrue, rfc3339, setCondition } from './conditions.ts';
import type { Condition } from './types.ts';

const T0 = '2026-11-25T08:00:00Z';
const now = new Date('2026-11-25T09:30:15.123Z');
const NOW = '2026-11-25T09:30:15Z';

const ready = (status: Condition['status'], extra: Partial<Condition> = {}): Condition => ({
  type: 'Ready',
  status,
  reason: 'R',
  message: 'm',
  lastTransitionTime: T0,
  observedGeneration: 1,
  ...extra,
});

describe('setCondition', () => {
  const cases: {
    name: string;
    before: Condition[] | undefined;
    input: { type: string; status: Condition['status']; reason: string; message: string };
    gen: number | undefined;
    after: Condition[];
  }[] = [
    {
      name: 'adds a new condition with transition time now',
      before: undefined,
      input: { type: 'Ready', status: 'False', reason: 'Waiting', message: 'w' },
      gen: 2,
      after: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'Waiting',
          message: 'w',
          lastTransitionTime: NOW,
          observedGeneration: 2,
        },
      ],
    },
    {
      name: 'keeps lastTransitionTime when the status does not flip, even if reason/message change',
      before: [ready('True')],
      input: { type: 'Ready', status: 'True', reason: 'Other', message: 'changed' },
      gen: 3,
      after: [ready('True', { reason: 'Other', message: 'changed', observedGeneration: 3 })],
    },
    {
      name: 'moves lastTransitionTime when the status flips',
      before: [ready('True')],
      input: { type: 'Ready', status: 'False', reason: 'R', message: 'm' },
      gen: 1,
      after: [ready('False', { lastTransitionTime: NOW })],
    },
    {
      name: 'Unknown → True is a flip',
      before: [ready('Unknown')],
      input: { type: 'Ready', status: 'True', reason: 'R', message: 'm' },
      gen: 1,
      after: [ready('True', { lastTransitionTime: NOW })],
    },
    {
      name: 'replaces in place and leaves other types alone (order kept)',
      before: [
        { type: 'A', status: 'True', reason: 'x', message: '', lastTransitionTime: T0 },
        ready('True'),
        { type: 'B', status: 'False', reason: 'y', message: '', lastTransitionTime: T0 },
      ],
      input: { type: 'Ready', status: 'False', reason: 'R', message: 'm' },
      gen: 1,
      after: [
        { type: 'A', status: 'True', reason: 'x', message: '', lastTransitionTime: T0 },
        ready('False', { lastTransitionTime: NOW }),
        { type: 'B', status: 'False', reason: 'y', message: '', lastTransitionTime: T0 },
      ],
    },
    {
      name: 'omits observedGeneration when not given',
      before: [],
      input: { type: 'X', status: 'True', reason: 'R', message: '' },
      gen: undefined,
      after: [{ type: 'X', status: 'True', reason: 'R', message: '', lastTransitionTime: NOW }],
    },
  ];
  test.each(cases)('$name', ({ before, input, gen, after }) => {
    const frozen = before ? structuredClone(before) : undefined;
    expect(setCondition(before, input, gen, now)).toEqual(after);
    expect(before).toEqual(frozen); // input not mutated
  });

  test('setting the same condition twice gives an equal list (no status churn)', () => {
    const input = { type: 'Ready', status: 'True' as const, reason: 'Ok', message: 'fine' };
    const once = setCondition([], input, 4, now);
    const twice = setCondition(once, input, 4, new Date('2030-01-01T00:00:00Z'));
    expect(twice).toEqual(once);
  });
});

describe('isTrue / findCondition', () => {
  test.each([
    { conds: undefined, type: 'Ready', want: false },
    { conds: [], type: 'Ready', want: false },
    { conds: [ready('True')], type: 'Ready', want: true },
    { conds: [ready('False')], type: 'Ready', want: false },
    { conds: [ready('Unknown')], type: 'Ready', want: false },
    { conds: [ready('True')], type: 'Other', want: false },
  ])('isTrue($type) over $conds → $want', ({ conds, type, want }) => {
    expect(isTrue(conds, type)).toBe(want);
  });

  test('findCondition returns the entry by type', () => {
    expect(findCondition([ready('True')], 'Ready')?.status).toBe('True');
    expect(findCondition([ready('True')], 'Nope')).toBeUndefined();
  });
});

test('rfc3339 drops milliseconds like metav1.Time', () => {
  expect(rfc3339(now)).toBe(NOW);
});
