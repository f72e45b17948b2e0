/**
 * PublishedApp AWS wrappers (see ../aws-ops.ts): an HTTP API's routes and integrations, and VPC
 * links (API Gateway v2). Lists are paged by hand (the SDK has no paginators for them).
 */
import {
  type ApiGatewayV2Client,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateVpcLinkCommand,
  DeleteIntegrationCommand,
  DeleteRouteCommand,
  DeleteVpcLinkCommand,
  GetApiCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetVpcLinkCommand,
  GetVpcLinksCommand,
  type AuthorizationType,
  type ConnectionType,
  type Integration,
  type IntegrationType,
  type Route,
  UpdateIntegrationCommand,
  UpdateRouteCommand,
  type VpcLink,
} from '@aws-sdk/client-apigatewayv2';
import { isNotFound, unlessNotFound } from '../../../aws/errors.ts';
import type { IntegrationShape, LiveRoute, RouteShape } from '../plan-api.ts';

/** What the controller reads of an API. */
export interface ApiInfo {
  apiId: string;
  protocolType: string;
  /** https://<id>.execute-api.<region>.amazonaws.com */
  apiEndpoint: string;
}

/** @returns the API; undefined when there is none by that id. */
export async function getApi(client: ApiGatewayV2Client, apiId: string): Promise<ApiInfo | undefined> {
  return unlessNotFound(async () => {
    const out = await client.send(new GetApiCommand({ ApiId: apiId }));
    return { apiId, protocolType: out.ProtocolType ?? '', apiEndpoint: out.ApiEndpoint ?? '' };
  });
}

/** Every page of a NextToken-paged list. */
async function allPages<T>(page: (next: string | undefined) => Promise<{ items: T[]; next?: string }>) {
  const items: T[] = [];
  let next: string | undefined;
  do {
    const out = await page(next);
    items.push(...out.items);
    next = out.next;
  } while (next);
  return items;
}

function toRoute(r: Route): LiveRoute {
  return {
    routeId: r.RouteId ?? '',
    routeKey: r.RouteKey ?? '',
    target: r.Target ?? '',
    authorizationType: r.AuthorizationType ?? 'NONE',
    ...(r.AuthorizerId ? { authorizerId: r.AuthorizerId } : {}),
    authorizationScopes: r.AuthorizationScopes ?? [],
  };
}

/** Every route of the API, ours and others'. */
export function getRoutes(client: ApiGatewayV2Client, apiId: string): Promise<LiveRoute[]> {
  return allPages(async (next) => {
    const out = await client.send(new GetRoutesCommand({ ApiId: apiId, NextToken: next }));
    return { items: (out.Items ?? []).map(toRoute), next: out.NextToken };
  });
}

function routeInput(r: RouteShape) {
  return {
    Target: r.target,
    AuthorizationType: r.authorizationType as AuthorizationType,
    AuthorizerId: r.authorizerId,
    AuthorizationScopes: r.authorizationScopes.length > 0 ? r.authorizationScopes : undefined,
  };
}

/** @returns the new route's id. */
export async function createRoute(client: ApiGatewayV2Client, apiId: string, r: RouteShape): Promise<string> {
  const out = await client.send(
    new CreateRouteCommand({ ApiId: apiId, RouteKey: r.routeKey, ...routeInput(r) }),
  );
  return out.RouteId ?? '';
}

/** Puts the route's target and authorization back as planned. */
export async function updateRoute(
  client: ApiGatewayV2Client,
  apiId: string,
  routeId: string,
  r: RouteShape,
): Promise<void> {
  await client.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: routeId, ...routeInput(r) }));
}

/** NotFound counts as deleted. */
export async function deleteRoute(client: ApiGatewayV2Client, apiId: string, routeId: string): Promise<void> {
  try {
    await client.send(new DeleteRouteCommand({ ApiId: apiId, RouteId: routeId }));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** An integration on the API, with its id. */
export interface LiveIntegration extends IntegrationShape {
  integrationId: string;
}

function toIntegration(i: Integration): LiveIntegration {
  const name = i.TlsConfig?.ServerNameToVerify;
  const text = (v: string | undefined) => v ?? '';
  return {
    integrationId: text(i.IntegrationId),
    integrationType: text(i.IntegrationType),
    connectionType: i.ConnectionType ?? 'INTERNET',
    connectionId: text(i.ConnectionId),
    integrationUri: text(i.IntegrationUri),
    integrationMethod: text(i.IntegrationMethod),
    payloadFormatVersion: text(i.PayloadFormatVersion),
    ...(name ? { serverNameToVerify: name } : {}),
    description: text(i.Description),
  };
}

/** Every integration of the API. */
export function getIntegrations(client: ApiGatewayV2Client, apiId: string): Promise<LiveIntegration[]> {
  return allPages(async (next) => {
    const out = await client.send(new GetIntegrationsCommand({ ApiId: apiId, NextToken: next }));
    return { items: (out.Items ?? []).map(toIntegration), next: out.NextToken };
  });
}

function integrationInput(i: IntegrationShape) {
  return {
    IntegrationType: i.integrationType as IntegrationType,
    ConnectionType: i.connectionType as ConnectionType,
    ConnectionId: i.connectionId,
    IntegrationUri: i.integrationUri,
    IntegrationMethod: i.integrationMethod,
    PayloadFormatVersion: i.payloadFormatVersion,
    Description: i.description,
    ...(i.serverNameToVerify ? { TlsConfig: { ServerNameToVerify: i.serverNameToVerify } } : {}),
  };
}

/** @returns the new integration's id. */
export async function createIntegration(
  client: ApiGatewayV2Client,
  apiId: string,
  i: IntegrationShape,
): Promise<string> {
  const out = await client.send(new CreateIntegrationCommand({ ApiId: apiId, ...integrationInput(i) }));
  return out.IntegrationId ?? '';
}

/** Puts the integration back as planned (an absent server name clears the TLS config). */
export async function updateIntegration(
  client: ApiGatewayV2Client,
  apiId: string,
  integrationId: string,
  i: IntegrationShape,
): Promise<void> {
  const tls = i.serverNameToVerify ? {} : { TlsConfig: {} };
  await client.send(
    new UpdateIntegrationCommand({
      ApiId: apiId,
      IntegrationId: integrationId,
      ...tls,
      ...integrationInput(i),
    }),
  );
}

/** NotFound counts as deleted. */
export async function deleteIntegration(
  client: ApiGatewayV2Client,
  apiId: string,
  integrationId: string,
): Promise<void> {
  try {
    await client.send(new DeleteIntegrationCommand({ ApiId: apiId, IntegrationId: integrationId }));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** A VPC link as the controller reads it. */
export interface VpcLinkInfo {
  vpcLinkId: string;
  /** PENDING, AVAILABLE, DELETING, FAILED or INACTIVE. */
  status: string;
  statusMessage?: string;
  subnetIds: string[];
  securityGroupIds: string[];
  tags: Record<string, string>;
}

function toVpcLink(l: Partial<VpcLink>): VpcLinkInfo {
  return {
    vpcLinkId: l.VpcLinkId ?? '',
    status: l.VpcLinkStatus ?? 'PENDING',
    ...(l.VpcLinkStatusMessage ? { statusMessage: l.VpcLinkStatusMessage } : {}),
    subnetIds: l.SubnetIds ?? [],
    securityGroupIds: l.SecurityGroupIds ?? [],
    tags: l.Tags ?? {},
  };
}

/** @returns the link; undefined when there is none by that id. */
export async function getVpcLink(client: ApiGatewayV2Client, id: string): Promise<VpcLinkInfo | undefined> {
  return unlessNotFound(async () => {
    return toVpcLink(await client.send(new GetVpcLinkCommand({ VpcLinkId: id })));
  });
}

/** Every VPC link of the account and region (GetVpcLinks filters by nothing, tags included). */
export function getVpcLinks(client: ApiGatewayV2Client): Promise<VpcLinkInfo[]> {
  return allPages(async (next) => {
    const out = await client.send(new GetVpcLinksCommand({ NextToken: next }));
    return { items: (out.Items ?? []).map(toVpcLink), next: out.NextToken };
  });
}

/** A VPC link to create. */
export interface NewVpcLink {
  name: string;
  subnetIds: readonly string[];
  securityGroupIds: readonly string[];
  tags: Record<string, string>;
}

/** @returns the new link, as AWS returned it (PENDING while its ENIs are made). */
export async function createVpcLink(client: ApiGatewayV2Client, l: NewVpcLink): Promise<VpcLinkInfo> {
  const out = await client.send(
    new CreateVpcLinkCommand({
      Name: l.name,
      SubnetIds: [...l.subnetIds],
      SecurityGroupIds: [...l.securityGroupIds],
      Tags: l.tags,
    }),
  );
  return toVpcLink(out);
}

/** NotFound counts as deleted. */
export async function deleteVpcLink(client: ApiGatewayV2Client, id: string): Promise<void> {
  try {
    await client.send(new DeleteVpcLinkCommand({ VpcLinkId: id }));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
