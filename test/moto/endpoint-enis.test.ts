/**
 * Extension 3: interface endpoint ENIs — addresses from the subnet, the endpoint's security
 * groups, ModifyVpcEndpoint creating/deleting ENIs and changing groups, DeleteVpcEndpoints
 * cleaning up.
 */
import { jest } from '@jest/globals';
import {
  CreateSecurityGroupCommand,
  CreateVpcEndpointCommand,
  DeleteVpcEndpointsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcEndpointsCommand,
  ModifyVpcEndpointCommand,
  type NetworkInterface,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
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
let provider: Network;
let consumer: Network;
let serviceName: string;

beforeAll(async () => {
  moto = await startTestMoto('endpoint-enis');
  account = clientsFor(moto);
  provider = await createNetwork(account.ec2, 1, ['us-east-1a', 'us-east-1b', 'us-east-1c']);
  consumer = await createNetwork(account.ec2, 2, ['us-east-1a', 'us-east-1b', 'us-east-1c']);
  serviceName = (await createEndpointService(account, provider, { acceptanceRequired: false })).serviceName;
});

afterAll(async () => {
  account.destroy();
  await moto.process.stop();
});

async function describeEndpoint(id: string): Promise<VpcEndpoint> {
  const out = await account.ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }));
  return out.VpcEndpoints![0]!;
}

async function enis(ids: string[]): Promise<NetworkInterface[]> {
  if (ids.length === 0) return [];
  const out = await account.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ids }));
  return out.NetworkInterfaces!;
}

/** The usable host range AWS leaves in a /24 subnet 10.2.<third>.0/24: .4 … .254. */
function inSubnetHostRange(ip: string, subnetCidr: string): boolean {
  const [a, b, c] = subnetCidr.split('/')[0]!.split('.');
  const parts = ip.split('.');
  const last = Number(parts[3]);
  return parts[0] === a && parts[1] === b && parts[2] === c && last >= 4 && last <= 254;
}

async function createEndpoint(subnetIds: string[], groupIds?: string[]): Promise<string> {
  const out = await account.ec2.send(
    new CreateVpcEndpointCommand({
      VpcId: consumer.vpcId,
      ServiceName: serviceName,
      VpcEndpointType: 'Interface',
      SubnetIds: subnetIds,
      SecurityGroupIds: groupIds,
    }),
  );
  return out.VpcEndpoint!.VpcEndpointId!;
}

it('gives each subnet one ENI with a unique address from that subnet and the endpoint groups', async () => {
  const ids = await Promise.all(
    Array.from({ length: 5 }, () =>
      createEndpoint(consumer.subnetIds.slice(0, 2), [consumer.securityGroupId]),
    ),
  );
  const seen = new Set<string>();
  for (const id of ids) {
    const endpoint = await describeEndpoint(id);
    expect(endpoint.NetworkInterfaceIds).toHaveLength(2);
    expect(endpoint.Groups!.map((g) => g.GroupId)).toEqual([consumer.securityGroupId]);
    const interfaces = await enis(endpoint.NetworkInterfaceIds!);
    for (const eni of interfaces) {
      const index = consumer.subnetIds.indexOf(eni.SubnetId!);
      expect(index).toBeGreaterThanOrEqual(0);
      expect(inSubnetHostRange(eni.PrivateIpAddress!, `10.2.${index + 1}.0/24`)).toBe(true);
      expect(eni.Groups!.map((g) => g.GroupId)).toEqual([consumer.securityGroupId]);
      expect(eni.InterfaceType).toBe('vpc_endpoint');
      expect(eni.RequesterManaged).toBe(true);
      expect(seen.has(eni.PrivateIpAddress!)).toBe(false);
      seen.add(eni.PrivateIpAddress!);
    }
    expect(new Set(interfaces.map((e) => e.SubnetId))).toEqual(new Set(consumer.subnetIds.slice(0, 2)));
  }
});

it('uses the VPC default group when none is given', async () => {
  const id = await createEndpoint([consumer.subnetIds[0]!]);
  const endpoint = await describeEndpoint(id);
  const defaults = await account.ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [consumer.vpcId] },
        { Name: 'group-name', Values: ['default'] },
      ],
    }),
  );
  const defaultId = defaults.SecurityGroups![0]!.GroupId!;
  expect(endpoint.Groups!.map((g) => g.GroupId)).toEqual([defaultId]);
  const [eni] = await enis(endpoint.NetworkInterfaceIds!);
  expect(eni!.Groups!.map((g) => g.GroupId)).toEqual([defaultId]);
});

it('rejects two subnets in one zone, a subnet of another VPC, and a group of another VPC', async () => {
  const { ec2 } = account;
  const sameZone = await createNetwork(ec2, 3, ['us-east-1a', 'us-east-1a']);
  expect(
    await errorCode(
      ec2.send(
        new CreateVpcEndpointCommand({
          VpcId: sameZone.vpcId,
          ServiceName: serviceName,
          VpcEndpointType: 'Interface',
          SubnetIds: sameZone.subnetIds,
        }),
      ),
    ),
  ).toBe('DuplicateSubnetsInSameZone');
  expect(await errorCode(createEndpoint([provider.subnetIds[0]!]))).toBe('InvalidParameter');
  expect(await errorCode(createEndpoint([consumer.subnetIds[0]!], [provider.securityGroupId]))).toBe(
    'InvalidParameter',
  );
});

it('ModifyVpcEndpoint adds and removes subnets by creating and deleting ENIs', async () => {
  const [a, b, c] = consumer.subnetIds as [string, string, string];
  const id = await createEndpoint([a, b], [consumer.securityGroupId]);
  const before = await describeEndpoint(id);
  const beforeEnis = await enis(before.NetworkInterfaceIds!);
  const eniInA = beforeEnis.find((e) => e.SubnetId === a)!;
  const eniInB = beforeEnis.find((e) => e.SubnetId === b)!;

  await account.ec2.send(
    new ModifyVpcEndpointCommand({ VpcEndpointId: id, AddSubnetIds: [c], RemoveSubnetIds: [b] }),
  );

  const after = await describeEndpoint(id);
  expect(new Set(after.SubnetIds)).toEqual(new Set([a, c]));
  const afterEnis = await enis(after.NetworkInterfaceIds!);
  expect(new Set(afterEnis.map((e) => e.SubnetId))).toEqual(new Set([a, c]));
  // The ENI in the kept subnet keeps its address; the removed one is gone.
  expect(afterEnis.find((e) => e.SubnetId === a)!.PrivateIpAddress).toBe(eniInA.PrivateIpAddress);
  expect(after.NetworkInterfaceIds).not.toContain(eniInB.NetworkInterfaceId);
  expect(await errorCode(enis([eniInB.NetworkInterfaceId!]))).toBe('InvalidNetworkInterfaceID.NotFound');
  const added = afterEnis.find((e) => e.SubnetId === c)!;
  expect(inSubnetHostRange(added.PrivateIpAddress!, '10.2.3.0/24')).toBe(true);
  expect(added.Groups!.map((g) => g.GroupId)).toEqual([consumer.securityGroupId]);
});

it('ModifyVpcEndpoint adds and removes security groups on the endpoint and its ENIs', async () => {
  const id = await createEndpoint(consumer.subnetIds.slice(0, 2), [consumer.securityGroupId]);
  const extra = await account.ec2.send(
    new CreateSecurityGroupCommand({ VpcId: consumer.vpcId, GroupName: 'extra', Description: 'extra' }),
  );
  await account.ec2.send(
    new ModifyVpcEndpointCommand({
      VpcEndpointId: id,
      AddSecurityGroupIds: [extra.GroupId!],
      RemoveSecurityGroupIds: [consumer.securityGroupId],
    }),
  );
  const endpoint = await describeEndpoint(id);
  expect(endpoint.Groups!.map((g) => g.GroupId)).toEqual([extra.GroupId]);
  for (const eni of await enis(endpoint.NetworkInterfaceIds!)) {
    expect(eni.Groups!.map((g) => g.GroupId)).toEqual([extra.GroupId]);
  }
});

it('DeleteVpcEndpoints removes the endpoint and its ENIs; unknown ids are Unsuccessful', async () => {
  const id = await createEndpoint(consumer.subnetIds.slice(0, 2), [consumer.securityGroupId]);
  const { NetworkInterfaceIds } = await describeEndpoint(id);
  const out = await account.ec2.send(
    new DeleteVpcEndpointsCommand({ VpcEndpointIds: [id, 'vpce-0123456789abcdef0'] }),
  );
  expect(out.Unsuccessful!.map((u) => [u.ResourceId, u.Error!.Code])).toEqual([
    ['vpce-0123456789abcdef0', 'InvalidVpcEndpoint.NotFound'],
  ]);
  expect(await errorCode(describeEndpoint(id))).toBe('InvalidVpcEndpointId.NotFound');
  const listed = await account.ec2.send(
    new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [consumer.vpcId] }] }),
  );
  expect(listed.VpcEndpoints!.map((e) => e.VpcEndpointId)).not.toContain(id);
  for (const eniId of NetworkInterfaceIds!) {
    expect(await errorCode(enis([eniId]))).toBe('InvalidNetworkInterfaceID.NotFound');
  }
});
