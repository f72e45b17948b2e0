import { describe, expect, it } from '@jest/globals';
import { TAG_KEYS } from '../../api/kinds.ts';
import { adoptionProblem } from './adoption.ts';
import type { ObservedService } from './plan.ts';

const SELF = { clusterId: 'prod', uid: 'uid-1' };
const ID = 'vpce-svc-0123456789abcdef0';

const handBuilt: ObservedService = {
  serviceId: ID,
  serviceName: `com.amazonaws.vpce.us-east-1.${ID}`,
  state: 'Available',
  acceptanceRequired: true,
  networkLoadBalancerArns: ['arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/net/blue/1'],
  supportedIpAddressTypes: ['ipv4'],
  tags: { team: 'blue' },
};

const owned = (
  cluster: string | undefined,
  uid: string | undefined,
  owner?: string,
): Record<string, string> => ({
  team: 'blue',
  ...(cluster ? { [TAG_KEYS.cluster]: cluster } : {}),
  ...(uid ? { [TAG_KEYS.uid]: uid } : {}),
  ...(owner ? { [TAG_KEYS.owner]: owner } : {}),
});

describe('adoptionProblem', () => {
  it.each<[string, Partial<ObservedService> | undefined, string | undefined]>([
    ['untagged, available: adopted', {}, undefined],
    ['pending: adopted (it becomes available in place)', { state: 'Pending' }, undefined],
    ['already ours (tagged by an earlier pass)', { tags: owned('prod', 'uid-1') }, undefined],
    ['missing', undefined, 'AdoptionTargetNotFound'],
    ['being deleted', { state: 'Deleting' }, 'AdoptionTargetNotFound'],
    [
      'owned by another object of this cluster',
      { tags: owned('prod', 'uid-2', 'EndpointService/x/y') },
      'OwnedElsewhere',
    ],
    ['owned by another cluster', { tags: owned('staging', 'uid-1') }, 'OwnedElsewhere'],
    ['a cluster tag without a UID', { tags: owned('staging', undefined) }, 'OwnedElsewhere'],
    ['a UID tag without a cluster', { tags: owned(undefined, 'uid-9') }, 'OwnedElsewhere'],
    [
      'a Gateway Load Balancer service',
      {
        networkLoadBalancerArns: [],
        gatewayLoadBalancerArns: ['arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/gwy/g/1'],
      },
      'AdoptionNeedsReplacement',
    ],
    ['failed', { state: 'Failed' }, 'AdoptionNeedsReplacement'],
  ])('%s', (_, change, reason) => {
    const service = change === undefined ? undefined : { ...handBuilt, ...change };
    expect(adoptionProblem(ID, service, SELF)?.reason).toBe(reason);
  });

  it('names the owner it found', () => {
    const service = { ...handBuilt, tags: owned('prod', 'uid-2', 'EndpointService/team-green/green') };
    expect(adoptionProblem(ID, service, SELF)?.message).toContain(
      'EndpointService/team-green/green of cluster prod',
    );
  });
});
