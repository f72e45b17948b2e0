/**
 * Extension 6: CreateVpcEndpoint and CreateVpcEndpointServiceConfiguration are idempotent per
 * ClientToken, as AWS documents — the controller relies on it to survive a crash between
 * creating a resource and recording its id.
 */
import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import {
  CreateVpcEndpointCommand,
  CreateVpcEndpointServiceConfigurationCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeRouteTablesCommand,
  DescribeVpcEndpointsCommand,
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
let network: Network;
let serviceName: string;
let nlbArn: string;

beforeAll(async () => {
  moto = await startTestMoto('client-token');
  account = clientsFor(moto);
  network = await createNetwork(account.ec2, 1);
  ({ serviceName, nlbArn } = await createEndpointService(account, network, { acceptanceRequired: true }));
});

afterAll(async () => {
  account.destroy();
  await moto.process.stop();
});

function create(token: string, subnetIds: string[]) {
  return account.ec2.send(
    new CreateVpcEndpointCommand({
      VpcId: network.vpcId,
      ServiceName: serviceName,
      VpcEndpointType: 'Interface',
      SubnetIds: subnetIds,
      SecurityGroupIds: [network.securityGroupId],
      ClientToken: token,
    }),
  );
}

async function endpointCount(): Promise<number> {
  const out = await account.ec2.send(
    new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [network.vpcId] }] }),
  );
  return out.VpcEndpoints!.length;
}

describe('CreateVpcEndpoint', () => {
  it('returns the same endpoint for a repeated token with the same parameters', async () => {
    const before = await endpointCount();
    const token = randomUUID();
    const first = await create(token, network.subnetIds);
    const second = await create(token, [...network.subnetIds].reverse());
    expect(first.ClientToken).toBe(token);
    expect(second.ClientToken).toBe(token);
    expect(second.VpcEndpoint!.VpcEndpointId).toBe(first.VpcEndpoint!.VpcEndpointId);
    expect(second.VpcEndpoint!.NetworkInterfaceIds).toEqual(first.VpcEndpoint!.NetworkInterfaceIds);
    expect(await endpointCount()).toBe(before + 1);
  });

  it('is idempotent for gateway endpoints too', async () => {
    const tables = await account.ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [network.vpcId] }] }),
    );
    const routeTableId = tables.RouteTables![0]!.RouteTableId!;
    const token = randomUUID();
    const create = () =>
      account.ec2.send(
        new CreateVpcEndpointCommand({
          VpcId: network.vpcId,
          ServiceName: 'com.amazonaws.us-east-1.s3',
          VpcEndpointType: 'Gateway',
          RouteTableIds: [routeTableId],
          ClientToken: token,
        }),
      );
    const first = await create();
    const second = await create();
    expect(second.VpcEndpoint!.VpcEndpointId).toBe(first.VpcEndpoint!.VpcEndpointId);
  });

  it('creates a second endpoint for a different token', async () => {
    const first = await create(randomUUID(), network.subnetIds);
    const second = await create(randomUUID(), network.subnetIds);
    expect(second.VpcEndpoint!.VpcEndpointId).not.toBe(first.VpcEndpoint!.VpcEndpointId);
  });

  it('fails with IdempotentParameterMismatch for a repeated token with other parameters', async () => {
    const token = randomUUID();
    await create(token, network.subnetIds);
    const before = await endpointCount();
    expect(await errorCode(create(token, [network.subnetIds[0]!]))).toBe('IdempotentParameterMismatch');
    expect(await endpointCount()).toBe(before);
  });
});

describe('CreateVpcEndpointServiceConfiguration', () => {
  function createService(token: string, acceptanceRequired: boolean, tag = 'a') {
    return account.ec2.send(
      new CreateVpcEndpointServiceConfigurationCommand({
        NetworkLoadBalancerArns: [nlbArn],
        AcceptanceRequired: acceptanceRequired,
        ClientToken: token,
        TagSpecifications: [{ ResourceType: 'vpc-endpoint-service', Tags: [{ Key: 'k', Value: tag }] }],
      }),
    );
  }

  async function serviceCount(): Promise<number> {
    const out = await account.ec2.send(new DescribeVpcEndpointServiceConfigurationsCommand({}));
    return out.ServiceConfigurations!.length;
  }

  it('returns the same service for a repeated token with the same parameters', async () => {
    const token = randomUUID();
    const before = await serviceCount();
    const first = await createService(token, true);
    const second = await createService(token, true);
    expect(second.ServiceConfiguration!.ServiceId).toBe(first.ServiceConfiguration!.ServiceId);
    expect(second.ClientToken).toBe(token);
    expect(await serviceCount()).toBe(before + 1);
  });

  it('fails with IdempotentParameterMismatch when a parameter or tag differs', async () => {
    const token = randomUUID();
    await createService(token, true);
    const before = await serviceCount();
    expect(await errorCode(createService(token, false))).toBe('IdempotentParameterMismatch');
    expect(await errorCode(createService(token, true, 'b'))).toBe('IdempotentParameterMismatch');
    expect(await serviceCount()).toBe(before);
  });

  it('creates a new service for a new token', async () => {
    const first = await createService(randomUUID(), true);
    const second = await createService(randomUUID(), true);
    expect(second.ServiceConfiguration!.ServiceId).not.toBe(first.ServiceConfiguration!.ServiceId);
  });
});
