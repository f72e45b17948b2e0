import type { EndpointService } from '../../api/v1alpha1.ts';
import { servicesUsingIdentity } from './index.ts';

describe('servicesUsingIdentity', () => {
  const es = (name: string, identity?: string): EndpointService => ({
    apiVersion: 'publisher.privatelink.dev/v1alpha1',
    kind: 'EndpointService',
    metadata: { namespace: 'team-blue', name },
    spec: { networkLoadBalancerArns: [], ...(identity ? { aws: { identity } } : {}) },
  });
  const all = [es('named', 'team-blue'), es('default-1'), es('default-2', 'default'), es('other', 'green')];
  it.each([
    ['team-blue', ['named']],
    ['default', ['default-1', 'default-2']],
    ['nobody', []],
  ])('identity %s → %j', (identity, want) => {
    expect(servicesUsingIdentity(all, { metadata: { name: identity } }).map((k) => k.name)).toEqual(want);
  });
});
