/**
 * Priorities on a shared listener: two apps asking for the same priority → exactly one
 * `PriorityConflict`, on the later one; a foreign rule keeps its priority and survives
 * everything the controller does; allocation skips used priorities; a full listener →
 * `RuleLimitExceeded`.
 */
import { jest } from '@jest/globals';
import { CreateListenerCommand, CreateRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { newTestContext, type TestContext } from '../../env/context.ts';
import {
  applyApp,
  awsClients,
  condition,
  deleteApp,
  eventually,
  getApp,
  listenerRules,
  startController,
  waitForApp,
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
let controller: RunningController;
let foreignRuleArn: string;

beforeAll(async () => {
  ctx = await newTestContext('papp-conflicts');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true, providers: ['blue', 'green', 'red'] });
  await shareListener(ctx, world.dmz.listenerArn);
  const foreign = await aws.elbv2.send(
    new CreateRuleCommand({
      ListenerArn: world.dmz.listenerArn,
      Priority: 1000,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/foreign*'] } }],
      Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '418' } }],
    }),
  );
  foreignRuleArn = foreign.Rules![0]!.RuleArn!;
  // The quota is the ALB's, across its listeners: a second listener with a rule of its own.
  const second = await aws.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: world.dmz.albArn,
      Protocol: 'HTTP',
      Port: 8080,
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    }),
  );
  await aws.elbv2.send(
    new CreateRuleCommand({
      ListenerArn: second.Listeners![0]!.ListenerArn!,
      Priority: 1,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/elsewhere'] } }],
      Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '418' } }],
    }),
  );
  // 6 rules per ALB (default rules not counted): two foreign ones, four of ours at most.
  controller = await startController(ctx, { app: { albRuleQuota: 6 } });
});

afterAll(async () => {
  await controller.stop();
  aws.destroy();
  await ctx.cleanup();
});

const spec = (provider: string, path: string, priority?: number) =>
  appSpec(world, provider, path, {
    routing: { pathPatterns: [`${path}*`], ...(priority ? { priority } : {}) },
  });

async function foreignRuleIntact(): Promise<void> {
  const rule = (await listenerRules(aws.elbv2, world.dmz.listenerArn)).find(
    (r) => r.RuleArn === foreignRuleArn,
  );
  expect(rule).toMatchObject({ Priority: '1000' });
  expect(rule!.Actions![0]).toMatchObject({
    Type: 'fixed-response',
    FixedResponseConfig: { StatusCode: '418' },
  });
}

it('gives a contested priority to the earlier app only', async () => {
  await applyApp(ctx, 'first', spec('blue', '/first', 10));
  await waitForReady(ctx, 'first');
  await applyApp(ctx, 'second', spec('green', '/second', 10));
  const second = await waitForApp(
    ctx,
    'second',
    'PriorityConflict',
    (o) => condition(o, 'RouteConfigured')?.[1] === 'PriorityConflict',
  );
  expect(condition(second, 'Ready')).toEqual(['False', 'PriorityConflict']);
  expect(second.status!.conditions!.find((c) => c.type === 'RouteConfigured')!.message).toContain(
    `${ctx.namespace}/first`,
  );
  // A few resyncs later the first is still Ready and still the only holder of 10.
  await new Promise((r) => setTimeout(r, 3_000));
  expect(condition(await getApp(ctx, 'first'), 'Ready')).toEqual(['True', 'Ready']);
  const at10 = (await listenerRules(aws.elbv2, world.dmz.listenerArn)).filter((r) => r.Priority === '10');
  expect(at10.map((r) => r.RuleArn)).toEqual([(await getApp(ctx, 'first'))!.status!.ruleArn]);
});

it('reports a clash with a foreign rule and leaves that rule alone', async () => {
  await applyApp(ctx, 'third', spec('red', '/third', 1000));
  const third = await waitForApp(
    ctx,
    'third',
    'PriorityConflict',
    (o) => condition(o, 'RouteConfigured')?.[1] === 'PriorityConflict',
  );
  expect(third.status!.conditions!.find((c) => c.type === 'RouteConfigured')!.message).toContain(
    foreignRuleArn,
  );
  await foreignRuleIntact();
});

it('resolves the conflict when the later app moves, and allocates around used priorities', async () => {
  await applyApp(ctx, 'second', spec('green', '/second')); // no explicit priority: allocated
  const second = await waitForReady(ctx, 'second');
  // 1000 is the foreign rule's; allocation starts there and skips it.
  expect(second.status!.priority).toBe(1001);
  await applyApp(ctx, 'third', spec('red', '/third'));
  const third = await waitForReady(ctx, 'third');
  expect(third.status!.priority).toBe(1002);
  await foreignRuleIntact();
});

it('reports RuleLimitExceeded when the ALB is full, counting its other listeners', async () => {
  await applyApp(ctx, 'fourth', spec('blue', '/fourth', 20));
  await waitForReady(ctx, 'fourth');
  expect(await listenerRules(aws.elbv2, world.dmz.listenerArn)).toHaveLength(6);
  await applyApp(ctx, 'fifth', spec('green', '/fifth', 30));
  const fifth = await waitForApp(
    ctx,
    'fifth',
    'RuleLimitExceeded',
    (o) => condition(o, 'RouteConfigured')?.[1] === 'RuleLimitExceeded',
  );
  expect(condition(fifth, 'Ready')).toEqual(['False', 'RuleLimitExceeded']);
  expect(fifth.status!.conditions!.find((c) => c.type === 'RouteConfigured')!.message).toContain(
    'holds 6 rules across its listeners',
  );
  // Room again → the app gets its rule.
  await deleteApp(ctx, 'fourth');
  await eventually('fourth gone', async () => (await getApp(ctx, 'fourth')) === undefined);
  await waitForReady(ctx, 'fifth');
  await foreignRuleIntact();
});
