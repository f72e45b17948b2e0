import { describe, expect, it } from '@jest/globals';
import { checkpointStands, type CheckedObject, type Checkpoint } from './checkpoint.ts';
import type { ObservedService } from './plan.ts';

const service = { serviceId: 'vpce-svc-1' } as ObservedService;
const cp: Checkpoint = { uid: 'u1', generation: 3, at: 1_000, service };
const obj: CheckedObject = { uid: 'u1', generation: 3, recordedServiceId: 'vpce-svc-1' };

describe('checkpointStands', () => {
  it.each<[string, Checkpoint | undefined, Partial<CheckedObject>, number, boolean]>([
    ['a fresh checkpoint of the same object and generation', cp, {}, 1_500, true],
    ['no checkpoint', undefined, {}, 1_500, false],
    ['another object under the same name (UID)', cp, { uid: 'u2' }, 1_500, false],
    ['a newer generation (spec changed)', cp, { generation: 4 }, 1_500, false],
    ['status records another service', cp, { recordedServiceId: 'vpce-svc-2' }, 1_500, false],
    ['status records no service', cp, { recordedServiceId: undefined }, 1_500, false],
    ['just under the interval', cp, {}, 1_999, true],
    ['the interval has passed', cp, {}, 2_000, false],
  ])('%s → %s', (_, checkpoint, change, now, stands) => {
    expect(checkpointStands(checkpoint, { ...obj, ...change }, now, 1_000)).toBe(stands);
  });

  it('never stands with an interval of 0 (every reconcile is a full check)', () => {
    expect(checkpointStands(cp, obj, 1_000, 0)).toBe(false);
  });
});
