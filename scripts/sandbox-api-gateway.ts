/**
 * The sandbox's API Gateway front door (`npm run sandbox -- --front-door api-gateway`, seed
 * 004): in the DMZ account, an internal ALB in the DMZ VPC with an HTTPS listener (an ACM
 * certificate moto issues at once when a private CA is named), its security group admitting
 * nobody yet, and an HTTP API with a JWT authorizer. The controller does the rest.
 */
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateAuthorizerCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
} from '@aws-sdk/client-apigatewayv2';
import { CreateSecurityGroupCommand, type EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Dmz } from '../test/integration/published-app/world.ts';

/** `value`, or a failure naming what AWS did not return. */
function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`AWS returned no ${what}`);
  return value;
}

/** What the examples/api-gateway placeholders stand for. */
export interface ApiFrontDoorWorld {
  listenerArn: string;
  apiId: string;
  authorizerId: string;
}

/** Clients in the DMZ account. */
export interface DmzClients {
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  acm: ACMClient;
  apigw: ApiGatewayV2Client;
}

/** The internal ALB + HTTPS listener and the HTTP API with its JWT authorizer. */
export async function createApiFrontDoor(
  c: DmzClients,
  dmz: Dmz,
  account: string,
): Promise<ApiFrontDoorWorld> {
  const sg = await c.ec2.send(
    new CreateSecurityGroupCommand({
      VpcId: dmz.vpcId,
      GroupName: 'dmz-internal-alb',
      Description: 'internal ALB: only the API (the controller admits its VPC link)',
    }),
  );
  const alb = await c.elbv2.send(
    new CreateLoadBalancerCommand({
      Name: 'dmz-internal-alb',
      Type: 'application',
      Scheme: 'internal',
      Subnets: dmz.subnetIds.slice(0, 2),
      SecurityGroups: [must(sg.GroupId, 'security group id')],
    }),
  );
  const certificate = await c.acm.send(
    new RequestCertificateCommand({
      DomainName: 'api.internal.example.com',
      CertificateAuthorityArn: `arn:aws:acm-pca:us-east-1:${account}:certificate-authority/sandbox`,
    }),
  );
  const listener = await c.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: must(alb.LoadBalancers?.[0]?.LoadBalancerArn, 'load balancer ARN'),
      Protocol: 'HTTPS',
      Port: 443,
      Certificates: [{ CertificateArn: must(certificate.CertificateArn, 'certificate ARN') }],
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    }),
  );
  const api = await c.apigw.send(new CreateApiCommand({ Name: 'dmz-front-door', ProtocolType: 'HTTP' }));
  const apiId = must(api.ApiId, 'API id');
  const authorizer = await c.apigw.send(
    new CreateAuthorizerCommand({
      ApiId: apiId,
      Name: 'jwt',
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: ['sandbox'], Issuer: 'https://issuer.example.com' },
    }),
  );
  return {
    listenerArn: must(listener.Listeners?.[0]?.ListenerArn, 'listener ARN'),
    apiId,
    authorizerId: must(authorizer.AuthorizerId, 'authorizer id'),
  };
}

/** The examples/api-gateway placeholders → the world's ids. */
export function apiSubstitutions(w: ApiFrontDoorWorld): [RegExp, string][] {
  return [
    [
      /arn:aws:elasticloadbalancing:[^\s]+:listener\/app\/dmz-internal-alb\/[0-9a-f]+\/[0-9a-f]+/g,
      w.listenerArn,
    ],
    [/a1b2c3d4e5/g, w.apiId],
    [/jwtauth01/g, w.authorizerId],
  ];
}

/** Prints the API's routes with their integrations. */
export async function printApi(apigw: ApiGatewayV2Client, apiId: string): Promise<void> {
  const routes = (await apigw.send(new GetRoutesCommand({ ApiId: apiId }))).Items ?? [];
  const integrations = (await apigw.send(new GetIntegrationsCommand({ ApiId: apiId }))).Items ?? [];
  process.stdout.write(`API ${apiId}\n`);
  for (const route of [...routes].sort((a, b) => (a.RouteKey ?? '').localeCompare(b.RouteKey ?? ''))) {
    const i = integrations.find((x) => `integrations/${x.IntegrationId}` === route.Target);
    const via = i
      ? `${i.IntegrationType} ${i.ConnectionType} ${i.ConnectionId} → ${i.IntegrationUri}`
      : route.Target;
    process.stdout.write(`  route ${route.RouteKey} (${route.AuthorizationType}) → ${via}\n`);
  }
}
