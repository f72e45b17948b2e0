/**
 * Extension 4: a service is visible to, and connectable from, exactly the accounts its
 * allowed principals cover; the provider sees the consumer's connection. Accounts are picked
 * by the `x-moto-account-id` header or by STS AssumeRole credentials.
 */
import { jest } from '@jest/globals';
import {
  AcceptVpcEndpointConnectionsCommand,
  CreateVpcEndpointCommand,
  DescribeVpcEndpointConnectionsCommand,
  DescribeVpcEndpointServicePermissionsCommand,
  DescribeVpcEndpointServicesCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  ModifyVpcEndpointServicePermissionsCommand,
} from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { MotoServer } from '../env/moto/server.ts';
import {
  clientsFor,
  createEndpointService,
  createNetwork,
  errorCode,
  randomAccountId,
  sdkConfig,
  startTestMoto,
  type AccountClients,
  type Network,
} from './helpers.ts';

// Hooks start and stop a server; a loaded 2-core machine needs more than jest's 5 s.
jest.setTimeout(60_000);

let moto: MotoServer;
let provider: AccountClients;
let consumer: AccountClients;
let stranger: AccountClients;
let providerNet: Network;
let consumerNet: Network;
let strangerNet: Network;

beforeAll(async () => {
  moto = await startTestMoto('cross-account');
  provider = clientsFor(moto);
  consumer = clientsFor(moto);
  stranger = clientsFor(moto);
  providerNet = await createNetwork(provider.ec2, 1);
  consumerNet = await createNetwork(consumer.ec2, 2);
  strangerNet = await createNetwork(stranger.ec2, 3);
});

afterAll(async () => {
  for (const c of [provider, consumer, stranger]) c.destroy();
  await moto.process.stop();
});

function createEndpoint(clients: AccountClients, net: Network, serviceName: string) {
  return clients.ec2.send(
    new CreateVpcEndpointCommand({
      VpcId: net.vpcId,
      ServiceName: serviceName,
      VpcEndpointType: 'Interface',
      SubnetIds: net.subnetIds,
      SecurityGroupIds: [net.securityGroupId],
    }),
  );
}

async function visibleTo(clients: AccountClients, serviceName: string): Promise<string> {
  return errorCode(clients.ec2.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: [serviceName] })));
}

it('the header selects the account', async () => {
  const who = await consumer.sts.send(new GetCallerIdentityCommand({}));
  expect(who.Account).toBe(consumer.accountId);
});

it('a service is invisible to other accounts until a principal of theirs is allowed', async () => {
  const svc = await createEndpointService(provider, providerNet, { acceptanceRequired: true });
  expect(await visibleTo(consumer, svc.serviceName)).toBe('InvalidServiceName');
  expect(await errorCode(createEndpoint(consumer, consumerNet, svc.serviceName))).toBe('InvalidServiceName');

  await provider.ec2.send(
    new ModifyVpcEndpointServicePermissionsCommand({
      ServiceId: svc.serviceId,
      AddAllowedPrincipals: [`arn:aws:iam::${consumer.accountId}:root`],
    }),
  );
  expect(await visibleTo(consumer, svc.serviceName)).toBe('resolved');
  const found = await consumer.ec2.send(
    new DescribeVpcEndpointServicesCommand({ ServiceNames: [svc.serviceName] }),
  );
  expect(found.ServiceDetails!.map((d) => [d.ServiceName, d.Owner, d.AcceptanceRequired])).toEqual([
    [svc.serviceName, provider.accountId, true],
  ]);
  // Unrelated accounts still see nothing.
  expect(await visibleTo(stranger, svc.serviceName)).toBe('InvalidServiceName');
  expect(await errorCode(createEndpoint(stranger, strangerNet, svc.serviceName))).toBe('InvalidServiceName');

  const created = await createEndpoint(consumer, consumerNet, svc.serviceName);
  const endpointId = created.VpcEndpoint!.VpcEndpointId!;
  expect(created.VpcEndpoint!.State).toBe('pendingAcceptance');
  expect(created.VpcEndpoint!.OwnerId).toBe(consumer.accountId);

  const conns = await provider.ec2.send(
    new DescribeVpcEndpointConnectionsCommand({ Filters: [{ Name: 'service-id', Values: [svc.serviceId] }] }),
  );
  expect(
    conns.VpcEndpointConnections!.map((c) => [c.VpcEndpointId, c.VpcEndpointOwner, c.VpcEndpointState]),
  ).toEqual([[endpointId, consumer.accountId, 'pendingAcceptance']]);
  const byOwner = await provider.ec2.send(
    new DescribeVpcEndpointConnectionsCommand({
      Filters: [{ Name: 'vpc-endpoint-owner', Values: [consumer.accountId] }],
    }),
  );
  expect(byOwner.VpcEndpointConnections!.map((c) => c.VpcEndpointId)).toEqual([endpointId]);
  // The consumer owns no service, so sees no connections of its own.
  const consumerSide = await consumer.ec2.send(new DescribeVpcEndpointConnectionsCommand({}));
  expect(consumerSide.VpcEndpointConnections ?? []).toEqual([]);

  await provider.ec2.send(
    new AcceptVpcEndpointConnectionsCommand({ ServiceId: svc.serviceId, VpcEndpointIds: [endpointId] }),
  );
  const seenByConsumer = await consumer.ec2.send(
    new DescribeVpcEndpointsCommand({ VpcEndpointIds: [endpointId] }),
  );
  expect(seenByConsumer.VpcEndpoints![0]!.State).toBe('available');
  // The endpoint lives in the consumer's account only.
  expect(
    await errorCode(provider.ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [endpointId] }))),
  ).toBe('InvalidVpcEndpointId.NotFound');
});

it('a role ARN of the account, or *, also grants access; removing the principal revokes it', async () => {
  const svc = await createEndpointService(provider, providerNet, { acceptanceRequired: false });
  const permit = (add: string[], remove: string[] = []) =>
    provider.ec2.send(
      new ModifyVpcEndpointServicePermissionsCommand({
        ServiceId: svc.serviceId,
        AddAllowedPrincipals: add.length ? add : undefined,
        RemoveAllowedPrincipals: remove.length ? remove : undefined,
      }),
    );
  const role = `arn:aws:iam::${consumer.accountId}:role/consumer`;
  await permit([role]);
  expect(await visibleTo(consumer, svc.serviceName)).toBe('resolved');
  expect(await visibleTo(stranger, svc.serviceName)).toBe('InvalidServiceName');
  await permit([], [role]);
  expect(await visibleTo(consumer, svc.serviceName)).toBe('InvalidServiceName');
  await permit(['*']);
  expect(await visibleTo(stranger, svc.serviceName)).toBe('resolved');
  const created = await createEndpoint(stranger, strangerNet, svc.serviceName);
  expect(created.VpcEndpoint!.State).toBe('available');
});

it('DescribeVpcEndpointServicePermissions types each principal and filters', async () => {
  const svc = await createEndpointService(provider, providerNet, { acceptanceRequired: true });
  const principals = {
    Account: `arn:aws:iam::${consumer.accountId}:root`,
    Role: `arn:aws:iam::${stranger.accountId}:role/r`,
    All: '*',
  };
  await provider.ec2.send(
    new ModifyVpcEndpointServicePermissionsCommand({
      ServiceId: svc.serviceId,
      AddAllowedPrincipals: Object.values(principals),
    }),
  );
  const all = await provider.ec2.send(
    new DescribeVpcEndpointServicePermissionsCommand({ ServiceId: svc.serviceId }),
  );
  const byType = Object.fromEntries(all.AllowedPrincipals!.map((p) => [p.PrincipalType, p.Principal]));
  expect(byType).toEqual(principals);
  const ids = all.AllowedPrincipals!.map((p) => p.ServicePermissionId);
  expect(new Set(ids).size).toBe(3);
  for (const id of ids) expect(id).toMatch(/^vpce-svc-perm-[a-z0-9]+$/);

  const again = await provider.ec2.send(
    new DescribeVpcEndpointServicePermissionsCommand({ ServiceId: svc.serviceId }),
  );
  expect(again.AllowedPrincipals).toEqual(all.AllowedPrincipals);
  const roles = await provider.ec2.send(
    new DescribeVpcEndpointServicePermissionsCommand({
      ServiceId: svc.serviceId,
      Filters: [{ Name: 'principal-type', Values: ['Role'] }],
    }),
  );
  expect(roles.AllowedPrincipals!.map((p) => p.Principal)).toEqual([principals.Role]);
});

it('STS AssumeRole credentials select the role account (no header)', async () => {
  const svc = await createEndpointService(provider, providerNet, { acceptanceRequired: true });
  const target = randomAccountId();
  await provider.ec2.send(
    new ModifyVpcEndpointServicePermissionsCommand({
      ServiceId: svc.serviceId,
      AddAllowedPrincipals: [`arn:aws:iam::${target}:root`],
    }),
  );
  const sts = new STSClient(sdkConfig(moto));
  const assumed = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${target}:role/consumer`, RoleSessionName: 'test' }),
  );
  sts.destroy();
  const c = assumed.Credentials!;
  const credentials = {
    accessKeyId: c.AccessKeyId!,
    secretAccessKey: c.SecretAccessKey!,
    sessionToken: c.SessionToken,
  };
  const ec2 = new EC2Client({ ...sdkConfig(moto), credentials });
  const asTarget = new STSClient({ ...sdkConfig(moto), credentials });
  try {
    expect((await asTarget.send(new GetCallerIdentityCommand({}))).Account).toBe(target);
    const net = await createNetwork(ec2, 4);
    const created = await ec2.send(
      new CreateVpcEndpointCommand({
        VpcId: net.vpcId,
        ServiceName: svc.serviceName,
        VpcEndpointType: 'Interface',
        SubnetIds: net.subnetIds,
        SecurityGroupIds: [net.securityGroupId],
      }),
    );
    expect(created.VpcEndpoint!.OwnerId).toBe(target);
    const conns = await provider.ec2.send(
      new DescribeVpcEndpointConnectionsCommand({
        Filters: [{ Name: 'service-id', Values: [svc.serviceId] }],
      }),
    );
    expect(conns.VpcEndpointConnections!.map((x) => x.VpcEndpointOwner)).toEqual([target]);
  } finally {
    ec2.destroy();
    asTarget.destroy();
  }
});
