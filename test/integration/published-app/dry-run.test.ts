/** Dry-run: the plan is published as Events; nothing is created in AWS, no finalizer, no status. */
import { jest } from '@jest/globals';
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
