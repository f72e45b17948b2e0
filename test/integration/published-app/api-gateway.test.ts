/**
 * The API Gateway front door (issue 15, seed 004): a SharedListener naming an HTTP API in front
 * of an internal ALB's HTTPS listener. The controller makes the VPC link (its own SG: egress
 * only to the ALB on 443) and admits the link's SG on the ALB's SG (one marked rule); each app
 * gets an HTTP_PROXY integration over the link to the listener and its routes. Paths that are
 * no routes, and keys another route holds, are refused before any change; drift of routes,
 * integration and the ALB rule is put back; foreign routes are never touched; deletion removes
 * the app's routes and integration, and with the last app the link, its SG and the rule.
 */
import { jest } from '@jest/globals';
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateAuthorizerCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  DeleteRouteCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetVpcLinksCommand,
  UpdateIntegrationCommand,
  UpdateRouteCommand,
  type Route,
} from '@aws-sdk/client-apigatewayv2';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  RevokeSecurityGroupIngressCommand,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { CreateListenerCommand, CreateLoadBalancerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SHARED_LISTENER, TAG_KEYS } from '../../../src/api/kinds.ts';
import type { PublishedAppSpec, SharedListener } from '../../../src/api/v1alpha1.ts';
import { newTestContext, type TestContext } from '../../env/context.ts';
import { getCustomObject } from '../../env/poll.ts';
import { shareListener } from '../grants.ts';
import {
  applyApp,
  awsClients,
  condition,
  deleteApp,
  endpointsOf,
  eventually,
  getApp,
  securityGroupRules,
  securityGroupsOf,
  startController,
  waitForApp,
  waitForEvent,
  waitForReady,
  type Aws,
  type RunningController,
} from './harness.ts';
import { appSpec } from './specs.ts';
import { createWorld, type World } from './world.ts';

jest.setTimeout(180_000);

const SERVER_NAME = 'api.internal.example.com';

let ctx: TestContext;
let aws: Aws;
let acm: ACMClient;
let apigw: ApiGatewayV2Client;
let world: World;
let controller: RunningController;
let listenerArn: string;
let albSg: string;
let apiId: string;
let authorizerId: string;
let foreignRoute: Route;

async function routes(): Promise<Route[]> {
  return (await apigw.send(new GetRoutesCommand({ ApiId: apiId }))).Items ?? [];
}

async function integrations() {
  return (await apigw.send(new GetIntegrationsCommand({ ApiId: apiId }))).Items ?? [];
}

async function ourLinks(uid: string) {
  const links = (await apigw.send(new GetVpcLinksCommand({}))).Items ?? [];
  return links.filter((l) => l.Tags?.[TAG_KEYS.uid] === uid);
}

/** One permission's peer groups, for comparing rules. */
const peers = (perms: IpPermission[]) =>
  perms.flatMap((p) =>
    (p.UserIdGroupPairs ?? []).map((g) => `${p.IpProtocol}:${p.FromPort}-${p.ToPort}<-${g.GroupId}`),
  );

/** An app behind the API front door. */
function apiApp(provider: string, path: string, extra: Partial<PublishedAppSpec> = {}): PublishedAppSpec {
  return appSpec(world, provider, path, { listenerRef: { name: 'api' }, ...extra });
}

beforeAll(async () => {
  ctx = await newTestContext('papp-api-gateway');
  aws = awsClients(ctx);
  acm = new ACMClient(ctx.awsClientConfig);
  apigw = new ApiGatewayV2Client(ctx.awsClientConfig);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true, providers: ['blue', 'green'] });
  // The seed's internal ALB: private subnets, an SG admitting nobody, an HTTPS listener.
  albSg = (
    await aws.ec2.send(
      new CreateSecurityGroupCommand({
        VpcId: world.dmz.vpcId,
        GroupName: 'int-alb',
        Description: 'internal ALB',
      }),
    )
  ).GroupId!;
  const alb = await aws.elbv2.send(
    new CreateLoadBalancerCommand({
      Name: 'w-int-alb',
      Type: 'application',
      Scheme: 'internal',
      Subnets: world.dmz.subnetIds.slice(0, 2),
      SecurityGroups: [albSg],
    }),
  );
  const certificate = await acm.send(
    new RequestCertificateCommand({
      DomainName: SERVER_NAME,
      CertificateAuthorityArn: `arn:aws:acm-pca:us-east-1:${ctx.accountId}:certificate-authority/test`,
    }),
  );
  const listener = await aws.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: alb.LoadBalancers![0]!.LoadBalancerArn!,
      Protocol: 'HTTPS',
      Port: 443,
      Certificates: [{ CertificateArn: certificate.CertificateArn! }],
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    }),
  );
  listenerArn = listener.Listeners![0]!.ListenerArn!;
  apiId = (await apigw.send(new CreateApiCommand({ Name: 'front-door', ProtocolType: 'HTTP' }))).ApiId!;
  authorizerId = (
    await apigw.send(
      new CreateAuthorizerCommand({
        ApiId: apiId,
        Name: 'jwt',
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: { Audience: ['it'], Issuer: 'https://issuer.example.com' },
      }),
    )
  ).AuthorizerId!;
  // Someone else's route on the same API: never the controller's to change.
  const foreign = await apigw.send(
    new CreateIntegrationCommand({
      ApiId: apiId,
      IntegrationType: 'HTTP_PROXY',
      IntegrationUri: 'https://example.com',
      IntegrationMethod: 'ANY',
      PayloadFormatVersion: '1.0',
    }),
  );
  const made = await apigw.send(
    new CreateRouteCommand({
      ApiId: apiId,
      RouteKey: 'ANY /foreign',
      Target: `integrations/${foreign.IntegrationId}`,
    }),
  );
  foreignRoute = (await routes()).find((r) => r.RouteId === made.RouteId)!;
  await shareListener(ctx, listenerArn, {
    name: 'api',
    spec: {
      frontDoor: {
        apiGateway: {
          apiId,
          serverNameToVerify: SERVER_NAME,
          vpcLink: { subnetIds: world.dmz.subnetIds.slice(0, 2) },
        },
      },
    },
  });
  controller = await startController(ctx);
});

afterAll(async () => {
  await controller.stop();
  apigw.destroy();
  acm.destroy();
  aws.destroy();
  await ctx.cleanup();
});

async function sharedListenerUid(): Promise<string> {
  const obj = await getCustomObject<SharedListener>(ctx, SHARED_LISTENER, 'api');
  return obj!.metadata!.uid!;
}

/** The app is refused on ApiRouteConfigured with `reason`, and nothing is made for it. */
async function expectRefusedWhole(name: string, reason: string): Promise<void> {
  const app = await waitForApp(ctx, name, reason, (o) => condition(o, 'ApiRouteConfigured')?.[1] === reason);
  expect(condition(app, 'Ready')).toEqual(['False', reason]);
  const uid = app.metadata!.uid!;
  expect(await endpointsOf(aws.ec2, uid)).toEqual([]);
  expect(await securityGroupsOf(aws.ec2, uid)).toEqual([]);
  expect(app.status?.targetGroupArn).toBeUndefined();
}

it('refuses paths that are no routes, keys another route holds and a missing VPC link, making nothing', async () => {
  const before = await routes();
  await applyApp(ctx, 'glued', apiApp('blue', '/glued', { routing: { pathPatterns: ['/glued*'] } }));
  await expectRefusedWhole('glued', 'PathNotExpressibleAsRoute');
  await applyApp(ctx, 'taken', apiApp('green', '/foreign'));
  await expectRefusedWhole('taken', 'ApiRouteConflict');
  // A SharedListener naming a VPC link that does not exist: its apps get nothing.
  await shareListener(ctx, listenerArn, {
    name: 'no-link',
    spec: { frontDoor: { apiGateway: { apiId, vpcLink: { vpcLinkId: 'nolink' } } } },
  });
  await applyApp(ctx, 'linkless', apiApp('blue', '/linkless', { listenerRef: { name: 'no-link' } }));
  await expectRefusedWhole('linkless', 'VpcLinkNotFound');
  expect(await routes()).toEqual(before);
  expect(await ourLinks(await sharedListenerUid())).toEqual([]);
  for (const name of ['glued', 'taken', 'linkless']) await deleteApp(ctx, name);
});

it('publishes an app through the API: link, ALB SG rule, integration to the listener, routes', async () => {
  await applyApp(ctx, 'blue', apiApp('blue', '/blue'));
  const blue = await waitForReady(ctx, 'blue', 60_000);
  expect(condition(blue, 'ApiRouteConfigured')).toEqual(['True', 'Configured']);

  const owner = await sharedListenerUid();
  const [link] = await ourLinks(owner);
  expect(link).toMatchObject({ VpcLinkStatus: 'AVAILABLE', SubnetIds: world.dmz.subnetIds.slice(0, 2) });
  const [linkSg] = link!.SecurityGroupIds!;
  // The link's SG reaches the ALB on the listener port and nothing else; the ALB admits only it.
  const linkRules = await securityGroupRules(aws.ec2, linkSg!);
  expect(linkRules?.ingress).toEqual([]);
  expect(peers(linkRules!.egress)).toEqual([`tcp:443-443<-${albSg}`]);
  expect(peers((await securityGroupRules(aws.ec2, albSg))!.ingress)).toEqual([`tcp:443-443<-${linkSg}`]);

  const integration = (await integrations()).find((i) => i.IntegrationId === blue.status?.apiIntegrationId);
  expect(integration).toMatchObject({
    IntegrationType: 'HTTP_PROXY',
    ConnectionType: 'VPC_LINK',
    ConnectionId: link!.VpcLinkId,
    IntegrationUri: listenerArn,
    IntegrationMethod: 'ANY',
    PayloadFormatVersion: '1.0',
    TlsConfig: { ServerNameToVerify: SERVER_NAME },
  });
  const ours = (await routes()).filter((r) => r.Target === `integrations/${integration!.IntegrationId}`);
  expect(ours.map((r) => r.RouteKey).sort()).toEqual(['ANY /blue', 'ANY /blue/{proxy+}']);
  expect(blue.status?.apiRouteIds).toEqual(ours.map((r) => r.RouteId).sort());
  expect(blue.status?.invokeUrl).toBe(`https://${apiId}.execute-api.us-east-1.amazonaws.com/blue`);
  expect(blue.status?.apiId).toBe(apiId);
  expect((await routes()).find((r) => r.RouteId === foreignRoute.RouteId)).toEqual(foreignRoute);
});

it('puts back a deleted route, a changed integration and a revoked ALB SG rule', async () => {
  const blue = (await getApp(ctx, 'blue'))!;
  const integrationId = blue.status!.apiIntegrationId!;
  const [routeId] = blue.status!.apiRouteIds!;
  await apigw.send(new DeleteRouteCommand({ ApiId: apiId, RouteId: routeId! }));
  await waitForEvent(ctx, 'blue', 'Drifted', 'missing');
  await eventually(
    'route back',
    async () => (await routes()).filter((r) => r.Target === `integrations/${integrationId}`).length === 2,
  );
  await waitForReady(ctx, 'blue');

  await apigw.send(
    new UpdateIntegrationCommand({
      ApiId: apiId,
      IntegrationId: integrationId,
      TlsConfig: { ServerNameToVerify: 'evil.example.com' },
    }),
  );
  await waitForEvent(ctx, 'blue', 'Drifted', 'serverNameToVerify');
  await eventually(
    'integration back',
    async () =>
      (await integrations()).find((i) => i.IntegrationId === integrationId)?.TlsConfig?.ServerNameToVerify ===
      SERVER_NAME,
  );

  const alb = await securityGroupRules(aws.ec2, albSg);
  await aws.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: albSg, IpPermissions: alb!.ingress }));
  await waitForEvent(ctx, 'blue', 'Drifted', `ALB security group ${albSg}`);
  await eventually(
    'ALB rule back',
    async () => peers((await securityGroupRules(aws.ec2, albSg))!.ingress).length === 1,
  );
  await waitForReady(ctx, 'blue');
  expect((await routes()).find((r) => r.RouteId === foreignRoute.RouteId)).toEqual(foreignRoute);
});

it('never touches an unmarked ALB SG rule', async () => {
  await aws.ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: albSg,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 8443, ToPort: 8443, IpRanges: [{ CidrIp: '10.100.0.0/16' }] },
      ],
    }),
  );
  await waitForReady(ctx, 'blue');
  // A full walk later the DMZ team's rule is still there.
  await new Promise((r) => setTimeout(r, 4_000));
  const ranges = (await securityGroupRules(aws.ec2, albSg))!.ingress.flatMap((p) => p.IpRanges ?? []);
  expect(ranges.map((r) => r.CidrIp)).toEqual(['10.100.0.0/16']);
});

it('takes the routes off the API when the app loses its claim, and puts them back with it', async () => {
  const frontDoor = {
    apiGateway: {
      apiId,
      serverNameToVerify: SERVER_NAME,
      vpcLink: { subnetIds: world.dmz.subnetIds.slice(0, 2) },
    },
  };
  await shareListener(ctx, listenerArn, {
    name: 'api',
    spec: {
      frontDoor,
      allowedRoutes: { claims: [{ namespaces: [ctx.namespace], pathPrefixes: ['/other'] }] },
    },
  });
  const refused = await waitForApp(
    ctx,
    'blue',
    'claim withdrawn',
    (o) => condition(o, 'RouteConfigured')?.[1] === 'ClaimNotPermitted',
  );
  expect(refused.status?.apiRouteIds).toBeUndefined();
  expect(await routes()).toEqual([foreignRoute]);
  expect(await ourLinks(await sharedListenerUid())).toHaveLength(1);

  await shareListener(ctx, listenerArn, { name: 'api', spec: { frontDoor } });
  const back = await waitForReady(ctx, 'blue', 60_000);
  expect(back.status?.apiRouteIds).toHaveLength(2);
});

it('takes everything off the API when the SharedListener drops its front door, and builds it again', async () => {
  const owner = await sharedListenerUid();
  const [link] = await ourLinks(owner);
  await shareListener(ctx, listenerArn, { name: 'api' });
  const plain = await waitForApp(
    ctx,
    'blue',
    'front door gone',
    (o) => o.status?.apiId === undefined && condition(o, 'Ready')?.[0] === 'True',
  );
  expect(condition(plain, 'ApiRouteConfigured')).toBeUndefined();
  expect(plain.status?.apiRouteIds).toBeUndefined();
  expect(await routes()).toEqual([foreignRoute]);
  await eventually('link released', async () => (await ourLinks(owner)).length === 0);
  expect(await securityGroupRules(aws.ec2, link!.SecurityGroupIds![0]!)).toBeUndefined();
  expect(peers((await securityGroupRules(aws.ec2, albSg))!.ingress)).toEqual([]);

  await shareListener(ctx, listenerArn, {
    name: 'api',
    spec: {
      frontDoor: {
        apiGateway: {
          apiId,
          serverNameToVerify: SERVER_NAME,
          vpcLink: { subnetIds: world.dmz.subnetIds.slice(0, 2) },
        },
      },
    },
  });
  const back = await waitForApp(
    ctx,
    'blue',
    'behind the API again',
    (o) => condition(o, 'ApiRouteConfigured')?.[0] === 'True' && condition(o, 'Ready')?.[0] === 'True',
    60_000,
  );
  expect(back.status?.apiId).toBe(apiId);
  expect(await ourLinks(owner)).toHaveLength(1);
});

it("authorizes an app with the API's JWT authorizer; deletes what an app owns, and the front door with the last app; foreign routes stay", async () => {
  // green's routes are authorized by the API's JWT authorizer; taken off, it is put back.
  await applyApp(
    ctx,
    'green',
    apiApp('green', '/green', {
      routing: {
        pathPatterns: ['/green', '/green/*'],
        api: { authorizationType: 'JWT', authorizerId, authorizationScopes: ['green.read'] },
      },
    }),
  );
  const green = await waitForReady(ctx, 'green', 60_000);
  const greenRoutes = (await routes()).filter(
    (r) => r.Target === `integrations/${green.status?.apiIntegrationId}`,
  );
  expect(
    greenRoutes.map((r) => [r.RouteKey, r.AuthorizationType, r.AuthorizerId, r.AuthorizationScopes]),
  ).toEqual(
    expect.arrayContaining([
      ['ANY /green', 'JWT', authorizerId, ['green.read']],
      ['ANY /green/{proxy+}', 'JWT', authorizerId, ['green.read']],
    ]),
  );
  await apigw.send(
    new UpdateRouteCommand({ ApiId: apiId, RouteId: greenRoutes[0]!.RouteId!, AuthorizationType: 'NONE' }),
  );
  await waitForEvent(ctx, 'green', 'Drifted', 'authorization is NONE, not JWT');
  await eventually(
    'authorization back',
    async () =>
      (await routes()).find((r) => r.RouteId === greenRoutes[0]!.RouteId)?.AuthorizationType === 'JWT',
  );
  await waitForReady(ctx, 'green');
  const blue = (await getApp(ctx, 'blue'))!;
  const owner = await sharedListenerUid();
  const [link] = await ourLinks(owner);
  expect(green.status?.apiIntegrationId).not.toBe(blue.status?.apiIntegrationId);

  await deleteApp(ctx, 'green');
  await eventually('green gone', async () => (await getApp(ctx, 'green')) === undefined);
  const keys = (await routes()).map((r) => r.RouteKey).sort();
  expect(keys).toEqual(['ANY /blue', 'ANY /blue/{proxy+}', 'ANY /foreign']);
  expect((await integrations()).map((i) => i.IntegrationId)).not.toContain(green.status?.apiIntegrationId);
  expect(await ourLinks(owner)).toHaveLength(1);

  await deleteApp(ctx, 'blue');
  await eventually('blue gone', async () => (await getApp(ctx, 'blue')) === undefined);
  expect(await routes()).toEqual([foreignRoute]);
  expect(await ourLinks(owner)).toEqual([]);
  expect(await securityGroupRules(aws.ec2, link!.SecurityGroupIds![0]!)).toBeUndefined();
  expect(peers((await securityGroupRules(aws.ec2, albSg))!.ingress)).toEqual([]);
});
