/**
 * Extension 9: a service's private DNS name awaits domain verification — a TXT record to
 * publish, `pendingVerification` — instead of moto's fixed `verified`.
 */
import { jest } from '@jest/globals';
import {
  CreateVpcEndpointCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointServicesCommand,
  ModifyVpcEndpointServiceConfigurationCommand,
  type ServiceConfiguration,
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

beforeAll(async () => {
  moto = await startTestMoto('private-dns');
  account = clientsFor(moto);
  network = await createNetwork(account.ec2, 1);
});

afterAll(async () => {
  account.destroy();
  await moto.process.stop();
});

async function configuration(serviceId: string): Promise<ServiceConfiguration> {
  const out = await account.ec2.send(
    new DescribeVpcEndpointServiceConfigurationsCommand({ ServiceIds: [serviceId] }),
  );
  return out.ServiceConfigurations![0]!;
}

it('reports pendingVerification with a random TXT record, stable across describes', async () => {
  const a = await createEndpointService(account, network, {
    acceptanceRequired: false,
    privateDnsName: 'a.example.com',
  });
  const b = await createEndpointService(account, network, {
    acceptanceRequired: false,
    privateDnsName: 'b.example.com',
  });
  const config = await configuration(a.serviceId);
  expect(config.PrivateDnsName).toBe('a.example.com');
  const record = config.PrivateDnsNameConfiguration!;
  expect(record.State).toBe('pendingVerification');
  expect(record.Type).toBe('TXT');
  expect(record.Name).toMatch(/^_[a-z0-9]{20}$/);
  expect(record.Value).toMatch(/^vpce:[A-Za-z0-9]{20}$/);
  expect((await configuration(a.serviceId)).PrivateDnsNameConfiguration).toEqual(record);
  const other = (await configuration(b.serviceId)).PrivateDnsNameConfiguration!;
  expect([other.Name, other.Value]).not.toEqual([record.Name, record.Value]);

  const detail = await account.ec2.send(
    new DescribeVpcEndpointServicesCommand({ ServiceNames: [a.serviceName] }),
  );
  expect(detail.ServiceDetails![0]!.PrivateDnsNameVerificationState).toBe('pendingVerification');
});

it('a new name gets a new record; RemovePrivateDnsName drops it', async () => {
  const svc = await createEndpointService(account, network, {
    acceptanceRequired: false,
    privateDnsName: 'x.example.com',
  });
  const before = (await configuration(svc.serviceId)).PrivateDnsNameConfiguration!;
  await account.ec2.send(
    new ModifyVpcEndpointServiceConfigurationCommand({
      ServiceId: svc.serviceId,
      PrivateDnsName: 'y.example.com',
    }),
  );
  const renamed = await configuration(svc.serviceId);
  expect(renamed.PrivateDnsName).toBe('y.example.com');
  expect(renamed.PrivateDnsNameConfiguration!.State).toBe('pendingVerification');
  expect(renamed.PrivateDnsNameConfiguration!.Value).not.toBe(before.Value);

  await account.ec2.send(
    new ModifyVpcEndpointServiceConfigurationCommand({
      ServiceId: svc.serviceId,
      RemovePrivateDnsName: true,
    }),
  );
  const removed = await configuration(svc.serviceId);
  expect(removed.PrivateDnsName).toBeUndefined();
  expect(removed.PrivateDnsNameConfiguration?.Name).toBeUndefined();
});

it('a service without a private DNS name has no verification record', async () => {
  const svc = await createEndpointService(account, network, { acceptanceRequired: false });
  const config = await configuration(svc.serviceId);
  expect(config.PrivateDnsName).toBeUndefined();
  expect(config.PrivateDnsNameConfiguration?.State).toBeUndefined();
});

describe('PrivateDnsEnabled of an endpoint', () => {
  function createEndpoint(serviceName: string, privateDnsEnabled?: boolean) {
    return account.ec2.send(
      new CreateVpcEndpointCommand({
        VpcId: network.vpcId,
        ServiceName: serviceName,
        VpcEndpointType: 'Interface',
        SubnetIds: [network.subnetIds[0]!],
        PrivateDnsEnabled: privateDnsEnabled,
      }),
    );
  }

  it('defaults to false for a service without a private DNS name, and cannot be true', async () => {
    const svc = await createEndpointService(account, network, { acceptanceRequired: false });
    const created = await createEndpoint(svc.serviceName);
    expect(created.VpcEndpoint!.PrivateDnsEnabled).toBe(false);
    expect(await errorCode(createEndpoint(svc.serviceName, true))).toBe('InvalidParameter');
  });

  it('defaults to true for a service with a private DNS name, and can be turned off', async () => {
    const svc = await createEndpointService(account, network, {
      acceptanceRequired: false,
      privateDnsName: 'dns.example.com',
    });
    expect((await createEndpoint(svc.serviceName)).VpcEndpoint!.PrivateDnsEnabled).toBe(true);
    expect((await createEndpoint(svc.serviceName, false)).VpcEndpoint!.PrivateDnsEnabled).toBe(false);
  });
});
