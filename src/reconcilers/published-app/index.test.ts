import type { PublishedApp } from '../../api/v1alpha1.ts';
import { appsReferencing } from './index.ts';

const app = (namespace: string, name: string, service: PublishedApp['spec']['service']): PublishedApp =>
  ({
    apiVersion: 'publisher.privatelink.dev/v1alpha1',
    kind: 'PublishedApp',
    metadata: { namespace, name },
    spec: { service },
  }) as PublishedApp;

describe('appsReferencing', () => {
  const apps = [
    app('dmz', 'same-ns', { endpointServiceRef: { name: 'blue' } }),
    app('dmz', 'explicit-ns', { endpointServiceRef: { name: 'blue', namespace: 'team-blue' } }),
    app('dmz', 'other-name', { endpointServiceRef: { name: 'green', namespace: 'team-blue' } }),
    app('dmz', 'by-name', { serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-1' }),
  ];
  it.each([
    ['team-blue', 'blue', ['explicit-ns']],
    ['dmz', 'blue', ['same-ns']],
    ['team-blue', 'green', ['other-name']],
    ['team-green', 'green', []],
  ])('EndpointService %s/%s → %j', (namespace, name, want) => {
    expect(appsReferencing(apps, { metadata: { namespace, name } }).map((k) => k.name)).toEqual(want);
  });
});
