/**
 * Our own writes reach the shared, scope-wide reads without a reload: with the memo allowed
 * to age for minutes (and the observation, resync and full walks off), creating apps one
 * after another on the same listener reads the listener's rules and the owned endpoints
 * once — every create, priority change and modify is written through instead of forcing
 * the next app to re-read the whole list (at N apps a cold start would otherwise re-read
 * a list of N entries N times). And apps created at the same moment, placed by parallel
 * workers, each take a different allocated priority instead of racing for the lowest — also
 * when the app that ranks first is seen after the other was placed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { jest } from '@jest/globals';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, PUBLISHED_APP } from '../../../src/api/kinds.ts';
import type { AwsCallObserverCall } from '../../../src/aws/types.ts';
import { newTestContext, type TestContext } from '../../env/context.ts';
import {
  applyApp,
  awsClients,
  deleteApp,
  eventually,
  getApp,
  listenerRules,
  startController,
  waitForReady,
  type Aws,
  type RunningController,
} from './harness.ts';
import { appSpec } from './specs.ts';
import { createWorld, type World } from './world.ts';
import { shareListener } from '../grants.ts';

jest.setTimeout(150_000);

const APPS = ['blue', 'green', 'red'];
/** Created together, after APPS: allocated priorities, parallel workers. */
const BURST = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'];
/** Applied in this order within one second: the later one ranks first (same second, name). */
const INVERTED = ['x2', 'x1'] as const;
const HOUR = 3_600_000;

let ctx: TestContext;
let aws: Aws;
let world: World;
let controller: RunningController;
const calls: AwsCallObserverCall[] = [];

beforeAll(async () => {
  ctx = await newTestContext('papp-write-through');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, {
    services: true,
    providers: [...APPS, ...BURST, ...INVERTED],
  });
  await shareListener(ctx, world.dmz.listenerArn);
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

/** Creates the app through the API directly: kubectl's start-up would take most of a second. */
async function createApp(name: string): Promise<void> {
  await ctx.kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: API_GROUP,
    version: API_VERSION,
    namespace: ctx.namespace,
    plural: PUBLISHED_APP.plural,
    body: {
      apiVersion: `${API_GROUP}/${API_VERSION}`,
      kind: 'PublishedApp',
      metadata: { name },
      spec: appSpec(world, name, `/${name}`),
    },
  });
}

/**
 * Creates `later`, waits until it is placed (its first create follows), then creates
 * `first`. @returns the creation timestamps and whether `later` had created a rule by then.
 */
async function createInverted(): Promise<{ created: (string | undefined)[]; ruleFirst: boolean }> {
  const [later, first] = INVERTED;
  while (new Date().getMilliseconds() > 50) await sleep(10);
  const from = calls.length;
  await createApp(later);
  while (!calls.slice(from).some((c) => c.operation.startsWith('Create'))) await sleep(10);
  const ruleFirst = count(from, 'CreateRule') > 0;
  await createApp(first);
  const created = await Promise.all(
    INVERTED.map(async (name) => (await getApp(ctx, name))!.metadata!.creationTimestamp),
  );
  return { created: created.map(String), ruleFirst };
}

it('an app seen after a lower-ranked one was placed does not take its priority', async () => {
  // Both created in one second, so `first` ranks before `later` (by name) although it is
  // created after `later` has been placed: it must see the priority `later` was given even
  // though `later` has neither a rule nor a recorded priority yet. On a cold controller the
  // placement can take longer than the second: then both go and the pair is tried again.
  const from = calls.length;
  let attempt = await createInverted();
  for (let tries = 1; attempt.created[0] !== attempt.created[1]; tries++) {
    if (tries === 3) throw new Error(`3 tries, never created in one second: ${attempt.created.join(' ')}`);
    for (const name of INVERTED) await deleteApp(ctx, name);
    await eventually('both gone', async () =>
      (await Promise.all(INVERTED.map((n) => getApp(ctx, n)))).every((a) => a === undefined),
    );
    attempt = await createInverted();
  }
  expect(attempt.ruleFirst).toBe(false); // the race's other precondition

  for (const name of INVERTED) await waitForReady(ctx, name);
  const creates = calls.slice(from).filter((c) => c.operation === 'CreateRule');
  expect(creates.map((c) => c.errorCode ?? c.result).filter((r) => r !== 'success')).toEqual([]);
  const priorities = await Promise.all(INVERTED.map(async (n) => (await getApp(ctx, n))!.status!.priority));
  expect(new Set(priorities).size).toBe(2);
});
