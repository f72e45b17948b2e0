/**
 * Extension 8: DeleteSecurityGroup refuses a group that is still in use
 * (`DependencyViolation`) — attached to an ENI or a load balancer, or referenced by another
 * group's rule — and succeeds once the dependency is gone.
 */
import { jest } from '@jest/globals';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcEndpointCommand,
  DeleteSecurityGroupCommand,
  DeleteVpcEndpointsCommand,
  RevokeSecurityGroupIngressCommand,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import {
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
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
  moto = await startTestMoto('security-groups');
  account = clientsFor(moto);
  network = await createNetwork(account.ec2, 1);
});

afterAll(async () => {
  account.destroy();
  await moto.process.stop();
});

async function newGroup(name: string): Promise<string> {
  const out = await account.ec2.send(
    new CreateSecurityGroupCommand({ VpcId: network.vpcId, GroupName: name, Description: name }),
  );
  return out.GroupId!;
}

function deleteGroup(groupId: string): Promise<string> {
  return errorCode(account.ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId })));
}

it('refuses a group attached to an endpoint ENI until the endpoint is deleted', async () => {
  const svc = await createEndpointService(account, network, { acceptanceRequired: false });
  const groupId = await newGroup('endpoint');
  const ep = await account.ec2.send(
    new CreateVpcEndpointCommand({
      VpcId: network.vpcId,
      ServiceName: svc.serviceName,
      VpcEndpointType: 'Interface',
      SubnetIds: network.subnetIds,
      SecurityGroupIds: [groupId],
    }),
  );
  expect(await deleteGroup(groupId)).toBe('DependencyViolation');
  await account.ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [ep.VpcEndpoint!.VpcEndpointId!] }));
  expect(await deleteGroup(groupId)).toBe('resolved');
});

it('refuses a group referenced by another group until the rule is revoked', async () => {
  const target = await newGroup('target');
  const referrer = await newGroup('referrer');
  const permission: IpPermission = {
    IpProtocol: 'tcp',
    FromPort: 443,
    ToPort: 443,
    UserIdGroupPairs: [{ GroupId: target }],
  };
  await account.ec2.send(
    new AuthorizeSecurityGroupIngressCommand({ GroupId: referrer, IpPermissions: [permission] }),
  );
  expect(await deleteGroup(target)).toBe('DependencyViolation');
  await account.ec2.send(
    new RevokeSecurityGroupIngressCommand({ GroupId: referrer, IpPermissions: [permission] }),
  );
  expect(await deleteGroup(target)).toBe('resolved');
});

it('refuses a group attached to a load balancer until the load balancer is deleted', async () => {
  const groupId = await newGroup('alb');
  const alb = await account.elbv2.send(
    new CreateLoadBalancerCommand({ Name: 'alb', Subnets: network.subnetIds, SecurityGroups: [groupId] }),
  );
  expect(await deleteGroup(groupId)).toBe('DependencyViolation');
  await account.elbv2.send(
    new DeleteLoadBalancerCommand({ LoadBalancerArn: alb.LoadBalancers![0]!.LoadBalancerArn! }),
  );
  expect(await deleteGroup(groupId)).toBe('resolved');
});

it('deletes an unused group', async () => {
  expect(await deleteGroup(await newGroup('unused'))).toBe('resolved');
});
