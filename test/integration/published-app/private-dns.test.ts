/**
 * endpoint.privateDnsEnabled: the endpoint resolves the service's verified private DNS name
 * in the VPC. Judged before any create or modify: a service without a (verified) name, or a
 * VPC without DNS support and hostnames, is refused with its reason and nothing is made for a
 * new app; a built app keeps the rest of its spec. Drift (turned off out of band) is put back.
 */
import { jest } from '@jest/globals';
import {
  DescribeVpcEndpointServiceConfigurationsCommand,
  ModifyVpcAttributeCommand,
  ModifyVpcEndpointCommand,
  ModifyVpcEndpointServiceConfigurationCommand,
  StartVpcEndpointServicePrivateDnsVerificationCommand,
} from '@aws-sdk/client-ec2';
import { newTestContext, type TestContext } from '../../env/context.ts';
import { publishTxtRecord } from '../../env/route53.ts';
import { shareListener } from '../grants.ts';
import {
  applyApp,
  awsClients,
  condition,
  endpoint,
  expectRefusedWhole,
  eventually,
  patchApp,
  startController,
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

const setHostnames = (on: boolean) =>
  aws.ec2.send(new ModifyVpcAttributeCommand({ VpcId: world.dmz.vpcId, EnableDnsHostnames: { Value: on } }));

/** Gives the provider's service `name`, verified (its TXT record published in the account's zone). */
async function verifyName(provider: string, name: string): Promise<void> {
  const serviceId = world.providers[provider]!.serviceId!;
  await aws.ec2.send(
    new ModifyVpcEndpointServiceConfigurationCommand({ ServiceId: serviceId, PrivateDnsName: name }),
  );
  const out = await aws.ec2.send(
    new DescribeVpcEndpointServiceConfigurationsCommand({ ServiceIds: [serviceId] }),
  );
  const record = out.ServiceConfigurations![0]!.PrivateDnsNameConfiguration!;
  await publishTxtRecord(
    process.env.AWS_ENDPOINT_URL!,
    ctx.accountId,
    name,
    `${record.Name}.${name}`,
    record.Value!,
  );
  await aws.ec2.send(new StartVpcEndpointServicePrivateDnsVerificationCommand({ ServiceId: serviceId }));
}

beforeAll(async () => {
  ctx = await newTestContext('papp-private-dns');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true, providers: ['blue', 'green'] });
  await shareListener(ctx, world.dmz.listenerArn);
  await verifyName('blue', 'blue.example.com');
  controller = await startController(ctx);
});

afterAll(async () => {
  await controller.stop();
  aws.destroy();
  await ctx.cleanup();
});

const withPrivateDns = (provider: string, path: string) =>
  appSpec(world, provider, path, {
    endpoint: { vpcId: world.dmz.vpcId, subnetIds: world.dmz.subnetIds.slice(0, 2), privateDnsEnabled: true },
  });

it('refuses private DNS for a service without a private DNS name, making nothing', async () => {
  await setHostnames(true);
  await applyApp(ctx, 'green', withPrivateDns('green', '/green'));
  await expectRefusedWhole(ctx, aws.ec2, {
    name: 'green',
    condition: 'EndpointAvailable',
    reason: 'PrivateDnsNameNotAvailable',
    says: 'has no private DNS name',
  });
});

it('refuses private DNS in a VPC without DNS hostnames, making nothing', async () => {
  await setHostnames(false);
  await applyApp(ctx, 'blue-nodns', withPrivateDns('blue', '/nodns'));
  await expectRefusedWhole(ctx, aws.ec2, {
    name: 'blue-nodns',
    condition: 'EndpointAvailable',
    reason: 'VpcDnsNotEnabled',
    says: 'enableDnsHostnames',
  });
});

it('builds the endpoint with private DNS, puts it back when turned off out of band, and turns it off with the spec', async () => {
  await setHostnames(true);
  await applyApp(ctx, 'blue', withPrivateDns('blue', '/blue'));
  const ready = await waitForReady(ctx, 'blue');
  const endpointId = ready.status!.endpointId!;
  expect((await endpoint(aws.ec2, endpointId))!.PrivateDnsEnabled).toBe(true);

  await aws.ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: endpointId, PrivateDnsEnabled: false }));
  await waitForEvent(ctx, 'blue', 'Drifted', 'private DNS missing');
  await eventually(
    'private DNS put back',
    async () => (await endpoint(aws.ec2, endpointId))?.PrivateDnsEnabled === true,
  );
  await waitForReady(ctx, 'blue');

  await patchApp(ctx, 'blue', { endpoint: { privateDnsEnabled: false } });
  await eventually(
    'private DNS off',
    async () => (await endpoint(aws.ec2, endpointId))?.PrivateDnsEnabled === false,
  );
  const off = await waitForReady(ctx, 'blue');
  expect(off.status!.endpointId).toBe(endpointId); // modified in place, not replaced
});

it('a built app asking for private DNS the VPC cannot give keeps its endpoint and targets', async () => {
  const before = await waitForReady(ctx, 'blue');
  await setHostnames(false);
  await patchApp(ctx, 'blue', { endpoint: { privateDnsEnabled: true } });
  const refused = await waitForApp(
    ctx,
    'blue',
    'refused, rest held',
    (o) =>
      condition(o, 'EndpointAvailable')?.[1] === 'VpcDnsNotEnabled' &&
      o.status?.observedGeneration === o.metadata?.generation,
  );
  expect(condition(refused, 'TargetsSynced')?.[0]).toBe('True');
  expect(condition(refused, 'RouteConfigured')?.[0]).toBe('True');
  expect(refused.status!.endpointId).toBe(before.status!.endpointId);
  expect((await endpoint(aws.ec2, before.status!.endpointId!))!.PrivateDnsEnabled).toBe(false);

  // Fixed in AWS: the next full walk (the VPC's attributes are a reference read) turns it on.
  await setHostnames(true);
  await eventually(
    'private DNS on',
    async () => (await endpoint(aws.ec2, before.status!.endpointId!))?.PrivateDnsEnabled === true,
    90_000,
  );
  const on = await waitForReady(ctx, 'blue');
  expect(on.status!.endpointId).toBe(before.status!.endpointId);
});
