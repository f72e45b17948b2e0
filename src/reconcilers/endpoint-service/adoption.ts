/**
 * Adoption of an endpoint service built by hand (spec.adopt), decided without I/O: whether
 * the named service may become this object's, and which deletion policy applies. A service
 * is adopted only when nobody owns it; one that only a new service could bring to the spec is
 * refused, so adoption never replaces anything.
 */
import { TAG_KEYS } from '../../api/kinds.ts';
import type { EndpointServiceSpec } from '../../api/v1alpha1.ts';
import type { Owner } from '../../aws/tags.ts';
import type { ObservedService } from './plan.ts';

/** Why the named service cannot be adopted. */
export interface AdoptionProblem {
  reason: 'AdoptionTargetNotFound' | 'OwnedElsewhere' | 'AdoptionNeedsReplacement';
  message: string;
}

/** The service's owner as its tags say, or undefined when they name none. */
function ownerOf(service: ObservedService): { cluster?: string; owner?: string; uid?: string } | undefined {
  const cluster = service.tags[TAG_KEYS.cluster];
  const uid = service.tags[TAG_KEYS.uid];
  if (cluster === undefined && uid === undefined) return undefined;
  return { cluster, uid, owner: service.tags[TAG_KEYS.owner] };
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
  const owner = ownerOf(service);
  if (owner && (owner.cluster !== self.clusterId || owner.uid !== self.uid)) {
    const who = owner.owner ?? `UID ${owner.uid ?? '?'}`;
    return {
      reason: 'OwnedElsewhere',
      message: `endpoint service ${serviceId} is owned by ${who} of cluster ${owner.cluster ?? '?'}: it is never taken over`,
    };
  }
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

/** The deletion policy in force: the spec's, else Retain for an adopted service and Delete otherwise. */
export function deletionPolicyOf(
  spec: Pick<EndpointServiceSpec, 'adopt' | 'deletionPolicy'>,
): 'Delete' | 'Retain' {
  return spec.deletionPolicy ?? (spec.adopt ? 'Retain' : 'Delete');
}
