import type {
  AwsIdentity,
  AwsIdentitySpec,
  EndpointService,
  PublishedApp,
  PublishedAppSpec,
  SharedListener,
  SharedListenerSpec,
} from '../../api/v1alpha1.ts';
import type { ObjectKey } from '../../controller/types.ts';
import {
  attachmentOf,
  cleanupAttachmentOf,
  consentRefusal,
  identityTarget,
  type AccessLookups,
  type Decision,
} from './access.ts';
import { consumerApp } from './consumers.ts';

const LISTENER_ARN =
  'arn:aws:elasticloadbalancing:us-east-1:222222222222:listener/app/dmz-alb/2c3d4e5f6a7b8c9d/3d4e5f6a7b8c9d0e';
const BLUE_ROLE = 'arn:aws:iam::111111111111:role/publisher';
const SERVICE_NAME = 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0';

const LABELS: Record<string, Record<string, string>> = {
  dmz: { team: 'dmz' },
  'team-blue': { team: 'blue', tier: 'apps' },
  'team-green': { team: 'green', tier: 'apps' },
  mallory: { team: 'mallory' },
};

const identity = (name: string, spec: AwsIdentitySpec): AwsIdentity => ({
  apiVersion: 'publisher.privatelink.dev/v1alpha1',
  kind: 'AwsIdentity',
  metadata: { name },
  spec,
});
const IDENTITIES = [
  identity('default', { allowedNamespaces: { names: ['dmz'] } }),
  identity('blue', { roleArn: BLUE_ROLE, externalId: 'x1', allowedNamespaces: { names: ['team-blue'] } }),
  identity('apps', { allowedNamespaces: { selector: { matchLabels: { tier: 'apps' } } } }),
  identity('nobody', { allowedNamespaces: {} }),
  identity('adopter', { allowAdoption: true, allowedNamespaces: { names: ['team-blue'] } }),
  identity('dmz-adopter', { allowAdoption: true, allowedNamespaces: { names: ['dmz'] } }),
];

const listener = (
  namespace: string,
  name: string,
  spec: Partial<SharedListenerSpec> = {},
): SharedListener => ({
  apiVersion: 'publisher.privatelink.dev/v1alpha1',
  kind: 'SharedListener',
  metadata: { namespace, name },
  spec: { listenerArn: LISTENER_ARN, ...spec },
});
const LISTENERS = [
  listener('dmz', 'public', {
    allowedRoutes: {
      namespaces: { from: 'Selector', selector: { matchLabels: { tier: 'apps' } } },
      claims: [{ namespaces: ['team-blue'], pathPrefixes: ['/blue'] }],
    },
    priorities: { min: 1000, max: 1999 },
  }),
  listener('dmz', 'own'),
  listener('dmz', 'adopting', {
    aws: { identity: 'dmz-adopter' },
    allowedRoutes: { namespaces: { from: 'All' } },
    adoption: { namespaces: { from: 'Selector', selector: { matchLabels: { tier: 'apps' } } } },
  }),
  listener('dmz', 'adoption-without-identity', {
    allowedRoutes: { namespaces: { from: 'All' } },
    adoption: { namespaces: { from: 'All' } },
  }),
  listener('dmz', 'orphan', { aws: { identity: 'nobody' } }),
  listener('dmz', 'ghost', { aws: { identity: 'missing' } }),
  {
    ...listener('dmz', 'api', {
      frontDoor: { apiGateway: { apiId: 'a1b2c3d4e5', vpcLink: { subnetIds: ['subnet-1'] } } },
    }),
    metadata: { namespace: 'dmz', name: 'api', uid: 'slis-uid' },
  },
];

const endpointService = (
  namespace: string,
  name: string,
  extra: Partial<EndpointService['spec']> = {},
  serviceName?: string,
): EndpointService => ({
  apiVersion: 'publisher.privatelink.dev/v1alpha1',
  kind: 'EndpointService',
  metadata: { namespace, name },
  spec: { networkLoadBalancerArns: [], ...extra },
  status: serviceName ? { serviceName } : undefined,
});
const SERVICES = [
  endpointService('team-blue', 'blue', {}, SERVICE_NAME),
  endpointService('team-blue', 'shared', { allowedConsumers: { namespaces: { from: 'All' } } }),
  endpointService('team-green', 'green', {
    allowedConsumers: { namespaces: { from: 'Selector', selector: { matchLabels: { tier: 'apps' } } } },
  }),
];

const find = <T extends { metadata?: { namespace?: string; name?: string } }>(items: T[], key: ObjectKey) =>
  items.find((i) => i.metadata?.namespace === key.namespace && i.metadata.name === key.name);

function lookups(singleTenant = false): AccessLookups {
  return {
    identity: (name) => IDENTITIES.find((i) => i.metadata?.name === name),
    listener: (key) => find(LISTENERS, key),
    endpointService: (key) => find(SERVICES, key),
    endpointServices: () => SERVICES,
    labels: (ns) => LABELS[ns],
    singleTenant,
  };
}

function app(namespace: string, spec: Partial<PublishedAppSpec>, finalizers?: string[]): PublishedApp {
  return {
    apiVersion: 'publisher.privatelink.dev/v1alpha1',
    kind: 'PublishedApp',
    metadata: { namespace, name: 'app', finalizers },
    spec: {
      service: { serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0fffffffffffffff0' },
      endpoint: { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'] },
      listenerRef: { name: 'public', namespace: 'dmz' },
      routing: { pathPatterns: ['/blue', '/blue/*'] },
      target: { port: 80 },
      ...spec,
    },
  };
}

/** A decision as `ok` or the refusal's reason, for compact tables. */
const outcome = <T>(d: Decision<T>): string => (d.ok ? 'ok' : d.refusal.reason);

describe('identityTarget', () => {
  const grantee = (namespace: string) => ({ kind: 'EndpointService', namespace, name: 'es' });
  test.each<[string, string | undefined, string, string]>([
    ['default grants dmz', undefined, 'dmz', 'ok'],
    ['default does not grant a tenant', undefined, 'mallory', 'IdentityNotPermitted'],
    ['named, granted by name', 'blue', 'team-blue', 'ok'],
    ["another team's identity", 'blue', 'mallory', 'IdentityNotPermitted'],
    ['granted by selector', 'apps', 'team-green', 'ok'],
    ['selector does not match', 'apps', 'dmz', 'IdentityNotPermitted'],
    ['a grant of neither names nor selector: nobody', 'nobody', 'dmz', 'IdentityNotPermitted'],
    ['missing', 'missing', 'dmz', 'IdentityNotFound'],
  ])('%s', (_name, name, namespace, want) => {
    expect(
      outcome(identityTarget(lookups(), name ? { identity: name } : undefined, grantee(namespace))),
    ).toBe(want);
  });

  test.each<[string, string, string, string]>([
    ['an identity that allows adoption', 'adopter', 'team-blue', 'ok'],
    ['an identity that does not', 'blue', 'team-blue', 'AdoptionNotPermitted'],
    ['the default identity (no allowAdoption)', 'default', 'dmz', 'AdoptionNotPermitted'],
    ['allowAdoption does not grant another namespace', 'adopter', 'mallory', 'IdentityNotPermitted'],
  ])('adopting through %s', (_name, name, namespace, want) => {
    expect(outcome(identityTarget(lookups(), { identity: name }, grantee(namespace), { adopts: true }))).toBe(
      want,
    );
  });

  test('carries the role, external id, region and the grantee as the session subject', () => {
    const got = identityTarget(lookups(), { identity: 'blue', region: 'eu-west-1' }, grantee('team-blue'));
    expect(got).toEqual({
      ok: true,
      value: {
        region: 'eu-west-1',
        identity: 'blue',
        roleArn: BLUE_ROLE,
        externalId: 'x1',
        session: grantee('team-blue'),
      },
    });
  });
});

describe('attachmentOf', () => {
  test.each<[string, PublishedApp, boolean, string]>([
    ['granted namespace, claimed path', app('team-blue', {}), false, 'ok'],
    ['namespace the selector does not admit', app('mallory', {}), false, 'ListenerNotPermitted'],
    [
      'a path outside the claim',
      app('team-blue', { routing: { pathPatterns: ['/admin/*'] } }),
      false,
      'ClaimNotPermitted',
    ],
    [
      'admitted, but no claim names it',
      app('team-green', { routing: { pathPatterns: ['/green'] } }),
      false,
      'ClaimNotPermitted',
    ],
    [
      'priority outside the range',
      app('team-blue', { routing: { pathPatterns: ['/blue'], priority: 5 } }),
      false,
      'PriorityNotPermitted',
    ],
    [
      'priority inside the range',
      app('team-blue', { routing: { pathPatterns: ['/blue'], priority: 1500 } }),
      false,
      'ok',
    ],
    ['Same: its own namespace', app('dmz', { listenerRef: { name: 'own' } }), false, 'ok'],
    [
      'Same: another namespace',
      app('team-blue', { listenerRef: { name: 'own', namespace: 'dmz' } }),
      false,
      'ListenerNotPermitted',
    ],
    [
      'missing SharedListener',
      app('team-blue', { listenerRef: { name: 'gone', namespace: 'dmz' } }),
      false,
      'SharedListenerNotFound',
    ],
    [
      "the listener's identity does not grant the listener's namespace",
      app('dmz', { listenerRef: { name: 'orphan' } }),
      false,
      'IdentityNotPermitted',
    ],
    [
      "the listener's identity is missing",
      app('dmz', { listenerRef: { name: 'ghost' } }),
      false,
      'IdentityNotFound',
    ],
    [
      'raw listenerArn without --single-tenant',
      app('dmz', { listenerRef: undefined, listenerArn: LISTENER_ARN }),
      false,
      'ListenerNotPermitted',
    ],
    [
      'raw listenerArn with --single-tenant, identity granted',
      app('dmz', { listenerRef: undefined, listenerArn: LISTENER_ARN }),
      true,
      'ok',
    ],
    [
      'raw listenerArn with --single-tenant, identity not granted',
      app('mallory', { listenerRef: undefined, listenerArn: LISTENER_ARN }),
      true,
      'IdentityNotPermitted',
    ],
  ])('%s', (_name, subject, singleTenant, want) => {
    expect(outcome(attachmentOf(lookups(singleTenant), subject))).toBe(want);
  });

  const adopting = (namespace: string, listenerName: string, listenerNamespace = 'dmz') =>
    app(namespace, {
      listenerRef: { name: listenerName, namespace: listenerNamespace },
      adopt: { endpointId: 'vpce-0123456789abcdef0' },
    });
  test.each<[string, PublishedApp, boolean, string]>([
    ['granted by the listener and its identity', adopting('team-blue', 'adopting'), false, 'ok'],
    [
      'a namespace the adoption grant does not admit',
      adopting('mallory', 'adopting'),
      false,
      'AdoptionNotPermitted',
    ],
    ['a listener without an adoption grant', adopting('team-blue', 'public'), false, 'AdoptionNotPermitted'],
    [
      "the listener's namespace itself, without an adoption grant",
      adopting('dmz', 'own'),
      false,
      'AdoptionNotPermitted',
    ],
    [
      "a grant whose listener's identity does not allow adoption",
      adopting('team-blue', 'adoption-without-identity'),
      false,
      'AdoptionNotPermitted',
    ],
    [
      'raw listenerArn, identity allowing adoption',
      app('team-blue', {
        listenerRef: undefined,
        listenerArn: LISTENER_ARN,
        aws: { identity: 'adopter' },
        adopt: { ruleArn: 'r' },
      }),
      true,
      'ok',
    ],
    [
      'raw listenerArn, identity not allowing adoption',
      app('team-blue', {
        listenerRef: undefined,
        listenerArn: LISTENER_ARN,
        aws: { identity: 'blue' },
        adopt: { ruleArn: 'r' },
      }),
      true,
      'AdoptionNotPermitted',
    ],
  ])('adopting: %s', (_name, subject, singleTenant, want) => {
    expect(outcome(attachmentOf(lookups(singleTenant), subject))).toBe(want);
  });

  test('an app that adopts is still taken apart without the adoption grant', () => {
    expect(outcome(cleanupAttachmentOf(lookups(), adopting('team-blue', 'public')))).toBe('ok');
  });

  test("an app is built as the listener's identity, for the listener, with its claims and range", () => {
    const got = attachmentOf(lookups(), app('team-blue', {}));
    expect(got).toEqual({
      ok: true,
      value: {
        listenerArn: LISTENER_ARN,
        listener: { namespace: 'dmz', name: 'public' },
        target: {
          identity: 'default',
          region: undefined,
          roleArn: undefined,
          externalId: undefined,
          session: { kind: 'SharedListener', namespace: 'dmz', name: 'public' },
        },
        claims: [{ namespaces: ['team-blue'], pathPrefixes: ['/blue'] }],
        priorities: { min: 1000, max: 1999 },
      },
    });
  });

  test("behind an API front door, the attachment carries the SharedListener's API and its owner", () => {
    const want = {
      apiId: 'a1b2c3d4e5',
      vpcLink: { subnetIds: ['subnet-1'] },
      owner: { namespace: 'dmz', name: 'api', uid: 'slis-uid' },
    };
    const subject = app('dmz', { listenerRef: { name: 'api' } });
    const attached = attachmentOf(lookups(), subject);
    expect(attached.ok && attached.value.frontDoor).toEqual(want);
    const cleanup = cleanupAttachmentOf(lookups(), subject);
    expect(cleanup.ok && cleanup.value.frontDoor).toEqual(want);
    const plain = attachmentOf(lookups(), app('team-blue', {}));
    expect(plain.ok && 'frontDoor' in plain.value).toBe(false);
  });
});

describe('cleanupAttachmentOf', () => {
  test.each<[string, PublishedApp, string]>([
    // A withdrawn route grant must not keep the controller from taking its rule back.
    ['namespace no longer admitted', app('mallory', {}), 'ok'],
    ['path no longer claimed', app('team-blue', { routing: { pathPatterns: ['/x'] } }), 'ok'],
    [
      'listener gone',
      app('team-blue', { listenerRef: { name: 'gone', namespace: 'dmz' } }),
      'SharedListenerNotFound',
    ],
    [
      "listener's identity withdrawn",
      app('dmz', { listenerRef: { name: 'orphan' } }),
      'IdentityNotPermitted',
    ],
  ])('%s', (_name, subject, want) => {
    expect(outcome(cleanupAttachmentOf(lookups(), subject))).toBe(want);
  });
});

describe('consentRefusal', () => {
  test.each<[string, PublishedApp, string | undefined]>([
    [
      'same namespace (default Same)',
      app('team-blue', { service: { endpointServiceRef: { name: 'blue' } } }),
      undefined,
    ],
    [
      'another namespace, no consent',
      app('mallory', { service: { endpointServiceRef: { name: 'blue', namespace: 'team-blue' } } }),
      'ReferenceNotPermitted',
    ],
    [
      'All',
      app('mallory', { service: { endpointServiceRef: { name: 'shared', namespace: 'team-blue' } } }),
      undefined,
    ],
    [
      'Selector, matching',
      app('team-blue', { service: { endpointServiceRef: { name: 'green', namespace: 'team-green' } } }),
      undefined,
    ],
    [
      'Selector, not matching',
      app('dmz', { service: { endpointServiceRef: { name: 'green', namespace: 'team-green' } } }),
      'ReferenceNotPermitted',
    ],
    // An unknown reference waits for the EndpointService (WaitingForEndpointService), not refused.
    [
      'reference to nothing',
      app('dmz', { service: { endpointServiceRef: { name: 'none', namespace: 'x' } } }),
      undefined,
    ],
    [
      'serviceName an EndpointService here manages',
      app('mallory', { service: { serviceName: SERVICE_NAME } }),
      'ReferenceNotPermitted',
    ],
    [
      'serviceName managed here, own namespace',
      app('team-blue', { service: { serviceName: SERVICE_NAME } }),
      undefined,
    ],
    ['serviceName no EndpointService here manages', app('mallory', {}), undefined],
  ])('%s', (_name, subject, want) => {
    expect(consentRefusal(lookups(), subject)?.reason).toBe(want);
  });

  test('the message names the EndpointService, what it admits and the namespace refused', () => {
    const subject = app('mallory', { service: { serviceName: SERVICE_NAME } });
    expect(consentRefusal(lookups(), subject)?.message).toBe(
      `EndpointService team-blue/blue (it manages ${SERVICE_NAME}) admits namespace team-blue only as consumers, not mallory`,
    );
  });
});

describe('consumerApp', () => {
  const cluster = 'c-1';
  const withEndpoint = (namespace: string, endpointId: string): PublishedApp => ({
    ...app(namespace, {}),
    status: { endpointId },
  });
  const apps = [
    withEndpoint('team-blue', 'vpce-0aaaaaaaaaaaaaaaa'),
    withEndpoint('mallory', 'vpce-0bbbbbbbbbbbbbbbb'),
  ];
  test.each<[string, { endpointId: string; tags?: Record<string, string> }, ObjectKey | undefined]>([
    [
      "our tags, this cluster's",
      {
        endpointId: 'vpce-0ccccccccccccccccc',
        tags: {
          'publisher.privatelink.dev/owner': 'PublishedApp/team-green/web',
          'publisher.privatelink.dev/cluster': cluster,
        },
      },
      { namespace: 'team-green', name: 'web' },
    ],
    [
      "another cluster's tags: found by status instead",
      {
        endpointId: 'vpce-0bbbbbbbbbbbbbbbb',
        tags: {
          'publisher.privatelink.dev/owner': 'PublishedApp/team-blue/app',
          'publisher.privatelink.dev/cluster': 'other',
        },
      },
      { namespace: 'mallory', name: 'app' },
    ],
    [
      'no tags (moto): by status.endpointId',
      { endpointId: 'vpce-0aaaaaaaaaaaaaaaa' },
      { namespace: 'team-blue', name: 'app' },
    ],
    ['not ours', { endpointId: 'vpce-0dddddddddddddddd' }, undefined],
  ])('%s', (_name, conn, want) => {
    expect(consumerApp(apps, conn, cluster)).toEqual(want);
  });
});
