/**
 * Adoption of an endpoint service built by hand (spec.adopt), decided without I/O: whether
 * the named service may become this object's. A service is adopted only when nobody owns it; one that only a new service could bring to the spec is
 * refused, so adoption never replaces anything.
 */
import { otherOwner, type Owner } from '../../aws/tags.ts';
import type { ObservedService } from './plan.ts';

/** Why the named service cannot be adopted. */
export interface AdoptionProblem {
  reason: 'AdoptionTargetNotFound' | 'OwnedElsewhere' | 'AdoptionNeedsReplacement';
  message: string;
}

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
): AdoptionProblem | undefined {
  if (!service || /^(deleting|deleted)$/i.test(service.state))
    return { reason: 'AdoptionTargetNotFound', message: `endpoint service ${serviceId} not found` };
  const owner = otherOwner(service.tags, self);
  if (owner)
    return {
      reason: 'OwnedElsewhere',
      message: `endpoint service ${serviceId} is owned by ${owner}: it is never taken over`,
    };
  return replacementProblem(serviceId, service);
}

/** What only a new service could fix: a Gateway Load Balancer service, a failed one. */
function replacementProblem(serviceId: string, service: ObservedService): AdoptionProblem | undefined {
  if ((service.gatewayLoadBalancerArns ?? []).length > 0)
    return {
      reason: 'AdoptionNeedsReplacement',
      message: `endpoint service ${serviceId} fronts Gateway Load Balancers; a service cannot change to Network Load Balancers in place`,
    };
  if (/^failed$/i.test(service.state))
    return {
      reason: 'AdoptionNeedsReplacement',
      message: `endpoint service ${serviceId} is Failed; only a new service would work`,
    };
  return undefined;
}
