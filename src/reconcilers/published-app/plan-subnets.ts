/**
 * Which of the spec's subnets an endpoint can be in, judged before any create or modify:
 * each must exist, be in the endpoint's VPC and — when it is not on the live endpoint yet —
 * lie in a zone the service is offered in. Zones are compared by id (`use1-az1`): a zone
 * name means different zones in the provider's and the consumer's accounts. Pure.
 */
import type { ServiceZones, SubnetInfo } from './aws-ops.ts';

/** Why some of the spec's subnets cannot be used; the reason is the condition reason. */
export interface SubnetProblem {
  reason: 'SubnetNotFound' | 'SubnetNotInVpc' | 'AvailabilityZoneNotOffered';
  message: string;
}

/** The subnets the endpoint may be put in, and what was refused. */
export interface SubnetPlan {
  /** The spec's subnets that pass every check, in spec order. */
  usable: string[];
  /** The first problem found (missing, then other VPC, then zone), when any subnet failed. */
  problem?: SubnetProblem;
}

export interface SubnetInputs {
  wanted: readonly string[];
  vpcId: string;
  /** What DescribeSubnets returned for `wanted`. */
  subnets: ReadonlyMap<string, SubnetInfo>;
  /** Subnets the live endpoint is in: AWS took them, so their zones are not checked again. */
  current: readonly string[];
  serviceName: string;
  /** The service's zones; undefined when not read (every wanted subnet is current). */
  service?: ServiceZones;
}

function offered(subnet: SubnetInfo, service: ServiceZones | undefined): boolean {
  if (!service) return true;
  if (service.zoneIds.length > 0) return service.zoneIds.includes(subnet.zoneId);
  // No ids from AWS: names, which agree only within one account (the common DMZ case).
  return service.zones.length === 0 || service.zones.includes(subnet.zone);
}

const list = (ids: readonly string[]) => ids.join(', ');

/** Splits the spec's subnets into usable ones and the first problem of the others. */
export function planSubnets(i: SubnetInputs): SubnetPlan {
  const missing = i.wanted.filter((id) => !i.subnets.has(id));
  const elsewhere = i.wanted.filter((id) => i.subnets.has(id) && i.subnets.get(id)?.vpcId !== i.vpcId);
  const unoffered = i.wanted.filter((id) => {
    const subnet = i.subnets.get(id);
    return subnet?.vpcId === i.vpcId && !i.current.includes(id) && !offered(subnet, i.service);
  });
  const bad = new Set([...missing, ...elsewhere, ...unoffered]);
  const usable = i.wanted.filter((id) => !bad.has(id));
  if (missing.length > 0)
    return { usable, problem: { reason: 'SubnetNotFound', message: `subnet(s) ${list(missing)} not found` } };
  if (elsewhere.length > 0) {
    const message = `subnet(s) ${list(elsewhere)} are not in ${i.vpcId}`;
    return { usable, problem: { reason: 'SubnetNotInVpc', message } };
  }
  if (unoffered.length > 0) {
    const where = unoffered.map((id) => {
      const s = i.subnets.get(id);
      return `${id} (${s?.zoneId || s?.zone})`;
    });
    const zones = i.service?.zoneIds.length ? i.service.zoneIds : (i.service?.zones ?? []);
    const message = `subnet(s) ${list(where)} are in zones ${i.serviceName} is not offered in; it is offered in ${list(zones)}`;
    return { usable, problem: { reason: 'AvailabilityZoneNotOffered', message } };
  }
  return { usable };
}
