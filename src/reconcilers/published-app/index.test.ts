import type { PublishedApp, SharedListener } from '../../api/v1alpha1.ts';
import { appsReferencing, appsUsingIdentity } from './index.ts';

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

describe('appsUsingIdentity', () => {
  const on = (namespace: string, name: string, spec: Partial<PublishedApp['spec']>): PublishedApp =>
    ({ metadata: { namespace, name }, spec: { service: { serviceName: 'x' }, ...spec } }) as PublishedApp;
  const apps = [
    on('blue', 'on-public', { listenerRef: { name: 'public', namespace: 'dmz' } }),
    on('dmz', 'on-own', { listenerRef: { name: 'own' } }),
    on('blue', 'raw-named', { listenerArn: 'arn', aws: { identity: 'team-blue' } }),
    on('blue', 'raw-default', { listenerArn: 'arn' }),
    on('blue', 'on-missing', { listenerRef: { name: 'gone', namespace: 'dmz' } }),
  ];
  const listeners: Record<string, SharedListener> = {
    'dmz/public': { spec: { listenerArn: 'arn', aws: { identity: 'dmz' } } } as SharedListener,
    'dmz/own': { spec: { listenerArn: 'arn' } } as SharedListener,
  };
  it.each([
    ['dmz', ['on-public']],
    ['default', ['on-own', 'raw-default']],
    ['team-blue', ['raw-named']],
    ['unused', []],
  ])('identity %s → %j', (identity, want) => {
    const got = appsUsingIdentity(apps, (k) => listeners[`${k.namespace}/${k.name}`], {
      metadata: { name: identity },
    });
    expect(got.map((k) => k.name)).toEqual(want);
  });
});
