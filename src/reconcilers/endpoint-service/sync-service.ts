/**
 * The endpoint service itself: found by ownership (or the recorded id), else adopted when the
 * spec names one built by hand, its NLBs checked, then created or brought in line with the
 * spec (tags, configuration) in place.
 */
import { ownedTagMap, ownerTagValue } from '../../aws/tags.ts';
import { TerminalError } from '../../controller/types.ts';
import { adoptionProblem } from './adoption.ts';
import * as ops from './aws-ops.ts';
import {
  checkLoadBalancers,
  describeModification,
  loadBalancersToVerify,
  planServiceModification,
  planTags,
  serviceClientToken,
  type DesiredService,
  type ObservedService,
} from './plan.ts';
import type { Session } from './session.ts';

/** The owned service and further services carrying this object's ownership tags. */
export interface FoundServices {
  service?: ObservedService;
  /** Duplicates only an endpoint ignoring ClientToken could have made. */
  extras: ObservedService[];
}

/**
 * Creates the service or brings it in line with `desired`.
 * @returns the service as AWS shows it afterwards; undefined when a dry run skipped creating it.
 * @throws TerminalError when an NLB to attach is missing or not a network load balancer.
 */
export async function syncService(s: Session, desired: DesiredService): Promise<ObservedService | undefined> {
  const { service: owned, extras } = await findService(s);
  const found = owned ?? (await adoptNamed(s));
  if (extras.length > 0) {
    const ids = extras.map((x) => x.serviceId).join(', ');
    s.event('Warning', 'DuplicateService', 'Find', `also owned, not used: ${ids}`);
  }
  const toVerify = loadBalancersToVerify(desired, found);
  const problem = checkLoadBalancers(toVerify, await ops.describeLoadBalancers(s.elbv2, toVerify));
  if (problem) throw new TerminalError(problem.reason, problem.message);
  return found ? updateService(s, desired, found) : createService(s, desired);
}

/**
 * The owned service: by ownership tag (preferring the one status recorded), else the one
 * status recorded; deleted ones don't count.
 */
export async function findService(s: Session): Promise<FoundServices> {
  const recorded = s.obj.status?.serviceId;
  const owned = (await ops.findOwnedServices(s.ec2, s.owner()))
    .filter(isLive)
    .sort(
      (a, b) =>
        Number(b.serviceId === recorded) - Number(a.serviceId === recorded) ||
        a.serviceId.localeCompare(b.serviceId),
    );
  const [first, ...extras] = owned;
  if (first || !recorded) return { service: first, extras };
  const byId = await ops.describeService(s.ec2, recorded);
  return { service: byId && isLive(byId) ? byId : undefined, extras };
}

/**
 * The service spec.adopt names, tagged as this object's (ownership tags only: the user's
 * tags follow with the rest of the spec, in place).
 * @returns undefined when the spec adopts nothing.
 * @throws TerminalError when it may not be adopted (adoption.ts); nothing is changed then.
 */
async function adoptNamed(s: Session): Promise<ObservedService | undefined> {
  const serviceId = s.obj.spec.adopt?.serviceId;
  if (!serviceId) return undefined;
  const service = await ops.describeService(s.ec2, serviceId);
  const problem = adoptionProblem(serviceId, service, s.owner());
  if (problem || !service)
    throw new TerminalError(problem?.reason ?? 'AdoptionTargetNotFound', problem?.message ?? serviceId);
  const ownership = ownedTagMap(s.owner());
  if (s.skip('Adopt', `adopt ${serviceId}: tag it as owned by ${ownerTagValue(s.owner())}`)) return service;
  await ops.tagResource(s.ec2, serviceId, ownership);
  s.log.info({ serviceId }, 'endpoint service adopted');
  s.event(
    'Normal',
    'Adopted',
    'Adopt',
    `adopted ${serviceId} (${service.serviceName}): tagged as owned, converging it to the spec in place`,
  );
  return { ...service, tags: { ...service.tags, ...ownership } };
}

async function createService(s: Session, desired: DesiredService): Promise<ObservedService | undefined> {
  if (s.skip('Create', `create endpoint service for ${desired.networkLoadBalancerArns.join(', ')}`))
    return undefined;
  // A recorded service that is gone was deleted out of band: a new token makes a new one.
  const token = serviceClientToken(s.uid, s.obj.status?.serviceId);
  const service = await ops.createService(s.ec2, desired, token);
  s.log.info({ serviceId: service.serviceId }, 'endpoint service created');
  s.event('Normal', 'ServiceCreated', 'Create', `created ${service.serviceId} (${service.serviceName})`);
  return service;
}

async function updateService(
  s: Session,
  desired: DesiredService,
  service: ObservedService,
): Promise<ObservedService> {
  const tags = planTags(desired.tags, service.tags);
  if (Object.keys(tags).length > 0 && !s.skip('Tag', `tag ${service.serviceId}`))
    await ops.tagResource(s.ec2, service.serviceId, tags);
  const mod = planServiceModification(desired, service);
  if (!mod) return service;
  const what = `${service.serviceId}: ${describeModification(mod)}`;
  if (s.skip('Modify', what)) return service;
  await ops.modifyService(s.ec2, service.serviceId, mod);
  s.log.info({ serviceId: service.serviceId, change: what }, 'endpoint service modified');
  s.event('Normal', 'ServiceModified', 'Modify', what);
  // Re-read: the change moves fields we report (private DNS verification, state).
  return (await ops.describeService(s.ec2, service.serviceId)) ?? service;
}

function isLive(service: ObservedService): boolean {
  return !/^(deleting|deleted)$/i.test(service.state);
}
