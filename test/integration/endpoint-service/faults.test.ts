/**
 * AWS refusing or throttling, through the fault-injecting proxy in front of moto: throttling
 * is reported as `Throttled` and retried with backoff (no hot loop), and a refused delete is
 * reported as `DeletionBlocked` and retried until AWS lets it through.
 */
import { jest } from '@jest/globals';
import { startAwsProxy, type AwsProxy } from '../../env/aws-proxy/server.ts';
import { newTestContext, type TestContext } from '../../env/context.ts';
import {
  account,
  applyEndpointService,
  condition,
  createNetwork,
  createNlb,
  eventually,
  getEndpointService,
  servicesOwnedBy,
  startController,
  waitForEvent,
  waitForObject,
  type Account,
  type RunningController,
} from './harness.ts';

// The project-level testTimeout is not applied by jest (a global-only option).
jest.setTimeout(120_000);

let ctx: TestContext;
let provider: Account;
let proxy: AwsProxy;
let controller: RunningController;
let nlbArn: string;

beforeAll(async () => {
  ctx = await newTestContext('eps-faults');
  provider = account(ctx.accountId, ctx.awsClientConfig);
  nlbArn = await createNlb(provider.elbv2, await createNetwork(provider.ec2, 1));
  proxy = await startAwsProxy({ upstream: process.env.AWS_ENDPOINT_URL!, throttling: false });
  controller = await startController(ctx, { endpoint: proxy.url });
});

afterAll(async () => {
  await controller.stop();
  await proxy.stop();
  provider.destroy();
  await ctx.cleanup();
});

function callsOf(operation: string): number {
  return proxy.calls().filter((c) => c.operation === operation).length;
}

it('reports throttling as Throttled, backs off, and recovers', async () => {
  proxy.setFaults([
    { service: 'ec2', operation: 'DescribeVpcEndpointServicePermissions', kind: 'throttle', rate: 1 },
  ]);
  await applyEndpointService(ctx, 'busy', { networkLoadBalancerArns: [nlbArn] });
  const obj = await waitForObject(
    ctx,
    'busy',
    'Throttled',
    (o) => condition(o, 'Ready')?.[1] === 'Throttled',
  );
  expect(condition(obj, 'ServiceAvailable')?.[0]).toBe('True');
  expect(condition(obj, 'PrincipalsSynced')).toEqual(['False', 'Throttled']);

  const before = callsOf('DescribeVpcEndpointServicePermissions');
  await new Promise((r) => setTimeout(r, 4_000));
  const during = callsOf('DescribeVpcEndpointServicePermissions') - before;
  // Per-key backoff doubling from 200 ms, two SDK attempts per reconcile: about a dozen
  // calls in 4 s. A hot loop would make hundreds.
  expect(during).toBeGreaterThan(0);
  expect(during).toBeLessThan(30);

  proxy.clearFaults();
  await waitForObject(
    ctx,
    'busy',
    'Ready after the throttling stops',
    (o) => condition(o, 'Ready')?.[0] === 'True',
  );
});

it('reports a refused delete as DeletionBlocked and finishes once AWS allows it', async () => {
  const uid = (await getEndpointService(ctx, 'busy'))!.metadata!.uid!;
  proxy.setFaults([
    { service: 'ec2', operation: 'DeleteVpcEndpointServiceConfigurations', kind: 'error500', rate: 1 },
  ]);
  expect(
    (await ctx.kubectl(['delete', '-n', ctx.namespace, 'endpointservice/busy', '--wait=false'])).code,
  ).toBe(0);
  const blocked = await waitForObject(
    ctx,
    'busy',
    'DeletionBlocked',
    (o) => condition(o, 'Ready')?.[1] === 'DeletionBlocked',
  );
  expect(blocked.metadata?.deletionTimestamp).toBeDefined();
  expect((await servicesOwnedBy(provider.ec2, uid)).length).toBe(1);
  const event = await waitForEvent(ctx, 'busy', 'DeletionBlocked');
  expect(event.type).toBe('Warning');

  proxy.clearFaults();
  await eventually('object gone', async () => (await getEndpointService(ctx, 'busy')) === undefined);
  expect(await servicesOwnedBy(provider.ec2, uid)).toEqual([]);
});
