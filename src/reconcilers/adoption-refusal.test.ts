import { describe, expect, test } from '@jest/globals';
import { TAG_KEYS } from '../api/kinds.ts';
import { adoptionRefusal, type AdoptionReason } from './adoption-refusal.ts';

const SELF = { clusterId: 'prod', uid: 'uid-1' };
const tagged = (cluster: string, uid: string): Record<string, string> => ({
  [TAG_KEYS.cluster]: cluster,
  [TAG_KEYS.uid]: uid,
  [TAG_KEYS.owner]: 'PublishedApp/red/red',
});

describe('adoptionRefusal', () => {
  test.each<
    [string, { tags: Record<string, string> } | undefined, string | undefined, AdoptionReason | undefined]
  >([
    ['gone', undefined, undefined, 'AdoptionTargetNotFound'],
    ['untagged and fit', { tags: { team: 'blue' } }, undefined, undefined],
    ['ours already', { tags: tagged('prod', 'uid-1') }, undefined, undefined],
    ["another object's", { tags: tagged('prod', 'uid-2') }, undefined, 'OwnedElsewhere'],
    ["another cluster's", { tags: tagged('staging', 'uid-1') }, undefined, 'OwnedElsewhere'],
    [
      "another's, even when unfit: ownership is told first",
      { tags: tagged('prod', 'uid-2') },
      'is Failed',
      'OwnedElsewhere',
    ],
    ['untagged but unfit', { tags: {} }, 'is Failed', 'AdoptionNeedsReplacement'],
  ])('%s', (_, found, unfit, reason) => {
    expect(adoptionRefusal('thing t-1', found, SELF, () => unfit)?.reason).toBe(reason);
  });

  test('messages name the resource', () => {
    expect(adoptionRefusal('thing t-1', undefined, SELF, () => undefined)?.message).toBe(
      'thing t-1 not found',
    );
    expect(adoptionRefusal('thing t-1', { tags: {} }, SELF, () => 'is Failed')?.message).toBe(
      'thing t-1 is Failed',
    );
    expect(
      adoptionRefusal('thing t-1', { tags: tagged('prod', 'uid-2') }, SELF, () => undefined)?.message,
    ).toMatch(/^thing t-1 is owned by .+: it is never taken over$/);
  });
});
