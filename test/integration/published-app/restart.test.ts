/**
 * A controller stopped in the middle of creating an app's resources, and a new one started
 * in its place: the new one finds what the first made (tags, client token, derived names,
 * rules forwarding to the app's group) — no second endpoint, SG, target group or rule.
 */
import { jest } from '@jest/globals';
import { newTestContext, type TestContext } from '../../env/context.ts';
import {
  applyApp,
  awsClients,
  controllerTargetGroups,
  endpointsOf,
  eventually,
  getApp,
  listenerRules,
  securityGroupsOf,
  startController,
  waitForReady,
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
let controller: RunningController | undefined;

beforeAll(async () => {
  ctx = await newTestContext('papp-restart');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true, providers: ['blue'] });
  await shareListener(ctx, world.dmz.listenerArn);
});

afterAll(async () => {
  await controller?.stop();
  aws.destroy();
  await ctx.cleanup();
});

it('does not duplicate anything after a restart mid-creation', async () => {
  const calls: string[] = [];
  controller = await startController(ctx, { observer: (c) => calls.push(c.operation) });
  await applyApp(ctx, 'blue', appSpec(world, 'blue', '/blue'));
  // Stop right after the endpoint was asked for: before status records it, before the rule.
  await eventually(
    'endpoint being created',
    () => Promise.resolve(calls.includes('CreateVpcEndpoint')),
    30_000,
  );
  await controller.stop();
  controller = undefined;
  const uid = (await getApp(ctx, 'blue'))!.metadata!.uid!;
  const halfway = await endpointsOf(aws.ec2, uid);

  controller = await startController(ctx);
  const app = await waitForReady(ctx, 'blue');
  const endpoints = await endpointsOf(aws.ec2, uid);
  expect(endpoints.map((e) => e.VpcEndpointId)).toEqual([app.status!.endpointId]);
  if (halfway.length > 0) expect(app.status!.endpointId).toBe(halfway[0]!.VpcEndpointId);
  expect(await securityGroupsOf(aws.ec2, uid)).toEqual([app.status!.securityGroupId]);
  expect((await controllerTargetGroups(aws.elbv2)).map((t) => t.TargetGroupArn)).toEqual([
    app.status!.targetGroupArn,
  ]);
  const rules = (await listenerRules(aws.elbv2, world.dmz.listenerArn)).filter((r) => !r.IsDefault);
  expect(rules.map((r) => r.RuleArn)).toEqual([app.status!.ruleArn]);
});
