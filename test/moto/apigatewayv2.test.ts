/**
 * Extension 12: API Gateway v2 VPC links start PENDING and become AVAILABLE; CreateVpcLink
 * checks its subnets and groups; a VPC_LINK integration needs an existing link and, on an
 * HTTP API, an existing load balancer listener as its URI (Create and Update alike).
 */
import { jest } from '@jest/globals';
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateIntegrationCommand,
  CreateVpcLinkCommand,
  GetIntegrationCommand,
  GetVpcLinkCommand,
  UpdateIntegrationCommand,
} from '@aws-sdk/client-apigatewayv2';
import { CreateListenerCommand, CreateLoadBalancerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { MotoServer } from '../env/moto/server.ts';
import {
  actAs,
  clientsFor,
  createNetwork,
  errorCode,
  sdkConfig,
  startTestMoto,
  type AccountClients,
  type Network,
} from './helpers.ts';

jest.setTimeout(60_000);

let moto: MotoServer;
let clients: AccountClients;
let apigw: ApiGatewayV2Client;
let network: Network;
let listenerArn: string;
let apiId: string;

beforeAll(async () => {
  moto = await startTestMoto('apigatewayv2');
  clients = clientsFor(moto);
  apigw = actAs(new ApiGatewayV2Client(sdkConfig(moto)), clients.accountId);
  network = await createNetwork(clients.ec2, 40);
  const lb = await clients.elbv2.send(
    new CreateLoadBalancerCommand({
      Name: 'internal-alb',
      Type: 'application',
      Scheme: 'internal',
      Subnets: network.subnetIds,
    }),
  );
  const listener = await clients.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancers![0]!.LoadBalancerArn!,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    }),
  );
  listenerArn = listener.Listeners![0]!.ListenerArn!;
  apiId = (await apigw.send(new CreateApiCommand({ Name: 'front', ProtocolType: 'HTTP' }))).ApiId!;
});

afterAll(async () => {
  apigw.destroy();
  clients.destroy();
  await moto.process.stop();
});

const link = (subnetIds = network.subnetIds, securityGroupIds = [network.securityGroupId]) =>
  apigw.send(
    new CreateVpcLinkCommand({ Name: 'l', SubnetIds: subnetIds, SecurityGroupIds: securityGroupIds }),
  );

describe('VPC links', () => {
  it('are PENDING after the create, AVAILABLE a moment later', async () => {
    const created = await link();
    expect(created.VpcLinkStatus).toBe('PENDING');
    const id = created.VpcLinkId!;
    expect((await apigw.send(new GetVpcLinkCommand({ VpcLinkId: id }))).VpcLinkStatus).toBe('PENDING');
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await apigw.send(new GetVpcLinkCommand({ VpcLinkId: id }))).VpcLinkStatus).toBe('AVAILABLE');
  });

  it.each([
    ['an unknown subnet', ['subnet-0123456789abcdef0'], undefined],
    ['an unknown security group', undefined, ['sg-0123456789abcdef0']],
  ])('refuse %s', async (_, subnets, groups) => {
    expect(await errorCode(link(subnets, groups))).toBe('BadRequestException');
  });
});

describe('private integrations', () => {
  const integration = (connectionId: string, uri: string) =>
    apigw.send(
      new CreateIntegrationCommand({
        ApiId: apiId,
        IntegrationType: 'HTTP_PROXY',
        ConnectionType: 'VPC_LINK',
        ConnectionId: connectionId,
        IntegrationUri: uri,
        IntegrationMethod: 'ANY',
        PayloadFormatVersion: '1.0',
      }),
    );

  it('are made with an existing link and listener', async () => {
    const id = (await link()).VpcLinkId!;
    const out = await integration(id, listenerArn);
    expect(out).toMatchObject({ ConnectionType: 'VPC_LINK', ConnectionId: id, IntegrationUri: listenerArn });
  });

  it.each<[string, () => Promise<[string, string]>]>([
    ['an unknown VPC link', () => Promise.resolve(['nolink', listenerArn])],
    ['a URI that is no listener', async () => [(await link()).VpcLinkId!, 'https://example.com']],
    [
      'a listener that does not exist',
      async () => [(await link()).VpcLinkId!, `${listenerArn.slice(0, -4)}0000`],
    ],
  ])('refuse %s', async (_, args) => {
    const [id, uri] = await args();
    expect(await errorCode(integration(id, uri))).toBe('BadRequestException');
  });

  it('judge an update on the merged result and leave the integration as it was when refused', async () => {
    const id = (await link()).VpcLinkId!;
    const made = await integration(id, listenerArn);
    const update = (change: object) =>
      apigw.send(
        new UpdateIntegrationCommand({ ApiId: apiId, IntegrationId: made.IntegrationId!, ...change }),
      );
    expect(await errorCode(update({ ConnectionId: 'nolink' }))).toBe('BadRequestException');
    const after = await apigw.send(
      new GetIntegrationCommand({ ApiId: apiId, IntegrationId: made.IntegrationId! }),
    );
    expect(after.ConnectionId).toBe(id);
    expect(
      await errorCode(update({ ConnectionType: 'INTERNET', IntegrationUri: 'https://example.com' })),
    ).toBe('resolved');
  });
});
