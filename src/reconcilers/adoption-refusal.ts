/**
 * The one rule both kinds adopt by (docs/adr/0010-adoption.md): what spec.adopt names must
 * exist, must not carry another owner's tags, and must be brought to the spec in place.
 * Each kind says only what "in place" rules out for it.
 */
import { otherOwner, type Owner } from '../aws/tags.ts';

/** The condition reasons an adoption is refused with (docs/api.md). */
export type AdoptionReason = 'AdoptionTargetNotFound' | 'OwnedElsewhere' | 'AdoptionNeedsReplacement';

/** Why a named resource cannot be adopted. */
export interface AdoptionRefusal {
  reason: AdoptionReason;
  message: string;
}

/**
 * @param named how messages name it, e.g. `endpoint service vpce-svc-…`
 * @param found its tags as AWS describes them; undefined when it is gone (or going)
 * @param self the adopting object
 * @param needsReplacement what only a new resource could fix (a predicate phrase such as
 *   `is Failed; …`), asked only of a resource nobody else owns; undefined when nothing
 * @returns undefined when it may be adopted, or is the adopter's already
 */
export function adoptionRefusal(
  named: string,
  found: { tags: Readonly<Record<string, string>> } | undefined,
  self: Pick<Owner, 'clusterId' | 'uid'>,
  needsReplacement: () => string | undefined,
): AdoptionRefusal | undefined {
  if (!found) return { reason: 'AdoptionTargetNotFound', message: `${named} not found` };
  const owner = otherOwner(found.tags, self);
  if (owner)
    return { reason: 'OwnedElsewhere', message: `${named} is owned by ${owner}: it is never taken over` };
  const why = needsReplacement();
  return why === undefined ? undefined : { reason: 'AdoptionNeedsReplacement', message: `${named} ${why}` };
}
