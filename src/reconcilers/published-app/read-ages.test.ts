import { FULL_OBSERVATION_EVERY } from './observer.ts';
import { readAges } from './read-ages.ts';

const defaults = {
  sharedReadMaxAgeMs: 2_000,
  referenceMaxAgeMs: 60_000,
  observePeriodMs: 10_000,
  fullRecheckMs: 3_600_000,
};

describe('readAges', () => {
  it.each([
    ['a converging object reads fresh', defaults, false, { sharedMs: 2_000, referenceMs: 60_000 }],
    [
      "a clean object's full walk: the observation's full round, a tenth of the recheck period",
      defaults,
      true,
      { sharedMs: 10_000 * FULL_OBSERVATION_EVERY, referenceMs: 360_000 },
    ],
    [
      'never fresher than a converging object (tiny periods)',
      { ...defaults, observePeriodMs: 100, fullRecheckMs: 1_000 },
      true,
      { sharedMs: 2_000, referenceMs: 60_000 },
    ],
    [
      'the harness periods',
      { sharedReadMaxAgeMs: 300, referenceMaxAgeMs: 2_000, observePeriodMs: 500, fullRecheckMs: 3_000 },
      true,
      { sharedMs: 3_000, referenceMs: 2_000 },
    ],
  ])('%s', (_, opts, fullWalk, expected) => {
    expect(readAges(opts, fullWalk)).toEqual(expected);
  });
});
