/**
 * Adoption of an endpoint service built by hand (spec.adopt), decided without I/O: whether
 * the named service may become this object's. A service is adopted only when nobody owns it; one that only a new service could bring to the spec is
 * refused, so adoption never replaces anything.
 */
import type { Owner } from '../../aws/tags.ts';
import { adoptionRefusal, type AdoptionRefusal } from '../adoption-refusal.ts';
import type { ObservedService } from './plan.ts';

/**
 * @param serviceId the spec's `adopt.serviceId`
 * @param service the service as AWS describes it; undefined when it does not exist
 * @param self the adopting object
 * @returns undefined when the service may be adopted (or is this object's already)
 */
export function adoptionProblem(
  serviceId: string,
  service: ObservedService | undefined,
  self: Pick<Owner, 'clusterId' | 'uid'>,
): AdoptionRefusal | undefined {
  const present = service && !/^(deleting|deleted)$/i.test(service.state) ? service : undefined;
  return adoptionRefusal(`endpoint service ${serviceId}`, present, self, () =>
    present ? replacementNeeded(present) : undefined,
  );
}

/** What only a new service could fix: a Gateway Load Balancer service, a failed one. */
function replacementNeeded(service: ObservedService): string | undefined {
  if ((service.gatewayLoadBalancerArns ?? []).length > 0)
    return 'fronts Gateway Load Balancers; a service cannot change to Network Load Balancers in place';
  if (/^failed$/i.test(service.state)) return 'is Failed; only a new service would work';
  return undefined;
}
