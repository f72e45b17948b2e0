/**
 * The target group follows the endpoint's ENIs whatever changes them: a subnet added through
 * the spec, a subnet removed out of band (put back → a new ENI with a new IP), the endpoint
 * deleted out of band (recreated). New addresses are registered before stale ones go.
 */
import { jest } from '@jest/globals';
import { DeleteVpcEndpointsCommand, ModifyVpcEndpointCommand } from '@aws-sdk/client-ec2';
import { newTestContext, type TestContext } from '../../env/context.ts';
import {
  applyApp,
  awsClients,
  endpoint,
  endpointIps,
  eventually,
  getApp,
  patchApp,
  startController,
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

let ctx: TestContext;
let aws: Aws;
let world: World;
let controller: RunningController;
const calls: string[] = [];

beforeAll(async () => {
  ctx = await newTestContext('papp-eni-change');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true, providers: ['blue'] });
  await shareListener(ctx, world.dmz.listenerArn);
  controller = await startController(ctx, { observer: (c) => calls.push(c.operation) });
  await applyApp(ctx, 'blue', appSpec(world, 'blue', '/blue'));
  await waitForReady(ctx, 'blue');
});

afterAll(async () => {
  await controller.stop();
  aws.destroy();
  await ctx.cleanup();
});

/** Waits until the group holds exactly the current endpoint's IPs (and the status says so). */
async function targetsFollowEndpoint(expectedCount: number): Promise<string[]> {
  return eventually(`targets = ${expectedCount} ENI IPs`, async () => {
    const app = await getApp(ctx, 'blue');
    const st = app?.status;
    if (!st?.endpointId || !st.targetGroupArn) return undefined;
    const ips = await endpointIps(aws.ec2, st.endpointId);
    const targets = await targetIps(aws.elbv2, st.targetGroupArn);
    const ready = app?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    return ready && ips.length === expectedCount && JSON.stringify(ips) === JSON.stringify(targets)
      ? ips
      : undefined;
  });
}

/** Index of the last call of `op` in the recorded call sequence. */
const lastCall = (op: string): number => calls.lastIndexOf(op);

it('registers the IP of a subnet added through the spec', async () => {
  const before = await targetsFollowEndpoint(2);
  await patchApp(ctx, 'blue', { endpoint: { subnetIds: world.dmz.subnetIds } });
  const after = await targetsFollowEndpoint(3);
  expect(after).toEqual(expect.arrayContaining(before));
  const third = after.filter((ip) => !before.includes(ip));
  expect(third).toHaveLength(1);
  expect(third[0]).toMatch(/^10\.100\.3\./); // an address of the added subnet
});

it('puts back a subnet removed out of band; the new ENI IP replaces the stale one, registered first', async () => {
  const st = (await getApp(ctx, 'blue'))!.status!;
  const before = await targetIps(aws.elbv2, st.targetGroupArn!);
  const removed = world.dmz.subnetIds[2]!;
  calls.length = 0;
  await aws.ec2.send(
    new ModifyVpcEndpointCommand({ VpcEndpointId: st.endpointId!, RemoveSubnetIds: [removed] }),
  );
  await eventually('subnet put back', async () =>
    (await endpoint(aws.ec2, st.endpointId!))?.SubnetIds?.includes(removed),
  );
  const after = await targetsFollowEndpoint(3);
  const fresh = after.filter((ip) => !before.includes(ip));
  const stale = before.filter((ip) => !after.includes(ip));
  expect(fresh).toHaveLength(1);
  expect(stale).toHaveLength(1);
  expect(lastCall('RegisterTargets')).toBeGreaterThanOrEqual(0);
  expect(lastCall('DeregisterTargets')).toBeGreaterThan(lastCall('RegisterTargets'));
  await waitForEvent(ctx, 'blue', 'Drifted', removed);
});

it('recreates an endpoint deleted out of band and moves the targets to it', async () => {
  const st = (await getApp(ctx, 'blue'))!.status!;
  const before = await targetIps(aws.elbv2, st.targetGroupArn!);
  await aws.ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [st.endpointId!] }));
  const app = await eventually('a new endpoint', async () => {
    const a = await getApp(ctx, 'blue');
    return a?.status?.endpointId !== st.endpointId ? a : undefined;
  });
  const after = await targetsFollowEndpoint(3);
  expect(after.some((ip) => before.includes(ip))).toBe(false);
  expect(app.status!.targetGroupArn).toBe(st.targetGroupArn); // same group, new members
  await waitForEvent(ctx, 'blue', 'EndpointCreated', `replaces ${st.endpointId!}`);
});

it('a resync of an unchanged app describes no ENI', async () => {
  await targetsFollowEndpoint(3);
  calls.length = 0;
  // The next full walk (due 3 s ± 20 % after the last clean pass, taken at the next 2 s
  // resync) reads the targets; neither it nor the observation rounds meanwhile describe ENIs.
  await eventually('a full walk', () => Promise.resolve(calls.includes('DescribeTargetHealth')));
  expect(calls).not.toContain('DescribeNetworkInterfaces');
});
