/**
 * The CRDs as installed in a real API server: established under the names, short names,
 * category and printer columns the API contract promises; defaults applied; status a
 * subresource; `kubectl get` / `kubectl wait` working as users will type them.
 */
import { ApiextensionsV1Api, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import type { EndpointService, PublishedApp } from '../../src/api/v1alpha1.ts';
import { newTestContext, type TestContext } from '../env/context.ts';

const minimalEndpointService = (name: string) => `
apiVersion: publisher.privatelink.dev/v1alpha1
kind: EndpointService
metadata: { name: ${name} }
spec:
  networkLoadBalancerArns:
    - arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/net/blue-nlb/0a1b2c3d4e5f6a7b
  autoAccept: { principals: ['111111111111'] }
`;

const minimalPublishedApp = (name: string) => `
apiVersion: publisher.privatelink.dev/v1alpha1
kind: PublishedApp
metadata: { name: ${name} }
spec:
  service: { endpointServiceRef: { name: blue } }
  endpoint: { vpcId: vpc-0d2e4f6a8b0c1d3e5, subnetIds: [subnet-0a11b22c33d44e55f] }
  listenerArn: arn:aws:elasticloadbalancing:us-east-1:222222222222:listener/app/dmz-alb/2c3d4e5f6a7b8c9d/3d4e5f6a7b8c9d0e
  routing: { pathPatterns: [/blue, /blue/*] }
  target: { port: 80 }
`;

const readyCondition = {
  type: 'Ready',
  status: 'True',
  reason: 'Available',
  message: 'all good',
  lastTransitionTime: '2026-11-25T08:00:00Z',
};

let ctx: TestContext;

beforeAll(async () => {
  ctx = await newTestContext('crds');
});
afterAll(async () => {
  await ctx.cleanup();
});

async function kubectlOk(args: string[], stdin?: string): Promise<string> {
  const out = await ctx.kubectl(args, stdin);
  expect({ args, code: out.code, stderr: out.stderr }).toEqual({ args, code: 0, stderr: '' });
  return out.stdout;
}

async function getEndpointService(name: string): Promise<EndpointService> {
  return JSON.parse(await kubectlOk(['get', 'eps', name, '-n', ctx.namespace, '-o', 'json'])) as EndpointService;
}

async function getPublishedApp(name: string): Promise<PublishedApp> {
  return JSON.parse(await kubectlOk(['get', 'papp', name, '-n', ctx.namespace, '-o', 'json'])) as PublishedApp;
}

describe.each([
  {
    name: 'endpointservices.publisher.privatelink.dev',
    kind: 'EndpointService',
    shortNames: ['eps'],
    scope: 'Namespaced',
    status: true,
    columns: [
      ['Ready', '.status.conditions[?(@.type=="Ready")].status'],
      ['Service', '.status.serviceName'],
      ['State', '.status.serviceState'],
      ['Connections', '.status.connectionCounts.total'],
      ['Pending', '.status.connectionCounts.pendingAcceptance'],
      ['Age', '.metadata.creationTimestamp'],
    ],
  },
  {
    name: 'publishedapps.publisher.privatelink.dev',
    kind: 'PublishedApp',
    shortNames: ['papp'],
    scope: 'Namespaced',
    status: true,
    columns: [
      ['Ready', '.status.conditions[?(@.type=="Ready")].status'],
      ['Endpoint', '.status.endpointId'],
      ['State', '.status.endpointState'],
      ['Targets', '.status.targets.registered'],
      ['Path', '.spec.routing.pathPatterns[0]'],
      ['Priority', '.status.priority'],
      ['Age', '.metadata.creationTimestamp'],
    ],
  },
  {
    // The platform team's grant of an AWS identity: cluster-scoped, so no tenant's `edit` reaches it.
    name: 'awsidentities.publisher.privatelink.dev',
    kind: 'AwsIdentity',
    shortNames: ['awsid'],
    scope: 'Cluster',
    status: false,
    columns: [
      ['Role', '.spec.roleArn'],
      ['Namespaces', '.spec.allowedNamespaces.names'],
      ['Age', '.metadata.creationTimestamp'],
    ],
  },
  {
    name: 'sharedlisteners.publisher.privatelink.dev',
    kind: 'SharedListener',
    shortNames: ['slis'],
    scope: 'Namespaced',
    status: false,
    columns: [
      ['Listener', '.spec.listenerArn'],
      ['Identity', '.spec.aws.identity'],
      ['From', '.spec.allowedRoutes.namespaces.from'],
      ['Age', '.metadata.creationTimestamp'],
    ],
  },
])('CRD $kind', ({ name, kind, shortNames, scope, status, columns }) => {
  let crd: V1CustomResourceDefinition;
  beforeAll(async () => {
    crd = await ctx.kc.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name });
  });

  test('is established with its names accepted', () => {
    const conditions = Object.fromEntries((crd.status?.conditions ?? []).map((c) => [c.type, c.status]));
    expect(conditions).toMatchObject({ Established: 'True', NamesAccepted: 'True' });
    expect(crd.status?.acceptedNames).toMatchObject({ kind, shortNames, categories: ['privatelink'] });
    expect(crd.spec.scope).toBe(scope);
  });

  test(`serves v1alpha1 only, ${status ? 'with' : 'without'} a status subresource`, () => {
    expect(
      crd.spec.versions.map((v) => [v.name, v.served, v.storage, v.subresources?.status !== undefined]),
    ).toEqual([['v1alpha1', true, true, status]]);
  });

  test('has the printer columns of the API contract', () => {
    const actual = crd.spec.versions[0]!.additionalPrinterColumns!.map((c) => [c.name, c.jsonPath]);
    expect(actual).toEqual(columns);
  });
});

test('defaults are filled in by the API server', async () => {
  await kubectlOk(['apply', '-n', ctx.namespace, '-f', '-'], minimalEndpointService('defaults'));
  await kubectlOk(['apply', '-n', ctx.namespace, '-f', '-'], minimalPublishedApp('defaults'));
  const eps = await getEndpointService('defaults');
  expect(eps.spec).toMatchObject({
    acceptanceRequired: true,
    supportedIpAddressTypes: ['ipv4'],
    autoAccept: { rejectOthers: false },
  });
  // No schema default for either kind: Delete when created, Retain when adopting (status says which).
  expect(eps.spec.deletionPolicy).toBeUndefined();
  const papp = await getPublishedApp('defaults');
  expect(papp.spec.deletionPolicy).toBeUndefined();
  expect(papp.spec).toMatchObject({
    target: {
      port: 80,
      protocol: 'HTTP',
      deregistrationDelaySeconds: 300,
      healthCheck: {
        path: '/',
        intervalSeconds: 30,
        timeoutSeconds: 5,
        healthyThresholdCount: 5,
        unhealthyThresholdCount: 2,
        matcher: '200',
      },
    },
  });
  expect(papp.spec.routing.priority).toBeUndefined();
});

test('status is a subresource: spec writes ignore it, status writes keep the generation', async () => {
  await kubectlOk(['apply', '-n', ctx.namespace, '-f', '-'], minimalPublishedApp('subresource'));
  const before = await getPublishedApp('subresource');
  await kubectlOk(
    ['patch', 'papp', 'subresource', '-n', ctx.namespace, '--type=merge', '-p', '{"status":{"endpointId":"vpce-ignored"}}'],
  );
  expect((await getPublishedApp('subresource')).status).toBeUndefined();
  await kubectlOk([
    'patch',
    'papp',
    'subresource',
    '-n',
    ctx.namespace,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({ status: { endpointId: 'vpce-0123456789abcdef0', conditions: [readyCondition] } }),
  ]);
  const after = await getPublishedApp('subresource');
  expect(after.status?.endpointId).toBe('vpce-0123456789abcdef0');
  expect(after.metadata?.generation).toBe(before.metadata?.generation);
});

test('conditions are a map keyed by type: a second Ready replaces the first', async () => {
  await kubectlOk(['apply', '-n', ctx.namespace, '-f', '-'], minimalEndpointService('conditions'));
  const patch = (status: string) =>
    kubectlOk([
      'patch',
      'eps',
      'conditions',
      '-n',
      ctx.namespace,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { conditions: [{ ...readyCondition, status }] } }),
    ]);
  await patch('False');
  await patch('True');
  const eps = await getEndpointService('conditions');
  expect(eps.status?.conditions?.map((c) => [c.type, c.status])).toEqual([
    ['Ready', 'True'],
  ]);
  const dup = await ctx.kubectl(
    ['replace', '--subresource=status', '-n', ctx.namespace, '-f', '-'],
    JSON.stringify({ ...eps, status: { conditions: [readyCondition, readyCondition] } }),
  );
  expect(dup.code).not.toBe(0);
  expect(dup.stderr).toContain('status.conditions[1]: Duplicate value');
});

test('kubectl get shows the printer columns with status values; short names and category work', async () => {
  await kubectlOk(['apply', '-n', ctx.namespace, '-f', '-'], minimalEndpointService('columns'));
  await kubectlOk(['apply', '-n', ctx.namespace, '-f', '-'], minimalPublishedApp('columns'));
  const serviceName = 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0';
  await kubectlOk([
    'patch',
    'eps',
    'columns',
    '-n',
    ctx.namespace,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({
      status: {
        serviceName,
        serviceState: 'Available',
        connectionCounts: { total: 3, available: 2, pendingAcceptance: 1 },
        conditions: [readyCondition],
      },
    }),
  ]);
  await kubectlOk([
    'patch',
    'papp',
    'columns',
    '-n',
    ctx.namespace,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({
      status: {
        endpointId: 'vpce-0123456789abcdef0',
        endpointState: 'available',
        targets: { registered: 2, healthy: 1 },
        priority: 17,
        conditions: [{ ...readyCondition, status: 'False' }],
      },
    }),
  ]);

  const rows = (text: string) => text.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));
  const eps = rows(await kubectlOk(['get', 'eps', 'columns', '-n', ctx.namespace, '-o', 'wide']));
  expect(eps[0]).toEqual(['NAME', 'READY', 'SERVICE', 'STATE', 'CONNECTIONS', 'PENDING', 'AGE']);
  expect(eps[1]!.slice(0, 6)).toEqual(['columns', 'True', serviceName, 'Available', '3', '1']);
  const papp = rows(await kubectlOk(['get', 'papp', 'columns', '-n', ctx.namespace]));
  expect(papp[0]).toEqual(['NAME', 'READY', 'ENDPOINT', 'STATE', 'TARGETS', 'PATH', 'PRIORITY', 'AGE']);
  expect(papp[1]!.slice(0, 7)).toEqual(['columns', 'False', 'vpce-0123456789abcdef0', 'available', '2', '/blue', '17']);

  const all = await kubectlOk(['get', 'privatelink', '-n', ctx.namespace, '-o', 'name']);
  expect(all).toContain('endpointservice.publisher.privatelink.dev/columns');
  expect(all).toContain('publishedapp.publisher.privatelink.dev/columns');
});

test('kubectl wait --for=condition=Ready works on the conditions', async () => {
  await kubectlOk(['apply', '-n', ctx.namespace, '-f', '-'], minimalEndpointService('wait'));
  const waiting = ctx.kubectl(['wait', '--for=condition=Ready', '--timeout=30s', '-n', ctx.namespace, 'eps/wait']);
  await kubectlOk([
    'patch',
    'eps',
    'wait',
    '-n',
    ctx.namespace,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({ status: { conditions: [readyCondition] } }),
  ]);
  expect(await waiting).toMatchObject({ code: 0, stdout: expect.stringContaining('condition met') });
});

test('kubectl explain shows the schema descriptions', async () => {
  const out = await kubectlOk(['explain', 'publishedapp.spec.endpoint.vpcId']);
  expect(out).toContain('The VPC of the listener\'s load balancer. Immutable.');
});
