/**
 * Extension 1–2: endpoint connections (Describe/Accept/Reject) and the initial endpoint state
 * decided by the service's AcceptanceRequired.
 */
import { jest } from '@jest/globals';
import {
  AcceptVpcEndpointConnectionsCommand,
  CreateVpcEndpointCommand,
  DeleteVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointConnectionsCommand,
  DescribeVpcEndpointsCommand,
  RejectVpcEndpointConnectionsCommand,
  type Filter,
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
let provider: AccountClients;
let network: Network;

beforeAll(async () => {
  moto = await startTestMoto('connections');
  provider = clientsFor(moto);
  network = await createNetwork(provider.ec2, 1);
});

afterAll(async () => {
  provider.destroy();
  await moto.process.stop();
});

async function createEndpoint(serviceName: string): Promise<string> {
  const out = await provider.ec2.send(
    new CreateVpcEndpointCommand({
      VpcId: network.vpcId,
      ServiceName: serviceName,
      VpcEndpointType: 'Interface',
      SubnetIds: [network.subnetIds[0]!],
      SecurityGroupIds: [network.securityGroupId],
    }),
  );
  return out.VpcEndpoint!.VpcEndpointId!;
}

async function endpointState(id: string): Promise<string | undefined> {
  const out = await provider.ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }));
  return out.VpcEndpoints![0]!.State;
}

async function connections(filters: Filter[]) {
  const out = await provider.ec2.send(new DescribeVpcEndpointConnectionsCommand({ Filters: filters }));
  return out.VpcEndpointConnections ?? [];
}

describe('initial endpoint state', () => {
  it('is pendingAcceptance when the service requires acceptance, even in the same account', async () => {
    const svc = await createEndpointService(provider, network, { acceptanceRequired: true });
    const id = await createEndpoint(svc.serviceName);
    expect(await endpointState(id)).toBe('pendingAcceptance');
  });

  it('is available when the service accepts automatically', async () => {
    const svc = await createEndpointService(provider, network, { acceptanceRequired: false });
    const id = await createEndpoint(svc.serviceName);
    expect(await endpointState(id)).toBe('available');
  });

  it('is InvalidServiceName for a service that does not exist', async () => {
    expect(await errorCode(createEndpoint('com.amazonaws.vpce.us-east-1.vpce-svc-0000000000000000'))).toBe(
      'InvalidServiceName',
    );
  });
});

describe('DescribeVpcEndpointConnections', () => {
  it('lists the endpoints of one service with owner and state, and filters them', async () => {
    const svc = await createEndpointService(provider, network, { acceptanceRequired: true });
    const other = await createEndpointService(provider, network, { acceptanceRequired: true });
    const a = await createEndpoint(svc.serviceName);
    const b = await createEndpoint(svc.serviceName);
    const c = await createEndpoint(other.serviceName);

    const ofService = await connections([{ Name: 'service-id', Values: [svc.serviceId] }]);
    expect(ofService.map((x) => x.VpcEndpointId).sort()).toEqual([a, b].sort());
    for (const conn of ofService) {
      expect(conn).toMatchObject({
        ServiceId: svc.serviceId,
        VpcEndpointOwner: provider.accountId,
        VpcEndpointState: 'pendingAcceptance',
        NetworkLoadBalancerArns: [svc.nlbArn],
      });
      expect(conn.CreationTimestamp).toBeInstanceOf(Date);
    }

    const byId = await connections([{ Name: 'vpc-endpoint-id', Values: [c] }]);
    expect(byId.map((x) => [x.ServiceId, x.VpcEndpointId])).toEqual([[other.serviceId, c]]);

    const byOwner = await connections([
      { Name: 'vpc-endpoint-owner', Values: ['999999999999'] },
      { Name: 'service-id', Values: [svc.serviceId] },
    ]);
    expect(byOwner).toEqual([]);

    await provider.ec2.send(
      new AcceptVpcEndpointConnectionsCommand({ ServiceId: svc.serviceId, VpcEndpointIds: [a] }),
    );
    const pending = await connections([
      { Name: 'service-id', Values: [svc.serviceId] },
      { Name: 'vpc-endpoint-state', Values: ['pendingAcceptance'] },
    ]);
    expect(pending.map((x) => x.VpcEndpointId)).toEqual([b]);
  });

  it('pages with MaxResults / NextToken', async () => {
    const svc = await createEndpointService(provider, network, { acceptanceRequired: false });
    const ids = await Promise.all(Array.from({ length: 7 }, () => createEndpoint(svc.serviceName)));
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await provider.ec2.send(
        new DescribeVpcEndpointConnectionsCommand({
          Filters: [{ Name: 'service-id', Values: [svc.serviceId] }],
          MaxResults: 5,
          NextToken: token,
        }),
      );
      seen.push(...out.VpcEndpointConnections!.map((x) => x.VpcEndpointId!));
      token = out.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(2);
    expect(seen.sort()).toEqual(ids.sort());
  });
});

describe('Accept / Reject', () => {
  it('accept makes a pending endpoint available; accepting again is Unsuccessful', async () => {
    const svc = await createEndpointService(provider, network, { acceptanceRequired: true });
    const id = await createEndpoint(svc.serviceName);
    const first = await provider.ec2.send(
      new AcceptVpcEndpointConnectionsCommand({ ServiceId: svc.serviceId, VpcEndpointIds: [id] }),
    );
    expect(first.Unsuccessful ?? []).toEqual([]);
    expect(await endpointState(id)).toBe('available');

    const again = await provider.ec2.send(
      new AcceptVpcEndpointConnectionsCommand({ ServiceId: svc.serviceId, VpcEndpointIds: [id] }),
    );
    expect(again.Unsuccessful!.map((u) => [u.ResourceId, u.Error!.Code])).toEqual([[id, 'InvalidState']]);
  });

  it('reject works on pending and on available endpoints, and the endpoint says rejected', async () => {
    const svc = await createEndpointService(provider, network, { acceptanceRequired: true });
    const pending = await createEndpoint(svc.serviceName);
    const accepted = await createEndpoint(svc.serviceName);
    await provider.ec2.send(
      new AcceptVpcEndpointConnectionsCommand({ ServiceId: svc.serviceId, VpcEndpointIds: [accepted] }),
    );
    const out = await provider.ec2.send(
      new RejectVpcEndpointConnectionsCommand({
        ServiceId: svc.serviceId,
        VpcEndpointIds: [pending, accepted],
      }),
    );
    expect(out.Unsuccessful ?? []).toEqual([]);
    expect(await endpointState(pending)).toBe('rejected');
    expect(await endpointState(accepted)).toBe('rejected');
    const conns = await connections([{ Name: 'service-id', Values: [svc.serviceId] }]);
    expect(conns.map((c) => c.VpcEndpointState)).toEqual(['rejected', 'rejected']);

    const acceptRejected = await provider.ec2.send(
      new AcceptVpcEndpointConnectionsCommand({ ServiceId: svc.serviceId, VpcEndpointIds: [pending] }),
    );
    expect(acceptRejected.Unsuccessful!.map((u) => u.Error!.Code)).toEqual(['InvalidState']);
  });

  it('reports unknown endpoints and endpoints of another service as Unsuccessful, doing the rest', async () => {
    const svc = await createEndpointService(provider, network, { acceptanceRequired: true });
    const other = await createEndpointService(provider, network, { acceptanceRequired: true });
    const mine = await createEndpoint(svc.serviceName);
    const theirs = await createEndpoint(other.serviceName);
    const out = await provider.ec2.send(
      new AcceptVpcEndpointConnectionsCommand({
        ServiceId: svc.serviceId,
        VpcEndpointIds: ['vpce-0123456789abcdef0', theirs, mine],
      }),
    );
    expect(out.Unsuccessful!.map((u) => [u.ResourceId, u.Error!.Code])).toEqual([
      ['vpce-0123456789abcdef0', 'InvalidVpcEndpointId.NotFound'],
      [theirs, 'InvalidVpcEndpointId.NotFound'],
    ]);
    expect(await endpointState(mine)).toBe('available');
    expect(await endpointState(theirs)).toBe('pendingAcceptance');
  });

  it('fails for a service id the caller does not own', async () => {
    const code = await errorCode(
      provider.ec2.send(
        new RejectVpcEndpointConnectionsCommand({
          ServiceId: 'vpce-svc-0123456789abcdef0',
          VpcEndpointIds: ['vpce-1'],
        }),
      ),
    );
    expect(code).toBe('InvalidVpcEndpointServiceId.NotFound');
  });
});

describe('DeleteVpcEndpointServiceConfigurations', () => {
  it('refuses a service with pending or available connections, allows it once they are rejected', async () => {
    const svc = await createEndpointService(provider, network, { acceptanceRequired: true });
    const id = await createEndpoint(svc.serviceName);
    const refused = await provider.ec2.send(
      new DeleteVpcEndpointServiceConfigurationsCommand({ ServiceIds: [svc.serviceId] }),
    );
    expect(refused.Unsuccessful!.map((u) => [u.ResourceId, u.Error!.Code])).toEqual([
      [svc.serviceId, 'ExistingVpcEndpointConnections'],
    ]);
    await provider.ec2.send(
      new RejectVpcEndpointConnectionsCommand({ ServiceId: svc.serviceId, VpcEndpointIds: [id] }),
    );
    const done = await provider.ec2.send(
      new DeleteVpcEndpointServiceConfigurationsCommand({ ServiceIds: [svc.serviceId] }),
    );
    expect(done.Unsuccessful ?? []).toEqual([]);
  });
});
