/**
 * After a cold start the observation finds nothing to walk: the checkpoint each app records
 * when it converges matches what the next full observation rounds see, even with shared
 * reads allowed to age for a minute (as they effectively are when every describe takes
 * seconds, the N = 300 benchmark's case).
 */
import { jest } from '@jest/globals';
import type { AwsCallObserverCall } from '../../../src/aws/types.ts';
import { newTestContext, type TestContext } from '../../env/context.ts';
import {
  applyApp,
  awsClients,
  eventually,
  startController,
  waitForReady,
  type Aws,
  type RunningController,
} from './harness.ts';
import { appSpec } from './specs.ts';
import { createWorld, type World } from './world.ts';
import { shareListener } from '../grants.ts';

jest.setTimeout(150_000);

const APPS = ['blue', 'green'];
const HOUR = 3_600_000;
const OBSERVE_MS = 2_000; // a full round (SGs, rules, target groups) every 12 s

let ctx: TestContext;
let aws: Aws;
let world: World;
let controller: RunningController;
const calls: AwsCallObserverCall[] = [];

beforeAll(async () => {
  ctx = await newTestContext('papp-observation-settle');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true, providers: APPS });
  await shareListener(ctx, world.dmz.listenerArn);
  controller = await startController(ctx, {
    resyncPeriodMs: HOUR,
    observer: (c) => calls.push(c),
    app: { sharedReadMaxAgeMs: 60_000, observePeriodMs: OBSERVE_MS, fullRecheckMs: HOUR },
  });
});

afterAll(async () => {
  await controller.stop();
  aws.destroy();
  await ctx.cleanup();
});

it('the full observation rounds after the apps converged walk none of them', async () => {
  for (const name of APPS) await applyApp(ctx, name, appSpec(world, name, `/${name}`));
  for (const name of APPS) await waitForReady(ctx, name);
  await new Promise((r) => setTimeout(r, 2_000)); // the verification passes after the last change
  const from = calls.length;
  const since = (op: string): number => calls.slice(from).filter((c) => c.operation === op).length;
  // Every 6th round is full: it reads the ALB's target groups.
  await eventually(
    'two full observation rounds',
    () => Promise.resolve(since('DescribeTargetGroups') >= 2),
    60_000,
  );
  expect(since('DescribeTargetHealth')).toBe(0);
});
