/**
 * Separation of duties, attacked (issue 13). Seed 000's teams share one cluster and one DMZ:
 * the platform team grants AWS identities (AwsIdentity), the DMZ team shares its listener
 * (SharedListener: which namespaces, which paths, which priorities), app teams publish. Every
 * team member is a ServiceAccount holding only `edit` in its namespace, against the real API
 * server's RBAC. mallory then tries to borrow what blue and green were granted; each attempt
 * must end as a precise refusal with nothing made, changed or assumed in AWS — compared
 * account-wide before and after.
 */
import { jest } from '@jest/globals';
import { CoreV1Api } from '@kubernetes/client-node';
import { DescribeVpcEndpointServiceConfigurationsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import {
  API_GROUP,
  API_VERSION,
  ENDPOINT_SERVICE,
  FINALIZER,
  PUBLISHED_APP,
} from '../../../src/api/kinds.ts';
import type {
  EndpointService,
  EndpointServiceSpec,
  PublishedApp,
  PublishedAppSpec,
} from '../../../src/api/v1alpha1.ts';
import type { AwsCallObserverCall } from '../../../src/aws/types.ts';
import { newTestContext, type TestContext } from '../../env/context.ts';
import { canI } from '../../env/controller-identity.ts';
import { getCustomObject } from '../../env/poll.ts';
import { inventory, type Inventory } from '../../reliability/inventory.ts';
import { account, type Account } from '../endpoint-service/harness.ts';
import { grantIdentity, removeIdentity, shareListener } from '../grants.ts';
import {
  awsClients,
  condition,
  eventually,
  listenerRules,
  pathsOf,
  startController,
  waitForApp,
  waitForEvent,
  waitForReady,
  type Aws,
  type RunningController,
} from '../published-app/harness.ts';
import { createDmz, createProvider, type Dmz, type Provider } from '../published-app/world.ts';
import { createTenant, installUserRoles, type Tenant } from './tenants.ts';

jest.setTimeout(240_000);

let ctx: TestContext;
let dmzAws: Aws;
let blueAws: Account;
let dmz: Dmz;
let green: Provider;
let controller: RunningController;
let removeUserRoles: () => Promise<void>;
const calls: AwsCallObserverCall[] = [];
const tenants: Record<'blue' | 'green' | 'mallory', Tenant> = {} as never;
let dmzNs: string;
let blueNlbArn: string;

/** The objects of `tenant` as seen by helpers that take a TestContext: its namespace, its kubectl. */
const as = (tenant: Tenant): TestContext => ({
  ...ctx,
  namespace: tenant.namespace,
  kubectl: tenant.kubectl,
});
/** An admin view of another namespace (reads, events). */
const inNs = (namespace: string): TestContext => ({ ...ctx, namespace });
const identity = (name: string): string => `${ctx.namespace}-${name}`;

async function apply(
  who: TestContext,
  kind: 'PublishedApp' | 'EndpointService',
  name: string,
  spec: PublishedAppSpec | EndpointServiceSpec,
): Promise<{ code: number; stderr: string }> {
  const body = { apiVersion: `${API_GROUP}/${API_VERSION}`, kind, metadata: { name }, spec };
  return who.kubectl(['apply', '-n', who.namespace, '-f', '-'], JSON.stringify(body));
}

async function mustApply(...args: Parameters<typeof apply>): Promise<void> {
  const out = await apply(...args);
  if (out.code !== 0) throw new Error(`kubectl apply failed: ${out.stderr}`);
}

/** An app on the DMZ team's listener `public`. */
function app(
  service: PublishedAppSpec['service'],
  path: string,
  extra: Partial<PublishedAppSpec> = {},
): PublishedAppSpec {
  return {
    service,
    endpoint: { vpcId: dmz.vpcId, subnetIds: dmz.subnetIds.slice(0, 2) },
    listenerRef: { name: 'public', namespace: dmzNs },
    routing: { pathPatterns: [path, `${path}/*`] },
    target: { port: 80, healthCheck: { path: '/health' } },
    ...extra,
  };
}

/** Everything either account holds that an attack could touch. */
async function world(): Promise<{ dmz: Inventory; blueServices: unknown; dmzServices: unknown }> {
  const services = async (ec2: EC2Client) =>
    ((await ec2.send(new DescribeVpcEndpointServiceConfigurationsCommand({}))).ServiceConfigurations ?? [])
      .map((s) => ({ id: s.ServiceId, nlbs: s.NetworkLoadBalancerArns, tags: s.Tags }))
      .sort((a, b) => (a.id ?? '').localeCompare(b.id ?? ''));
  return {
    dmz: await inventory(dmzAws.ec2, dmzAws.elbv2, dmz.listenerArn),
    blueServices: await services(blueAws.ec2),
    // green's hand-built service among them: what an adoption would tag.
    dmzServices: await services(dmzAws.ec2),
  };
}

const assumeRoles = (): number =>
  calls.filter((c) => c.service === 'sts' && c.operation === 'AssumeRole').length;

beforeAll(async () => {
  ctx = await newTestContext('security-tenancy');
  dmzAws = awsClients(ctx);
  const other = await ctx.otherAccount();
  blueAws = account(other.accountId, other.awsClientConfig);
  removeUserRoles = await installUserRoles(ctx, ctx.namespace);

  // No plp-test label: the test environment's `default` identity grants none of them.
  dmzNs = `${ctx.namespace}-dmz`;
  await ctx.kc.makeApiClient(CoreV1Api).createNamespace({
    body: { metadata: { name: dmzNs, labels: { team: 'dmz' } } },
  });
  for (const team of ['blue', 'green', 'mallory'] as const)
    tenants[team] = await createTenant(ctx, `${ctx.namespace}-${team}`, { team, tier: 'apps' });

  // AWS: the DMZ in the test's account; blue's NLB in its own account; green's service made by hand.
  dmz = await createDmz(dmzAws.ec2, dmzAws.elbv2, 100, 'sec');
  const blue = await createProvider(blueAws.ec2, blueAws.elbv2, 'blue', 1, { prefix: 'sec' });
  blueNlbArn = blue.nlbArn;
  green = await createProvider(dmzAws.ec2, dmzAws.elbv2, 'green', 2, { prefix: 'sec', service: true });

  // The platform team: blue's account role for blue only; the DMZ account for the DMZ team only.
  await grantIdentity(ctx, identity('blue'), {
    roleArn: `arn:aws:iam::${blueAws.accountId}:role/publisher`,
    allowedNamespaces: { names: [tenants.blue.namespace] },
  });
  await grantIdentity(ctx, identity('dmz'), { allowAdoption: true, allowedNamespaces: { names: [dmzNs] } });
  // mallory may build its own services in the DMZ account, not take over what is there.
  await grantIdentity(ctx, identity('mallory'), {
    allowedNamespaces: { names: [tenants.mallory.namespace] },
  });
  // The DMZ team: `public` for app namespaces, each in its own path; `internal` for itself.
  await shareListener(ctx, dmz.listenerArn, {
    name: 'public',
    namespace: dmzNs,
    spec: {
      aws: { identity: identity('dmz') },
      allowedRoutes: {
        namespaces: { from: 'Selector', selector: { matchLabels: { tier: 'apps' } } },
        claims: (['blue', 'green', 'mallory'] as const).map((t) => ({
          namespaces: [tenants[t].namespace],
          pathPrefixes: [`/${t}`],
        })),
      },
      priorities: { min: 100, max: 199 },
      // green built its DMZ side by hand once; only green may adopt through this listener.
      adoption: { namespaces: { from: 'Selector', selector: { matchLabels: { team: 'green' } } } },
    },
  });
  await shareListener(ctx, dmz.listenerArn, {
    name: 'internal',
    namespace: dmzNs,
    spec: { aws: { identity: identity('dmz') } },
  });

  controller = await startController(ctx, {
    endpointServices: true,
    namespaces: [ctx.namespace, dmzNs, ...Object.values(tenants).map((t) => t.namespace)],
    observer: (call) => calls.push(call),
  });

  // The legitimate teams publish through their grants.
  await mustApply(as(tenants.blue), 'EndpointService', 'blue', {
    aws: { identity: identity('blue') },
    networkLoadBalancerArns: [blue.nlbArn],
    acceptanceRequired: true,
    allowedPrincipals: [`arn:aws:iam::${ctx.accountId}:root`],
    autoAccept: { principals: [ctx.accountId] },
  });
  await mustApply(
    as(tenants.blue),
    'PublishedApp',
    'blue',
    app({ endpointServiceRef: { name: 'blue' } }, '/blue'),
  );
  await mustApply(
    as(tenants.green),
    'PublishedApp',
    'green',
    app({ serviceName: green.serviceName! }, '/green'),
  );
  await waitForReady(inNs(tenants.blue.namespace), 'blue', 120_000);
  await waitForReady(inNs(tenants.green.namespace), 'green', 120_000);
});

afterAll(async () => {
  await controller.stop();
  for (const name of ['blue', 'dmz', 'mallory']) await removeIdentity(ctx, identity(name));
  await removeUserRoles();
  for (const ns of [dmzNs, ...Object.values(tenants).map((t) => t.namespace)])
    await ctx.kubectl(['delete', 'namespace', ns, '--wait=false']);
  dmzAws.destroy();
  blueAws.destroy();
  await ctx.cleanup();
});

it('gives app teams their own namespace through edit, and nothing of the grants', async () => {
  const { kc, namespace } = tenants.mallory;
  const may = (verb: string, resource: string, ns?: string, subresource?: string) =>
    canI(kc, {
      verb,
      group: API_GROUP,
      resource,
      ...(ns ? { namespace: ns } : {}),
      ...(subresource ? { subresource } : {}),
    });
  expect(await may('create', 'publishedapps', namespace)).toBe(true);
  expect(await may('create', 'endpointservices', namespace)).toBe(true);
  expect(await may('get', 'sharedlisteners', namespace)).toBe(true);
  expect(await may('create', 'publishedapps', tenants.blue.namespace)).toBe(false);
  // The controller trusts what status says it built: tenants must not write it.
  expect(await may('patch', 'publishedapps', namespace, 'status')).toBe(false);
  expect(await may('patch', 'endpointservices', namespace, 'status')).toBe(false);
  expect(await may('create', 'sharedlisteners', namespace)).toBe(false);
  expect(await may('patch', 'sharedlisteners', dmzNs)).toBe(false);
  expect(await may('create', 'awsidentities')).toBe(false);
  expect(await may('patch', 'awsidentities')).toBe(false);

  // And the API server says so to kubectl, too.
  const out = await tenants.mallory.kubectl([
    'patch',
    'awsidentity',
    identity('blue'),
    '--type=merge',
    '-p',
    JSON.stringify({ spec: { allowedNamespaces: { names: [namespace] } } }),
  ]);
  expect(out.code).not.toBe(0);
  expect(out.stderr).toMatch(/forbidden/i);

  // Namespace labels feed the grants' selectors: a tenant cannot set its own.
  const label = { verb: 'patch', group: '', resource: 'namespaces', name: namespace };
  expect(await canI(kc, label)).toBe(false);
  const relabel = await tenants.mallory.kubectl([
    'label',
    'namespace',
    namespace,
    'team=blue',
    '--overwrite',
  ]);
  expect(relabel.stderr).toMatch(/forbidden/i);

  // A role is never named in a spec: the API server knows no such field.
  const withRole = {
    aws: { roleArn: `arn:aws:iam::${blueAws.accountId}:role/publisher` },
    networkLoadBalancerArns: [blueNlbArn],
  } as unknown as EndpointServiceSpec;
  const rejected = await apply(as(tenants.mallory), 'EndpointService', 'with-role', withRole);
  expect(rejected.code).not.toBe(0);
  expect(rejected.stderr).toMatch(/unknown field "spec.aws.roleArn"/);

  // Nor an API or a VPC link: the API front door is the SharedListener's; an app only gets
  // routes (its claimed paths) on the API its SharedListener names.
  const withApi = app(
    { serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0' },
    '/mallory',
    {
      routing: {
        pathPatterns: ['/mallory'],
        api: { apiId: 'a1b2c3d4e5', vpcLinkId: 'abc123' },
      } as unknown as PublishedAppSpec['routing'],
    },
  );
  const apiRejected = await apply(as(tenants.mallory), 'PublishedApp', 'with-api', withApi);
  expect(apiRejected.code).not.toBe(0);
  expect(apiRejected.stderr).toMatch(/unknown field "spec.routing.api.apiId"/);
  expect(apiRejected.stderr).toMatch(/unknown field "spec.routing.api.vpcLinkId"/);
});

describe('mallory borrowing what others were granted', () => {
  let before: Awaited<ReturnType<typeof world>>;
  let assumedBefore: number;
  beforeAll(async () => {
    before = await world();
    assumedBefore = assumeRoles();
  });

  const blueServiceName = async (): Promise<string> =>
    (await getCustomObject<EndpointService>(inNs(tenants.blue.namespace), ENDPOINT_SERVICE, 'blue'))!.status!
      .serviceName!;

  const greenStatus = async () =>
    (await getCustomObject<PublishedApp>(inNs(tenants.green.namespace), PUBLISHED_APP, 'green'))!.status!;

  const appAttacks: {
    name: string;
    reason: string;
    condition: string;
    spec: () => PublishedAppSpec | Promise<PublishedAppSpec>;
    names: () => string;
  }[] = [
    {
      name: 'blue-es-by-ref',
      reason: 'ReferenceNotPermitted',
      condition: 'EndpointAvailable',
      spec: () =>
        app({ endpointServiceRef: { name: 'blue', namespace: tenants.blue.namespace } }, '/mallory'),
      names: () => `${tenants.blue.namespace}/blue`,
    },
    {
      name: 'blue-es-by-service-name',
      reason: 'ReferenceNotPermitted',
      condition: 'EndpointAvailable',
      spec: async () => app({ serviceName: await blueServiceName() }, '/mallory'),
      names: () => `${tenants.blue.namespace}/blue`,
    },
    {
      name: 'blue-path',
      reason: 'ClaimNotPermitted',
      condition: 'RouteConfigured',
      spec: () => app({ serviceName: green.serviceName! }, '/blue'),
      names: () => '/blue',
    },
    {
      name: 'priority-outside-range',
      reason: 'PriorityNotPermitted',
      condition: 'RouteConfigured',
      spec: () =>
        app({ serviceName: green.serviceName! }, '/mallory', {
          routing: { pathPatterns: ['/mallory/p'], priority: 5 },
        }),
      names: () => '100',
    },
    {
      name: 'internal-listener',
      reason: 'ListenerNotPermitted',
      condition: 'RouteConfigured',
      spec: () => ({
        ...app({ serviceName: green.serviceName! }, '/mallory/i'),
        listenerRef: { name: 'internal', namespace: dmzNs },
      }),
      names: () => `${dmzNs}/internal`,
    },
    {
      name: 'raw-listener-arn',
      reason: 'ListenerNotPermitted',
      condition: 'RouteConfigured',
      spec: () => ({
        ...app({ serviceName: green.serviceName! }, '/mallory/r'),
        listenerRef: undefined,
        listenerArn: dmz.listenerArn,
      }),
      names: () => '--single-tenant',
    },
    {
      name: 'adopt-green-endpoint',
      reason: 'AdoptionNotPermitted',
      condition: 'RouteConfigured',
      spec: async () =>
        app({ serviceName: green.serviceName! }, '/mallory/a', {
          adopt: { endpointId: (await greenStatus()).endpointId!, ruleArn: (await greenStatus()).ruleArn! },
        }),
      names: () => `not ${tenants.mallory.namespace}`,
    },
  ];

  it.each(appAttacks)(
    'PublishedApp $name → $reason, nothing built',
    async ({ name, reason, condition: type, spec, names }) => {
      const attacker = as(tenants.mallory);
      await mustApply(attacker, 'PublishedApp', name, await spec());
      const obj = await waitForApp(attacker, name, reason, (o) => condition(o, type)?.[1] === reason);
      expect(condition(obj, 'Ready')).toEqual(['False', reason]);
      expect(obj.metadata!.finalizers ?? []).not.toContain(FINALIZER);
      expect(obj.status?.endpointId).toBeUndefined();
      const event = await waitForEvent(attacker, name, reason);
      expect(event.type).toBe('Warning');
      expect(event.message).toContain(names());
    },
  );

  const esAttacks: { name: string; reason: string; identity: () => string | undefined }[] = [
    { name: 'blue-identity', reason: 'IdentityNotPermitted', identity: () => identity('blue') },
    { name: 'default-identity', reason: 'IdentityNotPermitted', identity: () => undefined },
    { name: 'no-such-identity', reason: 'IdentityNotFound', identity: () => identity('nobody') },
  ];

  it.each(esAttacks)(
    'EndpointService $name → $reason, no role assumed',
    async ({ name, reason, identity: id }) => {
      const attacker = as(tenants.mallory);
      const who = id();
      await mustApply(attacker, 'EndpointService', name, {
        ...(who ? { aws: { identity: who } } : {}),
        networkLoadBalancerArns: [blueNlbArn],
        acceptanceRequired: false,
        allowedPrincipals: ['*'],
      });
      const obj = await eventually(`${name}: ${reason}`, async () => {
        const o = await getCustomObject<EndpointService>(attacker, ENDPOINT_SERVICE, name);
        return condition(o, 'Ready')?.[1] === reason ? o : undefined;
      });
      expect(obj.metadata!.finalizers ?? []).not.toContain(FINALIZER);
      expect(obj.status?.serviceId).toBeUndefined();
      expect((await waitForEvent(attacker, name, reason)).type).toBe('Warning');
    },
  );

  it("EndpointService adopting green's hand-built service through its own identity → AdoptionNotPermitted", async () => {
    const attacker = as(tenants.mallory);
    await mustApply(attacker, 'EndpointService', 'adopt-green', {
      aws: { identity: identity('mallory') },
      adopt: { serviceId: green.serviceId! },
      networkLoadBalancerArns: [green.nlbArn],
      acceptanceRequired: false,
      allowedPrincipals: ['*'],
    });
    const obj = await eventually('adopt-green: AdoptionNotPermitted', async () => {
      const o = await getCustomObject<EndpointService>(attacker, ENDPOINT_SERVICE, 'adopt-green');
      return condition(o, 'Ready')?.[1] === 'AdoptionNotPermitted' ? o : undefined;
    });
    expect(obj.metadata!.finalizers ?? []).not.toContain(FINALIZER);
    expect(obj.status?.serviceId).toBeUndefined();
    expect((await waitForEvent(attacker, 'adopt-green', 'AdoptionNotPermitted')).message).toContain(
      'allowAdoption',
    );
  });

  it('left both accounts exactly as they were, and assumed no role for mallory', async () => {
    expect(await world()).toEqual(before);
    expect(assumeRoles()).toBe(assumedBefore);
    // blue and green are still served.
    const paths = (await listenerRules(dmzAws.elbv2, dmz.listenerArn))
      .filter((r) => !r.IsDefault)
      .map(pathsOf);
    expect(paths).toEqual(
      expect.arrayContaining([
        ['/blue', '/blue/*'],
        ['/green', '/green/*'],
      ]),
    );
    expect(paths).toHaveLength(2);
  });
});

it('takes an app off the listener when its namespace loses the grant, and only that app', async () => {
  const greenNs = tenants.green.namespace;
  const rulesBefore = await listenerRules(dmzAws.elbv2, dmz.listenerArn);
  const blueRule = rulesBefore.find((r) => pathsOf(r).includes('/blue'))!;
  await ctx.kubectl(['label', 'namespace', greenNs, 'tier=quarantined', '--overwrite']);

  const refused = await waitForApp(
    inNs(greenNs),
    'green',
    'ListenerNotPermitted',
    (o) => condition(o, 'RouteConfigured')?.[1] === 'ListenerNotPermitted',
  );
  expect(refused.status?.ruleArn).toBeUndefined();
  await eventually(
    'green rule removed',
    async () =>
      !(await listenerRules(dmzAws.elbv2, dmz.listenerArn)).some((r) => pathsOf(r).includes('/green')),
  );
  const after = await listenerRules(dmzAws.elbv2, dmz.listenerArn);
  // blue's rule and the listener's default are untouched.
  expect(after).toEqual(expect.arrayContaining([blueRule, rulesBefore.find((r) => r.IsDefault)]));
  expect(after).toHaveLength(rulesBefore.length - 1);
  // The endpoint stays (the grant may come back); it is still the app's.
  expect(refused.status?.endpointId).toBeDefined();

  await ctx.kubectl(['label', 'namespace', greenNs, 'tier=apps', '--overwrite']);
  const back = await waitForReady(inNs(greenNs), 'green', 90_000);
  expect(back.status?.endpointId).toBe(refused.status?.endpointId);
  expect(
    (await listenerRules(dmzAws.elbv2, dmz.listenerArn)).some((r) => pathsOf(r).includes('/green')),
  ).toBe(true);
});

it('rejects a pending connection made for an app whose namespace lost the consent', async () => {
  const blueNs = tenants.blue.namespace;
  const greenNs = tenants.green.namespace;
  const vault = await createProvider(blueAws.ec2, blueAws.elbv2, 'vault', 3, { prefix: 'sec' });
  const vaultSpec: EndpointServiceSpec = {
    aws: { identity: identity('blue') },
    networkLoadBalancerArns: [vault.nlbArn],
    acceptanceRequired: true,
    allowedPrincipals: [`arn:aws:iam::${ctx.accountId}:root`],
    allowedConsumers: {
      namespaces: { from: 'Selector', selector: { matchLabels: { 'consumes-vault': 'yes' } } },
    },
  };
  await mustApply(as(tenants.blue), 'EndpointService', 'vault', vaultSpec);
  await ctx.kubectl(['label', 'namespace', greenNs, 'consumes-vault=yes']);
  await mustApply(
    as(tenants.green),
    'PublishedApp',
    'vault',
    app({ endpointServiceRef: { name: 'vault', namespace: blueNs } }, '/green/vault'),
  );
  const waiting = await waitForApp(
    inNs(greenNs),
    'vault',
    'WaitingForAcceptance',
    (o) =>
      condition(o, 'EndpointAvailable')?.[1] === 'WaitingForAcceptance' && o.status?.endpointId !== undefined,
    90_000,
  );
  const endpointId = waiting.status!.endpointId!;

  // Consent withdrawn while the connection waits; then blue turns auto-accept on.
  await ctx.kubectl(['label', 'namespace', greenNs, 'consumes-vault-']);
  await waitForApp(
    inNs(greenNs),
    'vault',
    'ReferenceNotPermitted',
    (o) => condition(o, 'EndpointAvailable')?.[1] === 'ReferenceNotPermitted',
  );
  await mustApply(as(tenants.blue), 'EndpointService', 'vault', {
    ...vaultSpec,
    autoAccept: { principals: [ctx.accountId], rejectOthers: true },
  });
  const es = await eventually(
    'the connection rejected',
    async () => {
      const o = await getCustomObject<EndpointService>(inNs(blueNs), ENDPOINT_SERVICE, 'vault');
      return o?.status?.connections?.some((c) => c.endpointId === endpointId && c.state === 'rejected')
        ? o
        : undefined;
    },
    90_000,
  );
  expect(es.status!.connections!.find((c) => c.endpointId === endpointId)).toMatchObject({
    decision: 'Rejected',
  });
  await waitForEvent(inNs(blueNs), 'vault', 'ConnectionRejected', `${greenNs}/vault`);
});
