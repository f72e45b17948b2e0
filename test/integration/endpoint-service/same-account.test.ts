/**
 * EndpointService in one account (seed 000): the service is created in front of the NLB, the
 * provider's own endpoint is accepted automatically and becomes available, status and
 * conditions say so, and deletion rejects connections before deleting the service.
 */
import { jest } from '@jest/globals';
import { DescribeVpcEndpointServiceConfigurationsCommand } from '@aws-sdk/client-ec2';
import { FINALIZER, TAG_KEYS } from '../../../src/api/kinds.ts';
import { newTestContext, type TestContext } from '../../env/context.ts';
import {
  account,
  CLUSTER_ID,
  applyEndpointService,
  condition,
  createEndpoint,
  createNetwork,
  createNlb,
  endpointState,
  eventsFor,
  eventually,
  getEndpointService,
  servicesOwnedBy,
  startController,
  waitForEvent,
  waitForObject,
  type Account,
  type Network,
  type RunningController,
} from './harness.ts';

// The project-level testTimeout is not applied by jest (a global-only option).
jest.setTimeout(120_000);

let ctx: TestContext;
let provider: Account;
let appNetwork: Network;
let dmz: Network;
let nlbArn: string;
let controller: RunningController;

beforeAll(async () => {
  ctx = await newTestContext('eps-same-account');
  provider = account(ctx.accountId, ctx.awsClientConfig);
  appNetwork = await createNetwork(provider.ec2, 1);
  dmz = await createNetwork(provider.ec2, 2);
  nlbArn = await createNlb(provider.elbv2, appNetwork);
  controller = await startController(ctx);
});

afterAll(async () => {
  await controller.stop();
  provider.destroy();
  await ctx.cleanup();
});

describe('blue: service in front of the NLB, own account auto-accepted', () => {
  let uid: string;
  let serviceId: string;
  let serviceName: string;

  it('creates one tagged service and reports it Ready', async () => {
    await applyEndpointService(ctx, 'blue', {
      networkLoadBalancerArns: [nlbArn],
      autoAccept: { principals: [ctx.accountId] },
      tags: { team: 'blue' },
    });
    const obj = await waitForObject(ctx, 'blue', 'Ready', (o) => condition(o, 'Ready')?.[0] === 'True');
    uid = obj.metadata!.uid!;
    serviceId = obj.status!.serviceId!;
    serviceName = obj.status!.serviceName!;

    expect(obj.metadata?.finalizers).toContain(FINALIZER);
    expect(obj.status).toMatchObject({
      observedGeneration: obj.metadata!.generation,
      serviceId: expect.stringMatching(/^vpce-svc-/),
      serviceName: `com.amazonaws.vpce.us-east-1.${serviceId}`,
      serviceState: 'Available',
      connections: [],
    });
    for (const type of ['ServiceAvailable', 'PrincipalsSynced', 'ConnectionsReconciled', 'Ready']) {
      expect(condition(obj, type)?.[0]).toBe('True');
    }

    const owned = await servicesOwnedBy(provider.ec2, uid);
    expect(owned.map((s) => s.ServiceId)).toEqual([serviceId]);
    const config = owned[0]!;
    expect(config.NetworkLoadBalancerArns).toEqual([nlbArn]);
    expect(config.AcceptanceRequired).toBe(true);
    const tags = Object.fromEntries((config.Tags ?? []).map((t) => [t.Key, t.Value]));
    expect(tags).toMatchObject({
      team: 'blue',
      [TAG_KEYS.cluster]: CLUSTER_ID,
      [TAG_KEYS.owner]: `EndpointService/${ctx.namespace}/blue`,
      [TAG_KEYS.uid]: uid,
    });
    await waitForEvent(ctx, 'blue', 'ServiceCreated', serviceId);
  });

  it('satisfies kubectl wait --for=condition=Ready', async () => {
    const out = await ctx.kubectl([
      'wait',
      '-n',
      ctx.namespace,
      '--for=condition=Ready',
      '--timeout=30s',
      'endpointservice/blue',
    ]);
    expect(out).toMatchObject({ code: 0 });
    expect(out.stdout).toContain('condition met');
  });

  it('polls only connections and writes nothing while nothing changes', async () => {
    const before = (await getEndpointService(ctx, 'blue'))!.metadata!.resourceVersion;
    const ops = [
      'DescribeVpcEndpointConnections',
      'DescribeVpcEndpointServiceConfigurations',
      'DescribeVpcEndpointServicePermissions',
      'DescribeLoadBalancers',
    ];
    const calls = ops.map((op) => controller.calls(op));
    // autoAccept is set, so the controller re-reads connections every second (test setting);
    // the rest was checked moments ago and the spec has not changed.
    await new Promise((r) => setTimeout(r, 3_000));
    const delta = ops.map((op, i) => controller.calls(op) - calls[i]!);
    expect(delta[0]).toBeGreaterThan(0);
    expect(delta.slice(1)).toEqual([0, 0, 0]);
    expect((await getEndpointService(ctx, 'blue'))!.metadata!.resourceVersion).toBe(before);
  });

  it('accepts the own account’s endpoint, which becomes available', async () => {
    const endpointId = await createEndpoint(provider.ec2, dmz, serviceName);
    await eventually(
      'endpoint available',
      async () => (await endpointState(provider.ec2, endpointId)) === 'available',
    );
    const obj = await waitForObject(ctx, 'blue', 'connection reported', (o) =>
      (o.status?.connections ?? []).some((c) => c.endpointId === endpointId && c.state === 'available'),
    );
    expect(obj.status?.connections).toEqual([
      { endpointId, owner: ctx.accountId, state: 'available', decision: 'Accepted' },
    ]);
    expect(obj.status?.connectionCounts).toEqual({ total: 1, available: 1, pendingAcceptance: 0 });
    expect(condition(obj, 'ConnectionsReconciled')).toEqual(['True', 'ConnectionsReconciled']);
    expect(condition(obj, 'Ready')?.[0]).toBe('True');
    await waitForEvent(ctx, 'blue', 'ConnectionAccepted', endpointId, ctx.accountId, `"${ctx.accountId}"`);
  });

  it('keeps one service when its status is lost (a restart before the status write)', async () => {
    const out = await ctx.kubectl([
      'patch',
      '-n',
      ctx.namespace,
      'endpointservice/blue',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { serviceId: null, serviceName: null, conditions: null } }),
    ]);
    expect(out.code).toBe(0);
    const obj = await waitForObject(ctx, 'blue', 'status rebuilt', (o) => o.status?.serviceId !== undefined);
    expect(obj.status?.serviceId).toBe(serviceId);
    expect((await servicesOwnedBy(provider.ec2, uid)).map((s) => s.ServiceId)).toEqual([serviceId]);
  });

  it('on delete rejects the connection, deletes the service, then drops the finalizer', async () => {
    const endpointId = (await getEndpointService(ctx, 'blue'))!.status!.connections![0]!.endpointId;
    const out = await ctx.kubectl(['delete', '-n', ctx.namespace, 'endpointservice/blue', '--wait=false']);
    expect(out.code).toBe(0);
    await eventually('object gone', async () => (await getEndpointService(ctx, 'blue')) === undefined);
    expect(await servicesOwnedBy(provider.ec2, uid)).toEqual([]);
    await expect(
      provider.ec2.send(new DescribeVpcEndpointServiceConfigurationsCommand({ ServiceIds: [serviceId] })),
    ).rejects.toMatchObject({ name: expect.stringMatching(/NotFound/) });
    expect(await endpointState(provider.ec2, endpointId)).toBe('rejected');
    const reasons = (await eventsFor(ctx, 'blue')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['ConnectionRejected', 'ServiceDeleted']));
  });
});

describe('deletionPolicy Retain', () => {
  it('removes the finalizer and leaves the service in AWS', async () => {
    await applyEndpointService(ctx, 'kept', { networkLoadBalancerArns: [nlbArn], deletionPolicy: 'Retain' });
    const obj = await waitForObject(ctx, 'kept', 'Ready', (o) => condition(o, 'Ready')?.[0] === 'True');
    const serviceId = obj.status!.serviceId!;
    expect(
      (await ctx.kubectl(['delete', '-n', ctx.namespace, 'endpointservice/kept', '--wait=false'])).code,
    ).toBe(0);
    await eventually('object gone', async () => (await getEndpointService(ctx, 'kept')) === undefined);
    const owned = await servicesOwnedBy(provider.ec2, obj.metadata!.uid!);
    expect(owned.map((s) => [s.ServiceId, s.ServiceState])).toEqual([[serviceId, 'Available']]);
    await waitForEvent(ctx, 'kept', 'Retained', serviceId);
  });
});

describe('a load balancer that does not exist', () => {
  it('is reported as LoadBalancerNotFound and nothing is created', async () => {
    const missing = nlbArn.replace(/\/[0-9a-f]+$/, '/0123456789abcdef');
    await applyEndpointService(ctx, 'ghost', { networkLoadBalancerArns: [missing] });
    const obj = await waitForObject(
      ctx,
      'ghost',
      'LoadBalancerNotFound',
      (o) => condition(o, 'Ready')?.[0] === 'False',
    );
    expect(condition(obj, 'ServiceAvailable')).toEqual(['False', 'LoadBalancerNotFound']);
    expect(condition(obj, 'Ready')).toEqual(['False', 'LoadBalancerNotFound']);
    expect(obj.status?.serviceId).toBeUndefined();
    expect(await servicesOwnedBy(provider.ec2, obj.metadata!.uid!)).toEqual([]);
    const warning = await waitForEvent(ctx, 'ghost', 'LoadBalancerNotFound', missing);
    expect(warning.type).toBe('Warning');
  });

  it('recovers once the spec names a real NLB', async () => {
    await applyEndpointService(ctx, 'ghost', { networkLoadBalancerArns: [nlbArn] });
    const obj = await waitForObject(ctx, 'ghost', 'Ready', (o) => condition(o, 'Ready')?.[0] === 'True');
    expect(obj.status?.observedGeneration).toBe(2);
    expect((await servicesOwnedBy(provider.ec2, obj.metadata!.uid!)).length).toBe(1);
  });
});
