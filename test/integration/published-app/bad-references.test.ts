/**
 * References that do not hold are reported with a specific reason and a Warning Event, and
 * nothing is created in AWS for such an app (not even a finalizer is added).
 */
import { jest } from '@jest/globals';
import { CreateListenerCommand, CreateTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { FINALIZER } from '../../../src/api/kinds.ts';
import type { PublishedAppSpec } from '../../../src/api/v1alpha1.ts';
import { newTestContext, type TestContext } from '../../env/context.ts';
import {
  applyApp,
  awsClients,
  condition,
  controllerTargetGroups,
  endpointsOf,
  listenerRules,
  securityGroupsOf,
  startController,
  waitForApp,
  waitForEvent,
  type Aws,
  type RunningController,
} from './harness.ts';
import { appSpec } from './specs.ts';
import { createWorld, type World } from './world.ts';
import { shareListener } from '../grants.ts';

jest.setTimeout(150_000);

let ctx: TestContext;
let aws: Aws;
let world: World;
let controller: RunningController;
let nlbListenerArn: string;

beforeAll(async () => {
  ctx = await newTestContext('papp-bad-refs');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true, providers: ['blue'] });
  await shareListener(ctx, world.dmz.listenerArn);
  await shareListener(ctx, world.dmz.listenerArn.replace(/\/[^/]+$/, '/0123456789abcdef'), { name: 'gone' });
  const blue = world.providers.blue!;
  const tg = await aws.elbv2.send(
    new CreateTargetGroupCommand({
      Name: 'nlb-tcp',
      Protocol: 'TCP',
      Port: 80,
      VpcId: blue.vpcId,
      TargetType: 'ip',
    }),
  );
  const listener = await aws.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: blue.nlbArn,
      Protocol: 'TCP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroups![0]!.TargetGroupArn! }],
    }),
  );
  nlbListenerArn = listener.Listeners![0]!.ListenerArn!;
  controller = await startController(ctx);
});

afterAll(async () => {
  await controller.stop();
  aws.destroy();
  await ctx.cleanup();
});

const cases: { name: string; reason: string; condition: string; spec: () => PublishedAppSpec }[] = [
  {
    name: 'no-listener',
    reason: 'ListenerNotFound',
    condition: 'RouteConfigured',
    spec: () => appSpec(world, 'blue', '/a', { listenerRef: { name: 'gone' } }),
  },
  {
    name: 'no-shared-listener',
    reason: 'SharedListenerNotFound',
    condition: 'RouteConfigured',
    spec: () => appSpec(world, 'blue', '/g', { listenerRef: { name: 'never-shared' } }),
  },
  {
    name: 'no-service',
    reason: 'ServiceNotFound',
    condition: 'EndpointAvailable',
    spec: () =>
      appSpec(world, 'blue', '/c', {
        service: { serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0000000000000dead' },
      }),
  },
  {
    name: 'vpc-mismatch',
    reason: 'VpcMismatch',
    condition: 'EndpointAvailable',
    spec: () =>
      appSpec(world, 'blue', '/d', {
        endpoint: {
          vpcId: world.providers.blue!.vpcId,
          subnetIds: world.providers.blue!.subnetIds.slice(0, 2),
        },
      }),
  },
  {
    name: 'foreign-subnet',
    reason: 'SubnetNotInVpc',
    condition: 'EndpointAvailable',
    spec: () =>
      appSpec(world, 'blue', '/e', {
        endpoint: {
          vpcId: world.dmz.vpcId,
          subnetIds: [world.dmz.subnetIds[0]!, world.providers.blue!.subnetIds[1]!],
        },
      }),
  },
  {
    name: 'missing-endpointservice',
    reason: 'WaitingForEndpointService',
    condition: 'EndpointAvailable',
    spec: () => appSpec(world, 'blue', '/f', { service: { endpointServiceRef: { name: 'does-not-exist' } } }),
  },
];

it.each(cases)('$name → $reason, nothing created', async ({ name, reason, condition: type, spec }) => {
  await applyApp(ctx, name, spec());
  const app = await waitForApp(ctx, name, reason, (o) => condition(o, type)?.[1] === reason);
  expect(condition(app, 'Ready')).toEqual(['False', reason]);
  expect(app.metadata!.finalizers ?? []).not.toContain(FINALIZER);
  if (reason !== 'WaitingForEndpointService') await waitForEvent(ctx, name, reason);
  const uid = app.metadata!.uid!;
  expect(await endpointsOf(aws.ec2, uid)).toEqual([]);
  expect(await securityGroupsOf(aws.ec2, uid)).toEqual([]);
});

it('leaves a listener of a network load balancer to the CRD schema to refuse', async () => {
  await expect(
    applyApp(
      ctx,
      'nlb-listener',
      appSpec(world, 'blue', '/b', { listenerRef: undefined, listenerArn: nlbListenerArn }),
    ),
  ).rejects.toThrow(/spec\.listenerArn/);
  await expect(shareListener(ctx, nlbListenerArn, { name: 'nlb' })).rejects.toThrow(/spec\.listenerArn/);
});

it('made no target group and no rule for any of them', async () => {
  expect(await controllerTargetGroups(aws.elbv2)).toEqual([]);
  expect((await listenerRules(aws.elbv2, world.dmz.listenerArn)).map((r) => r.IsDefault)).toEqual([true]);
});
