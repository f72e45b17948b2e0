/**
 * Extension 9: a service's private DNS name awaits domain verification — a TXT record to
 * publish, `pendingVerification` — instead of moto's fixed `verified`; starting the
 * verification finds the record in the account's Route 53 public zones (`verified`) or not
 * (`failed`).
 */
import { jest } from '@jest/globals';
import {
  CreateVpcEndpointCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointServicesCommand,
  ModifyVpcAttributeCommand,
  ModifyVpcEndpointCommand,
  ModifyVpcEndpointServiceConfigurationCommand,
  StartVpcEndpointServicePrivateDnsVerificationCommand,
  type ServiceConfiguration,
} from '@aws-sdk/client-ec2';
import type { MotoServer } from '../env/moto/server.ts';
import { publishTxtRecord } from '../env/route53.ts';
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

describe('StartVpcEndpointServicePrivateDnsVerification', () => {
  const start = (serviceId: string) =>
    account.ec2.send(new StartVpcEndpointServicePrivateDnsVerificationCommand({ ServiceId: serviceId }));

  it('fails without the TXT record, verifies once it is published; a new name starts over', async () => {
    const svc = await createEndpointService(account, network, {
      acceptanceRequired: false,
      privateDnsName: 'v.example.org',
    });
    const record = (await configuration(svc.serviceId)).PrivateDnsNameConfiguration!;
    expect((await start(svc.serviceId)).ReturnValue).toBe(true);
    expect((await configuration(svc.serviceId)).PrivateDnsNameConfiguration!.State).toBe('failed');

    // The wrong value, another account's zone: still failed.
    const fqdn = `${record.Name}.v.example.org`;
    await publishTxtRecord(moto.url, account.accountId, 'v.example.org', fqdn, 'vpce:wrong');
    await publishTxtRecord(moto.url, '999988887777', 'v.example.org', fqdn, record.Value!);
    await start(svc.serviceId);
    expect((await configuration(svc.serviceId)).PrivateDnsNameConfiguration!.State).toBe('failed');

    await publishTxtRecord(moto.url, account.accountId, 'example.org', fqdn, record.Value!);
    await start(svc.serviceId);
    expect((await configuration(svc.serviceId)).PrivateDnsNameConfiguration!.State).toBe('verified');
    const detail = await account.ec2.send(
      new DescribeVpcEndpointServicesCommand({ ServiceNames: [svc.serviceName] }),
    );
    expect(detail.ServiceDetails![0]!.PrivateDnsNameVerificationState).toBe('verified');

    await account.ec2.send(
      new ModifyVpcEndpointServiceConfigurationCommand({
        ServiceId: svc.serviceId,
        PrivateDnsName: 'w.example.org',
      }),
    );
    expect((await configuration(svc.serviceId)).PrivateDnsNameConfiguration!.State).toBe(
      'pendingVerification',
    );
  });

  it('refuses an unknown service and a service without a private DNS name', async () => {
    expect(await errorCode(start('vpce-svc-00000000000000000'))).toBe('InvalidVpcEndpointServiceId.NotFound');
    const plain = await createEndpointService(account, network, { acceptanceRequired: false });
    expect(await errorCode(start(plain.serviceId))).toBe('InvalidParameter');
  });
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

  /** A service whose private DNS name `name` is verified (its TXT record published). */
  async function verifiedService(name: string) {
    const svc = await createEndpointService(account, network, {
      acceptanceRequired: false,
      privateDnsName: name,
    });
    const record = (await configuration(svc.serviceId)).PrivateDnsNameConfiguration!;
    await publishTxtRecord(moto.url, account.accountId, name, `${record.Name}.${name}`, record.Value!);
    await account.ec2.send(
      new StartVpcEndpointServicePrivateDnsVerificationCommand({ ServiceId: svc.serviceId }),
    );
    return svc;
  }

  const setVpcDns = (hostnames: boolean) =>
    account.ec2.send(
      new ModifyVpcAttributeCommand({ VpcId: network.vpcId, EnableDnsHostnames: { Value: hostnames } }),
    );

  const privateDnsOf = async (id: string) =>
    (await account.ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }))).VpcEndpoints![0]!
      .PrivateDnsEnabled;

  it('an explicit true needs a verified name and DNS hostnames on the VPC', async () => {
    const pending = await createEndpointService(account, network, {
      acceptanceRequired: false,
      privateDnsName: 'pending.example.net',
    });
    const verified = await verifiedService('ok.example.net');
    await setVpcDns(true);
    expect(await errorCode(createEndpoint(pending.serviceName, true))).toBe('InvalidParameter');
    await setVpcDns(false);
    expect(await errorCode(createEndpoint(verified.serviceName, true))).toBe('InvalidParameter');
    await setVpcDns(true);
    const created = await createEndpoint(verified.serviceName, true);
    expect(created.VpcEndpoint!.PrivateDnsEnabled).toBe(true);
  });

  it('ModifyVpcEndpoint turns it on and off, refusing what create refuses with nothing changed', async () => {
    const verified = await verifiedService('mod.example.net');
    const pending = await createEndpointService(account, network, {
      acceptanceRequired: false,
      privateDnsName: 'modpending.example.net',
    });
    await setVpcDns(true);
    const id = (await createEndpoint(verified.serviceName, false)).VpcEndpoint!.VpcEndpointId!;
    const modify = (on: boolean, endpointId = id) =>
      account.ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: endpointId, PrivateDnsEnabled: on }));
    await modify(true);
    expect(await privateDnsOf(id)).toBe(true);
    await modify(false);
    expect(await privateDnsOf(id)).toBe(false);

    const other = (await createEndpoint(pending.serviceName, false)).VpcEndpoint!.VpcEndpointId!;
    const refused = account.ec2.send(
      new ModifyVpcEndpointCommand({
        VpcEndpointId: other,
        PrivateDnsEnabled: true,
        AddSubnetIds: [network.subnetIds[1]!],
      }),
    );
    expect(await errorCode(refused)).toBe('InvalidParameter');
    const after = (await account.ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [other] })))
      .VpcEndpoints![0]!;
    expect([after.PrivateDnsEnabled, after.SubnetIds]).toEqual([false, [network.subnetIds[0]]]);
  });
});
