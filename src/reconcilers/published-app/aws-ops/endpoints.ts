/**
 * PublishedApp AWS wrappers (see ../aws-ops.ts): interface endpoints and their ENIs, and the
 * references an endpoint is checked against (subnets, the service).
 */
import {
  CreateVpcEndpointCommand,
  DeleteVpcEndpointsCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcEndpointServicesCommand,
  type EC2Client,
  type Filter,
  ModifyVpcEndpointCommand,
  paginateDescribeNetworkInterfaces,
  paginateDescribeVpcEndpoints,
  type UnsuccessfulItem,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import { unlessNotFound } from '../../../aws/errors.ts';
import type { AwsTag } from '../../../aws/tags.ts';
import type { DesiredEndpoint, EndpointModification, ObservedEndpoint } from '../plan-endpoint.ts';
import type { ServicePrivateDns, VpcDns } from '../plan-private-dns.ts';
import { tagRecord } from './tag-record.ts';

/** A subnet as the endpoint checks see it. */
export interface SubnetInfo {
  vpcId: string;
  /** Zone name (`us-east-1a`): means different zones in different accounts. */
  zone: string;
  /** Zone id (`use1-az1`): the same zone in every account. */
  zoneId: string;
}

/** @returns subnet id → its VPC and zone, for those of `ids` that exist. */
export async function describeSubnets(
  ec2: EC2Client,
  ids: readonly string[],
): Promise<Map<string, SubnetInfo>> {
  const out = await ec2.send(
    new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: [...ids] }] }),
  );
  return new Map(
    (out.Subnets ?? []).map((s) => [
      s.SubnetId ?? '',
      { vpcId: s.VpcId ?? '', zone: s.AvailabilityZone ?? '', zoneId: s.AvailabilityZoneId ?? '' },
    ]),
  );
}

/** Where a service is offered, as the caller's account sees it. */
export interface ServiceZones {
  /** Zone ids; empty when AWS did not say (then only names can be compared). */
  zoneIds: string[];
  /** Zone names, in the caller's account's naming. */
  zones: string[];
}

/** What the caller's account is offered: the service's zones and private DNS name. */
export interface ServiceOffer extends ServiceZones {
  privateDns: ServicePrivateDns;
}

/**
 * The service as the caller sees it.
 * @returns its zones and private DNS name, or undefined when the caller cannot see (nor so
 * connect to) it.
 */
export async function describeServiceOffer(
  ec2: EC2Client,
  serviceName: string,
): Promise<ServiceOffer | undefined> {
  return unlessNotFound(async () => {
    const out = await ec2.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: [serviceName] }));
    const d = (out.ServiceDetails ?? []).find((x) => x.ServiceName === serviceName);
    if (d)
      return {
        zoneIds: d.AvailabilityZoneIds ?? [],
        zones: d.AvailabilityZones ?? [],
        privateDns: { name: d.PrivateDnsName, verificationState: d.PrivateDnsNameVerificationState },
      };
    // Named but without detail: visible, zones and name unknown (nothing to check them against).
    const named = (out.ServiceNames ?? []).includes(serviceName);
    return named ? { zoneIds: [], zones: [], privateDns: {} } : undefined;
  });
}

/** The VPC's enableDnsSupport and enableDnsHostnames (one DescribeVpcAttribute each). */
export async function describeVpcDns(ec2: EC2Client, vpcId: string): Promise<VpcDns> {
  const [support, hostnames] = await Promise.all([
    ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsSupport' })),
    ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' })),
  ]);
  return {
    support: support.EnableDnsSupport?.Value === true,
    hostnames: hostnames.EnableDnsHostnames?.Value === true,
  };
}

/** An endpoint with its tags (ownership is read from them). */
export interface TaggedEndpoint extends ObservedEndpoint {
  tags: Record<string, string>;
}

/** Which endpoint it is: id, state, service and VPC ('' where AWS says nothing). */
function endpointIdentity(e: VpcEndpoint): Pick<TaggedEndpoint, 'id' | 'state' | 'serviceName' | 'vpcId'> {
  return {
    id: e.VpcEndpointId ?? '',
    state: e.State ?? '',
    serviceName: e.ServiceName ?? '',
    vpcId: e.VpcId ?? '',
  };
}

/** Where the endpoint sits: its subnets, SGs and ENIs (empty where AWS says nothing), and its private DNS. */
function endpointPlacement(
  e: VpcEndpoint,
): Pick<TaggedEndpoint, 'subnetIds' | 'securityGroupIds' | 'networkInterfaceIds' | 'privateDnsEnabled'> {
  return {
    subnetIds: e.SubnetIds ?? [],
    securityGroupIds: (e.Groups ?? []).map((g) => g.GroupId ?? ''),
    networkInterfaceIds: e.NetworkInterfaceIds ?? [],
    privateDnsEnabled: e.PrivateDnsEnabled === true,
  };
}

function normaliseEndpoint(e: VpcEndpoint): TaggedEndpoint {
  return {
    ...endpointIdentity(e),
    ...endpointPlacement(e),
    createdAtMs: e.CreationTimestamp?.getTime() ?? 0,
    tags: tagRecord(e.Tags),
  };
}

/** Every endpoint matching the (ownership tag) filters, paged: one call for all objects. */
export async function describeTaggedEndpoints(ec2: EC2Client, filters: Filter[]): Promise<TaggedEndpoint[]> {
  const endpoints: TaggedEndpoint[] = [];
  for await (const page of paginateDescribeVpcEndpoints(
    { client: ec2, pageSize: 1000 },
    { Filters: filters },
  ))
    endpoints.push(...(page.VpcEndpoints ?? []).map(normaliseEndpoint));
  return endpoints;
}

/** One endpoint by id, with its type; undefined when AWS knows no such endpoint. */
export async function describeEndpointById(
  ec2: EC2Client,
  id: string,
): Promise<(TaggedEndpoint & { type?: string }) | undefined> {
  const out = await ec2.send(
    new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-endpoint-id', Values: [id] }] }),
  );
  const e = out.VpcEndpoints?.find((x) => x.VpcEndpointId === id);
  if (!e) return undefined;
  return e.VpcEndpointType ? { ...normaliseEndpoint(e), type: e.VpcEndpointType } : normaliseEndpoint(e);
}

export async function createEndpoint(
  ec2: EC2Client,
  e: DesiredEndpoint,
  clientToken: string,
  tags: AwsTag[],
): Promise<TaggedEndpoint> {
  const out = await ec2.send(
    new CreateVpcEndpointCommand({
      VpcEndpointType: 'Interface',
      ServiceName: e.serviceName,
      VpcId: e.vpcId,
      SubnetIds: [...e.subnetIds],
      SecurityGroupIds: [...e.securityGroupIds],
      PrivateDnsEnabled: e.privateDnsEnabled,
      ClientToken: clientToken,
      TagSpecifications: [{ ResourceType: 'vpc-endpoint', Tags: tags }],
    }),
  );
  if (!out.VpcEndpoint) throw new Error('CreateVpcEndpoint returned no endpoint');
  return normaliseEndpoint(out.VpcEndpoint);
}

export async function modifyEndpoint(
  ec2: EC2Client,
  m: EndpointModification & { endpointId: string },
): Promise<void> {
  const nonEmpty = (v: string[]) => (v.length > 0 ? v : undefined);
  await ec2.send(
    new ModifyVpcEndpointCommand({
      VpcEndpointId: m.endpointId,
      AddSubnetIds: nonEmpty(m.addSubnetIds),
      RemoveSubnetIds: nonEmpty(m.removeSubnetIds),
      AddSecurityGroupIds: nonEmpty(m.addSecurityGroupIds),
      RemoveSecurityGroupIds: nonEmpty(m.removeSecurityGroupIds),
      PrivateDnsEnabled: m.privateDnsEnabled,
    }),
  );
}

/** Whether a per-item failure of DeleteVpcEndpoints says the endpoint is already gone. */
const isGone = (u: UnsuccessfulItem): boolean => /NotFound/.test(u.Error?.Code ?? '');

function unsuccessfulMessage(u: UnsuccessfulItem): string {
  return `DeleteVpcEndpoints ${u.ResourceId ?? ''}: ${u.Error?.Code ?? ''} ${u.Error?.Message ?? ''}`;
}

/** NotFound counts as deleted (DeleteVpcEndpoints reports it per item); the first other failure is thrown. */
export async function deleteEndpoints(ec2: EC2Client, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const out = await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [...ids] }));
  const failed = (out.Unsuccessful ?? []).find((u) => !isGone(u));
  if (failed) throw new Error(unsuccessfulMessage(failed));
}

/**
 * Primary private IPs of the given ENIs. A filter rather than `NetworkInterfaceIds`, so an
 * ENI deleted meanwhile is simply absent instead of failing the whole call.
 */
export async function describeEniIps(
  ec2: EC2Client,
  eniIds: readonly string[],
): Promise<Map<string, string>> {
  const ips = new Map<string, string>();
  const pages = paginateDescribeNetworkInterfaces(
    { client: ec2 },
    { Filters: [{ Name: 'network-interface-id', Values: [...eniIds] }] },
  );
  for await (const page of pages) {
    for (const eni of page.NetworkInterfaces ?? []) {
      if (eni.NetworkInterfaceId && eni.PrivateIpAddress)
        ips.set(eni.NetworkInterfaceId, eni.PrivateIpAddress);
    }
  }
  return ips;
}
