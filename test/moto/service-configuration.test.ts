/**
 * Endpoint service load balancers: only existing NLBs, removals checked, and the service's
 * availability zones (where consumers may place endpoint subnets) follow its NLBs.
 */
import { jest } from '@jest/globals';
import {
  CreateVpcEndpointCommand,
  CreateVpcEndpointServiceConfigurationCommand,
  DescribeAvailabilityZonesCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointServicesCommand,
  ModifyVpcEndpointServiceConfigurationCommand,
  type ModifyVpcEndpointServiceConfigurationCommandInput,
} from '@aws-sdk/client-ec2';
import { CreateLoadBalancerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { MotoServer } from '../env/moto/server.ts';
import {
  clientsFor,
  createEndpointService,
  createNetwork,
  errorCode,
  startTestMoto,
  type AccountClients,
  type Network,
} from './helpers.ts';

// Hooks start and stop a server; a loaded 2-core machine needs more than jest's 5 s.
jest.setTimeout(60_000);

let moto: MotoServer;
let account: AccountClients;
let network: Network;

beforeAll(async () => {
  moto = await startTestMoto('service-configuration');
  account = clientsFor(moto);
  network = await createNetwork(account.ec2, 1, ['us-east-1a', 'us-east-1b', 'us-east-1c']);
});

afterAll(async () => {
  account.destroy();
  await moto.process.stop();
});

async function loadBalancer(type: 'network' | 'application', subnetIds: string[]): Promise<string> {
  const out = await account.elbv2.send(
    new CreateLoadBalancerCommand({
      Name: `${type.slice(0, 3)}-${subnetIds.length}-${Math.random().toString(36).slice(2, 8)}`,
      Type: type,
      Subnets: subnetIds,
    }),
  );
  return out.LoadBalancers![0]!.LoadBalancerArn!;
}

async function zonesOf(serviceId: string): Promise<string[]> {
  const out = await account.ec2.send(
    new DescribeVpcEndpointServiceConfigurationsCommand({ ServiceIds: [serviceId] }),
  );
  return out.ServiceConfigurations![0]!.AvailabilityZones!;
}

function modify(input: ModifyVpcEndpointServiceConfigurationCommandInput): Promise<string> {
  return errorCode(account.ec2.send(new ModifyVpcEndpointServiceConfigurationCommand(input)));
}

it('accepts only existing network load balancers', async () => {
  const alb = await loadBalancer('application', network.subnetIds.slice(0, 2));
  const bogus = alb
    .replace(':loadbalancer/app/', ':loadbalancer/net/')
    .replace(/[0-9a-f]{16}$/, '0'.repeat(16));
  for (const arn of [alb, bogus]) {
    expect(
      await errorCode(
        account.ec2.send(
          new CreateVpcEndpointServiceConfigurationCommand({ NetworkLoadBalancerArns: [arn] }),
        ),
      ),
    ).toBe('InvalidParameter');
  }
});

it('offers the zones of its NLBs, following NLB changes', async () => {
  const [a, b, c] = network.subnetIds as [string, string, string];
  const first = await loadBalancer('network', [a]);
  const second = await loadBalancer('network', [b, c]);
  const svc = await account.ec2.send(
    new CreateVpcEndpointServiceConfigurationCommand({
      NetworkLoadBalancerArns: [first],
      AcceptanceRequired: false,
    }),
  );
  const serviceId = svc.ServiceConfiguration!.ServiceId!;
  expect(await zonesOf(serviceId)).toEqual(['us-east-1a']);

  expect(await modify({ ServiceId: serviceId, AddNetworkLoadBalancerArns: [second] })).toBe('resolved');
  expect(await zonesOf(serviceId)).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);

  expect(await modify({ ServiceId: serviceId, RemoveNetworkLoadBalancerArns: [first] })).toBe('resolved');
  expect(await zonesOf(serviceId)).toEqual(['us-east-1b', 'us-east-1c']);
});

it("tells consumers the service's zone ids with the names, as DescribeAvailabilityZones maps them", async () => {
  const nlb = await loadBalancer('network', network.subnetIds.slice(1, 3));
  const svc = await account.ec2.send(
    new CreateVpcEndpointServiceConfigurationCommand({ NetworkLoadBalancerArns: [nlb] }),
  );
  const name = svc.ServiceConfiguration!.ServiceName!;
  const out = await account.ec2.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: [name] }));
  const detail = out.ServiceDetails!.find((d) => d.ServiceName === name)!;
  const zones = await account.ec2.send(
    new DescribeAvailabilityZonesCommand({ ZoneNames: ['us-east-1b', 'us-east-1c'] }),
  );
  const ids = new Map(zones.AvailabilityZones!.map((z) => [z.ZoneName!, z.ZoneId!]));
  expect(detail.AvailabilityZones).toEqual(['us-east-1b', 'us-east-1c']);
  expect(detail.AvailabilityZoneIds).toEqual([ids.get('us-east-1b'), ids.get('us-east-1c')]);
  expect(detail.AvailabilityZoneIds!.every((id) => /^use1-az\d$/.test(id))).toBe(true);
});

it('refuses removing an NLB the service does not have, or its last one', async () => {
  const svc = await createEndpointService(account, network, { acceptanceRequired: false });
  const other = await loadBalancer('network', network.subnetIds.slice(0, 1));
  expect(await modify({ ServiceId: svc.serviceId, RemoveNetworkLoadBalancerArns: [other] })).toBe(
    'InvalidParameter',
  );
  expect(await modify({ ServiceId: svc.serviceId, RemoveNetworkLoadBalancerArns: [svc.nlbArn] })).toBe(
    'InvalidParameter',
  );
  expect(await modify({ ServiceId: svc.serviceId, AddNetworkLoadBalancerArns: [svc.nlbArn] })).toBe(
    'resolved',
  );
  const out = await account.ec2.send(
    new DescribeVpcEndpointServiceConfigurationsCommand({ ServiceIds: [svc.serviceId] }),
  );
  expect(out.ServiceConfigurations![0]!.NetworkLoadBalancerArns).toEqual([svc.nlbArn]);
});

it('refuses an endpoint subnet in a zone the service does not offer', async () => {
  const nlb = await loadBalancer('network', [network.subnetIds[0]!]);
  const svc = await account.ec2.send(
    new CreateVpcEndpointServiceConfigurationCommand({
      NetworkLoadBalancerArns: [nlb],
      AcceptanceRequired: false,
    }),
  );
  const consumer = await createNetwork(account.ec2, 2, ['us-east-1a', 'us-east-1b']);
  const create = (subnetIds: string[]) =>
    errorCode(
      account.ec2.send(
        new CreateVpcEndpointCommand({
          VpcId: consumer.vpcId,
          ServiceName: svc.ServiceConfiguration!.ServiceName!,
          VpcEndpointType: 'Interface',
          SubnetIds: subnetIds,
        }),
      ),
    );
  expect(await create(consumer.subnetIds)).toBe('InvalidParameter');
  expect(await create([consumer.subnetIds[0]!])).toBe('resolved');
});
