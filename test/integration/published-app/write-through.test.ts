/**
 * Our own writes reach the shared, scope-wide reads without a reload: with the memo allowed
 * to age for minutes (and the observation, resync and full walks off), creating apps one
 * after another on the same listener reads the listener's rules and the owned endpoints
 * once — every create, priority change and modify is written through instead of forcing
 * the next app to re-read the whole list (at N apps a cold start would otherwise re-read
 * a list of N entries N times). And apps created at the same moment, placed by parallel
 * workers, each take a different allocated priority instead of racing for the lowest.
 */
import { jest } from '@jest/globals';
import type { AwsCallObserverCall } from '../../../src/aws/types.ts';
import { newTestContext, type TestContext } from '../../env/context.ts';
import {
  applyApp,
  awsClients,
  getApp,
  listenerRules,
  startController,
  waitForReady,
  type Aws,
  type RunningController,
} from './harness.ts';
import { appSpec } from './specs.ts';
import { createWorld, type World } from './world.ts';

jest.setTimeout(150_000);

const APPS = ['blue', 'green', 'red'];
/** Created together, after APPS: allocated priorities, parallel workers. */
const BURST = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'];
const HOUR = 3_600_000;

let ctx: TestContext;
let aws: Aws;
let world: World;
let controller: RunningController;
const calls: AwsCallObserverCall[] = [];

beforeAll(async () => {
  ctx = await newTestContext('papp-write-through');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true, providers: [...APPS, ...BURST] });
  controller = await startController(ctx, {
    resyncPeriodMs: HOUR,
    observer: (c) => calls.push(c),
    app: { sharedReadMaxAgeMs: 10 * 60_000, observePeriodMs: HOUR, fullRecheckMs: HOUR },
  });
});

afterAll(async () => {
  await controller.stop();
  aws.destroy();
  await ctx.cleanup();
});

const count = (from: number, operation: string): number =>
  calls.slice(from).filter((c) => c.operation === operation).length;

it('apps created one after another on one listener re-read neither its rules nor the owned endpoints', async () => {
  const [first, ...rest] = APPS as [string, ...string[]];
  await applyApp(ctx, first, appSpec(world, first, `/${first}`));
  await waitForReady(ctx, first);
  // The first app loaded both lists (and wrote its creations through).
  expect(count(0, 'DescribeRules')).toBeGreaterThan(0);
  expect(count(0, 'DescribeVpcEndpoints')).toBeGreaterThan(0);

  const from = calls.length;
  for (const name of rest) {
    await applyApp(ctx, name, appSpec(world, name, `/${name}`));
    await waitForReady(ctx, name);
  }
  expect(count(from, 'CreateRule')).toBe(rest.length);
  expect(count(from, 'CreateVpcEndpoint')).toBe(rest.length);
  expect(count(from, 'DescribeRules')).toBe(0);
  expect(count(from, 'DescribeVpcEndpoints')).toBe(0);

  // What was written through is what AWS holds: each app's rule, at the status's priority.
  const onListener = await listenerRules(aws.elbv2, world.dmz.listenerArn);
  for (const name of APPS) {
    const status = (await getApp(ctx, name))!.status!;
    const rule = onListener.find((r) => r.RuleArn === status.ruleArn);
    expect([name, rule?.Priority]).toEqual([name, String(status.priority)]);
  }
});

it('apps created at once take different allocated priorities: no CreateRule is refused', async () => {
  const from = calls.length;
  await Promise.all(BURST.map((name) => applyApp(ctx, name, appSpec(world, name, `/${name}`))));
  for (const name of BURST) await waitForReady(ctx, name);
  const creates = calls.slice(from).filter((c) => c.operation === 'CreateRule');
  expect(creates.map((c) => c.errorCode ?? c.result)).toEqual(BURST.map(() => 'success'));
  const priorities = await Promise.all(
    BURST.map(async (name) => (await getApp(ctx, name))!.status!.priority),
  );
  expect(new Set(priorities).size).toBe(BURST.length);
});
