/** Dry-run: the plan is published as Events; nothing is created in AWS, no finalizer, no status. */
import { jest } from '@jest/globals';
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetVpcLinksCommand,
} from '@aws-sdk/client-apigatewayv2';
import { FINALIZER } from '../../../src/api/kinds.ts';
import { newTestContext, type TestContext } from '../../env/context.ts';
import {
  applyApp,
  awsClients,
  controllerTargetGroups,
  endpointsOf,
  eventsFor,
  eventually,
  getApp,
  listenerRules,
  securityGroupsOf,
  startController,
  type Aws,
  type RunningController,
} from './harness.ts';
import { appSpec } from './specs.ts';
import { createWorld, type World } from './world.ts';
import { shareListener } from '../grants.ts';

jest.setTimeout(120_000);

let ctx: TestContext;
let aws: Aws;
let world: World;
let controller: RunningController;

beforeAll(async () => {
  ctx = await newTestContext('papp-dry-run');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true, providers: ['blue'] });
  await shareListener(ctx, world.dmz.listenerArn);
  controller = await startController(ctx, { dryRun: true });
});

afterAll(async () => {
  await controller.stop();
  aws.destroy();
  await ctx.cleanup();
});

it('publishes what it would do and does none of it', async () => {
  await applyApp(ctx, 'blue', appSpec(world, 'blue', '/blue'));
  const wanted = [
    'create security group',
    'create interface endpoint',
    'create IP target group',
    'create rule at priority 1000',
  ];
  const events = await eventually('the whole plan as DryRun events', async () => {
    const found = (await eventsFor(ctx, 'blue')).filter((e) => e.reason === 'DryRun');
    return wanted.every((w) => found.some((e) => (e.message ?? '').startsWith(`would ${w}`)))
      ? found
      : undefined;
  });
  expect(events.every((e) => e.type === 'Normal')).toBe(true);
  const app = (await getApp(ctx, 'blue'))!;
  expect(app.metadata!.finalizers ?? []).not.toContain(FINALIZER);
  expect(app.status ?? {}).toEqual({});
  const uid = app.metadata!.uid!;
  expect(await endpointsOf(aws.ec2, uid)).toEqual([]);
  expect(await securityGroupsOf(aws.ec2, uid)).toEqual([]);
  expect(await controllerTargetGroups(aws.elbv2)).toEqual([]);
  expect(await listenerRules(aws.elbv2, world.dmz.listenerArn)).toHaveLength(1);
});

it('behind an API front door, publishes the link, integration and routes it would make, and makes none', async () => {
  const apigw = new ApiGatewayV2Client(ctx.awsClientConfig);
  try {
    const apiId = (await apigw.send(new CreateApiCommand({ Name: 'dry', ProtocolType: 'HTTP' }))).ApiId!;
    await shareListener(ctx, world.dmz.listenerArn, {
      name: 'api',
      spec: { frontDoor: { apiGateway: { apiId, vpcLink: { subnetIds: world.dmz.subnetIds.slice(0, 2) } } } },
    });
    await applyApp(ctx, 'api-blue', appSpec(world, 'blue', '/api-blue', { listenerRef: { name: 'api' } }));
    const wanted = [
      'create VPC link security group',
      'create VPC link',
      `create integration to ${world.dmz.listenerArn} on API ${apiId}`,
      `create route ANY /api-blue on API ${apiId}`,
      `create route ANY /api-blue/{proxy+} on API ${apiId}`,
    ];
    await eventually('the API part of the plan as DryRun events', async () => {
      const found = (await eventsFor(ctx, 'api-blue')).filter((e) => e.reason === 'DryRun');
      return wanted.every((w) => found.some((e) => (e.message ?? '').startsWith(`would ${w}`)));
    });
    expect((await apigw.send(new GetRoutesCommand({ ApiId: apiId }))).Items ?? []).toEqual([]);
    expect((await apigw.send(new GetIntegrationsCommand({ ApiId: apiId }))).Items ?? []).toEqual([]);
    expect((await apigw.send(new GetVpcLinksCommand({}))).Items ?? []).toEqual([]);
  } finally {
    apigw.destroy();
  }
});
