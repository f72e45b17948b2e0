/**
 * A subnet AWS would refuse (its zone is not one the service is offered in) is judged before
 * any create or modify. A new app is refused whole: nothing is made. A built app keeps
 * following AWS with the valid part of its spec: an ENI removed out of band is put back, the
 * target group and status.endpointIPs follow the live ENIs, the rule stays, and the endpoint
 * condition says which subnet and which zones.
 */
import { jest } from '@jest/globals';
import {
  CreateSubnetCommand,
  DescribeAvailabilityZonesCommand,
  ModifyVpcEndpointCommand,
} from '@aws-sdk/client-ec2';
import { newTestContext, type TestContext } from '../../env/context.ts';
import { shareListener } from '../grants.ts';
import {
  applyApp,
  awsClients,
  condition,
  endpoint,
  endpointIps,
  endpointsOf,
  eventually,
  getApp,
  patchApp,
  securityGroupsOf,
  startController,
  targetIps,
  waitForApp,
  waitForEvent,
  waitForReady,
  type Aws,
  type RunningController,
} from './harness.ts';
import { appSpec } from './specs.ts';
import { createWorld, type World } from './world.ts';

jest.setTimeout(150_000);

let ctx: TestContext;
let aws: Aws;
let world: World;
let controller: RunningController;
/** A DMZ subnet in us-east-1d: the provider's NLB (and so its service) is in a, b and c only. */
let outsideSubnet: string;
let outsideZoneId: string;

beforeAll(async () => {
  ctx = await newTestContext('papp-refused-subnets');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true, providers: ['blue'] });
  await shareListener(ctx, world.dmz.listenerArn);
  const subnet = await aws.ec2.send(
    new CreateSubnetCommand({
      VpcId: world.dmz.vpcId,
      CidrBlock: '10.100.9.0/24',
      AvailabilityZone: 'us-east-1d',
    }),
  );
  outsideSubnet = subnet.Subnet!.SubnetId!;
  const zones = await aws.ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['us-east-1d'] }));
  outsideZoneId = zones.AvailabilityZones![0]!.ZoneId!;
  controller = await startController(ctx);
});

afterAll(async () => {
  await controller.stop();
  aws.destroy();
  await ctx.cleanup();
});

const endpointReason = async (name: string) => condition(await getApp(ctx, name), 'EndpointAvailable');

it('refuses a new app with a subnet in a zone the service is not offered in, making nothing', async () => {
  const [a] = world.dmz.subnetIds;
  await applyApp(
    ctx,
    'new',
    appSpec(world, 'blue', '/new', { endpoint: { vpcId: world.dmz.vpcId, subnetIds: [a!, outsideSubnet] } }),
  );
  const app = await waitForApp(
    ctx,
    'new',
    'refused',
    (o) => condition(o, 'EndpointAvailable')?.[1] === 'AvailabilityZoneNotOffered',
  );
  expect(condition(app, 'Ready')).toEqual(['False', 'AvailabilityZoneNotOffered']);
  const message = app.status!.conditions!.find((c) => c.type === 'EndpointAvailable')!.message;
  expect(message).toContain(`${outsideSubnet} (${outsideZoneId})`);
  expect(message).toMatch(/offered in use1-az\d, use1-az\d, use1-az\d/);
  await waitForEvent(ctx, 'new', 'AvailabilityZoneNotOffered', outsideSubnet);
  const uid = app.metadata!.uid!;
  // Judged before the security group step, too: not even the managed SG is made.
  expect(await endpointsOf(aws.ec2, uid)).toEqual([]);
  expect(await securityGroupsOf(aws.ec2, uid)).toEqual([]);
});

it('keeps a built app following its live ENIs while a subnet of its spec is refused', async () => {
  const [a, b] = world.dmz.subnetIds as [string, string];
  await applyApp(ctx, 'blue', appSpec(world, 'blue', '/blue'));
  const ready = await waitForReady(ctx, 'blue');
  const { endpointId, targetGroupArn, ruleArn } = ready.status!;

  // The refused change: nothing is modified, the rest stays held.
  await patchApp(ctx, 'blue', { endpoint: { subnetIds: [a, b, outsideSubnet] } });
  await waitForApp(
    ctx,
    'blue',
    'refused subnet reported',
    (o) =>
      condition(o, 'EndpointAvailable')?.[1] === 'AvailabilityZoneNotOffered' &&
      o.status?.observedGeneration === o.metadata?.generation,
  );
  await waitForEvent(ctx, 'blue', 'AvailabilityZoneNotOffered', outsideSubnet);
  expect((await endpoint(aws.ec2, endpointId!))!.SubnetIds!.sort()).toEqual([a, b].sort());

  // Out of band, b's ENI goes: the valid subnets are put back and the targets follow.
  const enisBefore = (await endpoint(aws.ec2, endpointId!))!.NetworkInterfaceIds!;
  await aws.ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: endpointId!, RemoveSubnetIds: [b] }));
  await eventually('b put back with a new ENI', async () => {
    const now = await endpoint(aws.ec2, endpointId!);
    return (
      [...(now?.SubnetIds ?? [])].sort().join() === [a, b].sort().join() &&
      now?.NetworkInterfaceIds?.length === 2
    );
  });
  const live = await endpointIps(aws.ec2, endpointId!);
  const enisAfter = (await endpoint(aws.ec2, endpointId!))!.NetworkInterfaceIds!;
  expect(enisAfter.filter((id) => !enisBefore.includes(id))).toHaveLength(1); // b's new ENI
  const followed = await waitForApp(
    ctx,
    'blue',
    'targets and status on the live ENIs',
    (o) =>
      JSON.stringify(o.status?.endpointIPs) === JSON.stringify(live) &&
      condition(o, 'TargetsSynced')?.[0] === 'True' &&
      condition(o, 'RouteConfigured')?.[0] === 'True',
  );
  await eventually(
    'targets = live ENI IPs',
    async () => JSON.stringify(await targetIps(aws.elbv2, targetGroupArn!)) === JSON.stringify(live),
  );
  expect(followed.status!.endpointId).toBe(endpointId);
  expect(followed.status!.ruleArn).toBe(ruleArn);
  expect(condition(followed, 'TargetsSynced')?.[0]).toBe('True');
  expect(condition(followed, 'RouteConfigured')?.[0]).toBe('True');
  expect(await endpointReason('blue')).toEqual(['False', 'AvailabilityZoneNotOffered']);

  // The spec fixed: Ready again, same endpoint.
  await patchApp(ctx, 'blue', { endpoint: { subnetIds: [a, b] } });
  const fixed = await waitForReady(ctx, 'blue');
  expect(fixed.status!.endpointId).toBe(endpointId);
});
