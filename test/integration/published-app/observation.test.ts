/**
 * Checkpoints and the observation loop, with full re-checks and resyncs effectively off
 * (1 h): an unchanged app costs no AWS call of its own when it is reconciled, the
 * observation's cost does not depend on the number of apps, and what the observation sees
 * (an ENI replaced, a rule deleted, an SG rule revoked, a health check changed) is put back — by the observation's
 * enqueue alone, since nothing else would walk the app within the test.
 */
import { jest } from '@jest/globals';
import { ModifyVpcEndpointCommand, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { DeleteRuleCommand, ModifyTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsCallObserverCall } from '../../../src/aws/types.ts';
import { newTestContext, type TestContext } from '../../env/context.ts';
import {
  applyApp,
  awsClients,
  endpoint,
  endpointIps,
  eventually,
  getApp,
  listenerRules,
  securityGroupRules,
  startController,
  targetGroup,
  targetIps,
  waitForEvent,
  waitForReady,
  type Aws,
  type RunningController,
} from './harness.ts';
import { appSpec } from './specs.ts';
import { createWorld, type World } from './world.ts';
import { shareListener } from '../grants.ts';

jest.setTimeout(150_000);

const APPS = ['blue', 'green', 'red', 'teal'];
const OBSERVE_MS = 500;

let ctx: TestContext;
let aws: Aws;
let world: World;
let controller: RunningController;
const calls: AwsCallObserverCall[] = [];

beforeAll(async () => {
  ctx = await newTestContext('papp-observation');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true, providers: APPS });
  await shareListener(ctx, world.dmz.listenerArn);
  controller = await startController(ctx, {
    resyncPeriodMs: 3_600_000,
    observer: (c) => calls.push(c),
    app: { observePeriodMs: OBSERVE_MS, fullRecheckMs: 3_600_000 },
  });
  for (const name of APPS) await applyApp(ctx, name, appSpec(world, name, `/${name}`));
  for (const name of APPS) await waitForReady(ctx, name);
});

afterAll(async () => {
  await controller.stop();
  aws.destroy();
  await ctx.cleanup();
});

const status = async (name: string) => (await getApp(ctx, name))!.status!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls made while `during` runs, by operation. */
async function callsDuring(during: () => Promise<unknown>): Promise<Map<string, number>> {
  const from = calls.length;
  await during();
  const counts = new Map<string, number>();
  for (const c of calls.slice(from)) counts.set(c.operation, (counts.get(c.operation) ?? 0) + 1);
  return counts;
}

it('reconciling unchanged apps costs no AWS call; the observation costs per round, not per app', async () => {
  // Let verification requeues after the last creations run out and checkpoints settle.
  await eventually('no per-app calls for 2 s', async () => {
    const seen = await callsDuring(() => sleep(2_000));
    return !seen.has('DescribeTargetHealth') ? true : undefined;
  });
  const windowMs = 6_000; // about twelve observation rounds
  const started = performance.now();
  const seen = await callsDuring(async () => {
    // A metadata change enqueues every app (like a resync would) without changing its spec.
    for (let round = 0; round < 3; round++) {
      for (const name of APPS) {
        const out = await ctx.kubectl([
          'annotate',
          '-n',
          ctx.namespace,
          'publishedapp',
          name,
          `touched=${round}`,
          '--overwrite',
        ]);
        expect(out.code).toBe(0);
      }
      await sleep(windowMs / 3);
    }
  });
  const perApp = [
    'DescribeTargetHealth',
    'DescribeTargetGroupAttributes',
    'DescribeNetworkInterfaces',
    'DescribeListeners',
  ];
  for (const op of perApp) expect([op, seen.get(op) ?? 0]).toEqual([op, 0]);
  // kubectl is slow on a loaded machine: count rounds over the time the window really took.
  const rounds = (performance.now() - started) / (OBSERVE_MS * 0.9) + 1;
  // One paged DescribeVpcEndpoints per round for all four apps (the observation's own).
  expect(seen.get('DescribeVpcEndpoints') ?? 0).toBeGreaterThan(0);
  expect(seen.get('DescribeVpcEndpoints') ?? 0).toBeLessThanOrEqual(rounds);
  // SGs, the listener's rules and the ALB's target groups every 6th round; nothing else.
  expect(seen.get('DescribeSecurityGroups') ?? 0).toBeLessThanOrEqual(rounds / 6 + 1);
  expect(seen.get('DescribeRules') ?? 0).toBeLessThanOrEqual(rounds / 6 + 1);
  expect(seen.get('DescribeTargetGroups') ?? 0).toBeLessThanOrEqual(rounds / 6 + 1);
  const others = [...seen.keys()].filter(
    (op) =>
      !['DescribeVpcEndpoints', 'DescribeSecurityGroups', 'DescribeRules', 'DescribeTargetGroups'].includes(
        op,
      ),
  );
  expect(others).toEqual([]);
});

it('an ENI replaced out of band reaches the target group through the observation, touching no other app', async () => {
  const st = await status('blue');
  const before = await targetIps(aws.elbv2, st.targetGroupArn!);
  const subnet = (await endpoint(aws.ec2, st.endpointId!))!.SubnetIds![0]!;
  const seen = await callsDuring(async () => {
    // Same subnets afterwards (no spec drift): moto gives the subnet a fresh ENI and IP.
    await aws.ec2.send(
      new ModifyVpcEndpointCommand({ VpcEndpointId: st.endpointId!, RemoveSubnetIds: [subnet] }),
    );
    await aws.ec2.send(
      new ModifyVpcEndpointCommand({ VpcEndpointId: st.endpointId!, AddSubnetIds: [subnet] }),
    );
    await eventually('targets follow the new ENI', async () => {
      const ips = await endpointIps(aws.ec2, st.endpointId!);
      const targets = await targetIps(aws.elbv2, st.targetGroupArn!);
      return ips.length === before.length &&
        JSON.stringify(ips) === JSON.stringify(targets) &&
        ips.join() !== before.join()
        ? true
        : undefined;
    });
  });
  expect(seen.get('RegisterTargets')).toBeGreaterThanOrEqual(1);
  // Only the changed app was walked: one DescribeNetworkInterfaces for the new ENI, and
  // target health read for blue only (one walk, its verification and the clean walk after).
  expect(seen.get('DescribeNetworkInterfaces')).toBe(1);
  expect(seen.get('DescribeTargetHealth') ?? 0).toBeLessThanOrEqual(6);
});

it('a rule deleted out of band is put back by the observation', async () => {
  const st = await status('green');
  await aws.elbv2.send(new DeleteRuleCommand({ RuleArn: st.ruleArn! }));
  await eventually('green routed again', async () => {
    const rules = await listenerRules(aws.elbv2, world.dmz.listenerArn);
    const app = await getApp(ctx, 'green');
    const ready = app?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    return ready && rules.some((r) => r.RuleArn === app.status?.ruleArn && r.RuleArn !== st.ruleArn)
      ? true
      : undefined;
  });
});

it('an SG rule revoked out of band is put back by the observation', async () => {
  const st = await status('red');
  const sg = st.securityGroupId!;
  const { ingress } = (await securityGroupRules(aws.ec2, sg))!;
  expect(ingress.length).toBeGreaterThan(0);
  await aws.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: sg, IpPermissions: ingress }));
  await eventually('ingress put back', async () =>
    (await securityGroupRules(aws.ec2, sg))?.ingress.length === ingress.length ? true : undefined,
  );
  await waitForReady(ctx, 'red');
});

it('a health check changed out of band is put back by the observation', async () => {
  const st = await status('teal');
  const arn = st.targetGroupArn!;
  await aws.elbv2.send(new ModifyTargetGroupCommand({ TargetGroupArn: arn, HealthCheckPath: '/changed' }));
  await eventually('health check put back', async () =>
    (await targetGroup(aws.elbv2, arn))?.HealthCheckPath === '/health' ? true : undefined,
  );
  await waitForEvent(ctx, 'teal', 'Drifted', 'health check');
});
