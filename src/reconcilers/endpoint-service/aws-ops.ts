/**
 * Thin wrappers over the EC2/ELBv2 calls an EndpointService needs. Each translates SDK
 * shapes to the planner's plain types and back; no decisions are made here.
 */
import {
  AcceptVpcEndpointConnectionsCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  CreateVpcEndpointServiceConfigurationCommand,
  DeleteVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  ModifyVpcEndpointServiceConfigurationCommand,
  StartVpcEndpointServicePrivateDnsVerificationCommand,
  ModifyVpcEndpointServicePermissionsCommand,
  RejectVpcEndpointConnectionsCommand,
  paginateDescribeVpcEndpointConnections,
  paginateDescribeVpcEndpointServiceConfigurations,
  paginateDescribeVpcEndpointServicePermissions,
  type EC2Client,
  type ServiceConfiguration,
  type UnsuccessfulItem,
} from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  LoadBalancerNotFoundException,
  type ElasticLoadBalancingV2Client,
  type LoadBalancer,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { isNotFound, unlessNotFound } from '../../aws/errors.ts';
import { isOwnedBy, ownerFilters, tagMap, toAwsTags, type Owner } from '../../aws/tags.ts';
import type {
  DesiredService,
  ObservedConnection,
  ObservedLoadBalancer,
  ObservedService,
  ServiceModification,
  SetDiff,
} from './plan.ts';

/** One id a batch call could not act on. */
export interface FailedItem {
  id: string;
  code: string;
  message: string;
}

/**
 * The load balancers among `arns` that exist. DescribeLoadBalancers fails as a whole when
 * one ARN is unknown, so only then are the ARNs asked about one by one.
 */
export async function describeLoadBalancers(
  elbv2: ElasticLoadBalancingV2Client,
  arns: readonly string[],
): Promise<ObservedLoadBalancer[]> {
  if (arns.length === 0) return [];
  try {
    const out = await elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [...arns] }));
    return (out.LoadBalancers ?? []).map(toObservedLoadBalancer);
  } catch (err) {
    if (!(err instanceof LoadBalancerNotFoundException)) throw err;
    if (arns.length === 1) return [];
  }
  const found: ObservedLoadBalancer[] = [];
  for (const arn of arns) found.push(...(await describeLoadBalancers(elbv2, [arn])));
  return found;
}

/**
 * Service configurations whose ownership tags name this owner. Ownership is also checked on
 * the answer, so an endpoint that ignored the filter could never make us adopt a stranger's service.
 */
export async function findOwnedServices(
  ec2: EC2Client,
  owner: Pick<Owner, 'clusterId' | 'uid'>,
): Promise<ObservedService[]> {
  const found: ObservedService[] = [];
  const pages = paginateDescribeVpcEndpointServiceConfigurations(
    { client: ec2 },
    { Filters: ownerFilters(owner) },
  );
  for await (const page of pages) {
    for (const config of page.ServiceConfigurations ?? []) {
      const service = isOwnedBy(config.Tags, owner) ? toObservedService(config) : undefined;
      if (service) found.push(service);
    }
  }
  return found;
}

/** The service with this id, or undefined when AWS no longer knows it. */
export async function describeService(
  ec2: EC2Client,
  serviceId: string,
): Promise<ObservedService | undefined> {
  return unlessNotFound(async () => {
    const out = await ec2.send(
      new DescribeVpcEndpointServiceConfigurationsCommand({ ServiceIds: [serviceId] }),
    );
    const config = out.ServiceConfigurations?.find((c) => c.ServiceId === serviceId);
    return config ? toObservedService(config) : undefined;
  });
}

/** CreateVpcEndpointServiceConfiguration, idempotent through `clientToken`; tags go on at creation. */
export async function createService(
  ec2: EC2Client,
  desired: DesiredService,
  clientToken: string,
): Promise<ObservedService> {
  const out = await ec2.send(
    new CreateVpcEndpointServiceConfigurationCommand({
      ClientToken: clientToken,
      NetworkLoadBalancerArns: desired.networkLoadBalancerArns,
      AcceptanceRequired: desired.acceptanceRequired,
      PrivateDnsName: desired.privateDnsName,
      SupportedIpAddressTypes: desired.supportedIpAddressTypes,
      TagSpecifications: [{ ResourceType: 'vpc-endpoint-service', Tags: toAwsTags(desired.tags) }],
    }),
  );
  const service = out.ServiceConfiguration && toObservedService(out.ServiceConfiguration);
  if (!service) throw new Error('CreateVpcEndpointServiceConfiguration returned no service id');
  return service;
}

/** ModifyVpcEndpointServiceConfiguration with the planner's changes. */
export async function modifyService(
  ec2: EC2Client,
  serviceId: string,
  mod: ServiceModification,
): Promise<void> {
  await ec2.send(
    new ModifyVpcEndpointServiceConfigurationCommand({
      ServiceId: serviceId,
      AddNetworkLoadBalancerArns: nonEmpty(mod.addNetworkLoadBalancerArns),
      RemoveNetworkLoadBalancerArns: nonEmpty(mod.removeNetworkLoadBalancerArns),
      AddSupportedIpAddressTypes: nonEmpty(mod.addSupportedIpAddressTypes),
      RemoveSupportedIpAddressTypes: nonEmpty(mod.removeSupportedIpAddressTypes),
      AcceptanceRequired: mod.acceptanceRequired,
      PrivateDnsName: mod.privateDnsName,
      RemovePrivateDnsName: mod.removePrivateDnsName,
    }),
  );
}

/** Asks AWS to look for the private DNS name's TXT record (domain ownership verification). */
export async function startPrivateDnsVerification(ec2: EC2Client, serviceId: string): Promise<void> {
  await ec2.send(new StartVpcEndpointServicePrivateDnsVerificationCommand({ ServiceId: serviceId }));
}

/** CreateTags: adds or overwrites these tags on the resource. */
export async function tagResource(
  ec2: EC2Client,
  resourceId: string,
  tags: Record<string, string>,
): Promise<void> {
  await ec2.send(new CreateTagsCommand({ Resources: [resourceId], Tags: toAwsTags(tags) }));
}

/** Removes tags by key (whatever their values). */
export async function untagResource(
  ec2: EC2Client,
  resourceId: string,
  keys: readonly string[],
): Promise<void> {
  await ec2.send(new DeleteTagsCommand({ Resources: [resourceId], Tags: keys.map((Key) => ({ Key })) }));
}

/** The service's allowed principals. */
export async function describeAllowedPrincipals(ec2: EC2Client, serviceId: string): Promise<string[]> {
  const principals: string[] = [];
  const pages = paginateDescribeVpcEndpointServicePermissions({ client: ec2 }, { ServiceId: serviceId });
  for await (const page of pages) {
    for (const p of page.AllowedPrincipals ?? []) if (p.Principal) principals.push(p.Principal);
  }
  return principals;
}

/** ModifyVpcEndpointServicePermissions: one call adding and removing principals. */
export async function modifyAllowedPrincipals(
  ec2: EC2Client,
  serviceId: string,
  diff: SetDiff,
): Promise<void> {
  await ec2.send(
    new ModifyVpcEndpointServicePermissionsCommand({
      ServiceId: serviceId,
      AddAllowedPrincipals: nonEmpty(diff.add),
      RemoveAllowedPrincipals: nonEmpty(diff.remove),
    }),
  );
}

/** Every endpoint connection to the service, from any account. */
export async function describeConnections(ec2: EC2Client, serviceId: string): Promise<ObservedConnection[]> {
  const connections: ObservedConnection[] = [];
  const pages = paginateDescribeVpcEndpointConnections(
    { client: ec2 },
    { Filters: [{ Name: 'service-id', Values: [serviceId] }] },
  );
  for await (const page of pages) {
    for (const c of page.VpcEndpointConnections ?? []) {
      // Checked here too: the filter is the only thing scoping the answer to this service.
      if (c.ServiceId !== serviceId || !c.VpcEndpointId) continue;
      connections.push({
        endpointId: c.VpcEndpointId,
        owner: c.VpcEndpointOwner ?? '',
        state: c.VpcEndpointState ?? '',
        tags: Object.fromEntries((c.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
      });
    }
  }
  return connections;
}

/** AcceptVpcEndpointConnections for many endpoints in one call; returns the ids it refused. */
export async function acceptConnections(
  ec2: EC2Client,
  serviceId: string,
  endpointIds: string[],
): Promise<FailedItem[]> {
  const out = await ec2.send(
    new AcceptVpcEndpointConnectionsCommand({ ServiceId: serviceId, VpcEndpointIds: endpointIds }),
  );
  return failedItems(out.Unsuccessful);
}

/** RejectVpcEndpointConnections for many endpoints in one call; returns the ids it refused. */
export async function rejectConnections(
  ec2: EC2Client,
  serviceId: string,
  endpointIds: string[],
): Promise<FailedItem[]> {
  const out = await ec2.send(
    new RejectVpcEndpointConnectionsCommand({ ServiceId: serviceId, VpcEndpointIds: endpointIds }),
  );
  return failedItems(out.Unsuccessful);
}

/**
 * DeleteVpcEndpointServiceConfigurations for one service. Returns why AWS refused, or
 * undefined when the service is gone (deleted now, or already — NotFound counts as done).
 */
export async function deleteService(ec2: EC2Client, serviceId: string): Promise<FailedItem | undefined> {
  return unlessNotFound(async () => {
    const out = await ec2.send(
      new DeleteVpcEndpointServiceConfigurationsCommand({ ServiceIds: [serviceId] }),
    );
    return failedItems(out.Unsuccessful).find((f) => !isNotFound({ Code: f.code }));
  });
}

function toObservedLoadBalancer(lb: LoadBalancer): ObservedLoadBalancer {
  return { arn: lb.LoadBalancerArn ?? '', type: lb.Type ?? '' };
}

function toObservedService(config: ServiceConfiguration): ObservedService | undefined {
  if (!config.ServiceId) return undefined;
  const service: ObservedService = {
    serviceId: config.ServiceId,
    serviceName: config.ServiceName ?? '',
    state: config.ServiceState ?? '',
    acceptanceRequired: config.AcceptanceRequired ?? true,
    networkLoadBalancerArns: config.NetworkLoadBalancerArns ?? [],
    supportedIpAddressTypes: config.SupportedIpAddressTypes ?? [],
    tags: tagMap(config.Tags),
  };
  if (config.GatewayLoadBalancerArns?.length)
    service.gatewayLoadBalancerArns = config.GatewayLoadBalancerArns;
  return withPrivateDns(service, config);
}

/** The private DNS name and its verification, when the service has one. */
function withPrivateDns(service: ObservedService, config: ServiceConfiguration): ObservedService {
  if (config.PrivateDnsName) service.privateDnsName = config.PrivateDnsName;
  const dns = config.PrivateDnsNameConfiguration;
  if (dns) {
    service.privateDnsNameConfiguration = definedOnly({
      state: dns.State,
      type: dns.Type,
      name: dns.Name,
      value: dns.Value,
    });
  }
  return service;
}

function failedItems(items: UnsuccessfulItem[] | undefined): FailedItem[] {
  return (items ?? []).map((item) => ({
    id: item.ResourceId ?? '',
    code: item.Error?.Code ?? 'Unknown',
    message: item.Error?.Message ?? '',
  }));
}

function nonEmpty<T>(list: T[]): T[] | undefined {
  return list.length > 0 ? list : undefined;
}

function definedOnly<T extends Record<string, string | undefined>>(obj: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: string;
  };
}
