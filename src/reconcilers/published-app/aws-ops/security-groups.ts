/**
 * PublishedApp AWS wrappers (see ../aws-ops.ts): the managed endpoint SG and our rules on the
 * ALB's SGs.
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  type EC2Client,
  type Filter,
  type IpPermission,
  paginateDescribeSecurityGroups,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { isNotFound } from '../../../aws/errors.ts';
import type { AwsTag } from '../../../aws/tags.ts';
import type { SgRule } from '../plan-sg.ts';
import { tagRecord } from './tag-record.ts';

/** A security group with its rules split into one-peer rules. */
export interface ObservedSecurityGroup {
  groupId: string;
  vpcId: string;
  tags: Record<string, string>;
  ingress: SgRule[];
  egress: SgRule[];
}

function splitPermission(p: IpPermission): SgRule[] {
  const base = {
    protocol: p.IpProtocol ?? '-1',
    ...(p.FromPort === undefined || p.FromPort === -1 ? {} : { fromPort: p.FromPort }),
    ...(p.ToPort === undefined || p.ToPort === -1 ? {} : { toPort: p.ToPort }),
  };
  const withDescription = (d: string | undefined) => (d ? { description: d } : {});
  return [
    ...(p.UserIdGroupPairs ?? []).map((g) => ({
      ...base,
      peer: { groupId: g.GroupId ?? '' },
      ...withDescription(g.Description),
    })),
    ...(p.IpRanges ?? []).map((r) => ({
      ...base,
      peer: { cidrIpv4: r.CidrIp ?? '' },
      ...withDescription(r.Description),
    })),
    ...(p.Ipv6Ranges ?? []).map((r) => ({
      ...base,
      peer: { cidrIpv6: r.CidrIpv6 ?? '' },
      ...withDescription(r.Description),
    })),
    ...(p.PrefixListIds ?? []).map((r) => ({
      ...base,
      peer: { prefixListId: r.PrefixListId ?? '' },
      ...withDescription(r.Description),
    })),
  ];
}

function normaliseGroup(g: SecurityGroup): ObservedSecurityGroup {
  return {
    groupId: g.GroupId ?? '',
    vpcId: g.VpcId ?? '',
    tags: tagRecord(g.Tags),
    ingress: (g.IpPermissions ?? []).flatMap(splitPermission),
    egress: (g.IpPermissionsEgress ?? []).flatMap(splitPermission),
  };
}

async function describeGroups(ec2: EC2Client, filters: Filter[]): Promise<ObservedSecurityGroup[]> {
  const groups: ObservedSecurityGroup[] = [];
  for await (const page of paginateDescribeSecurityGroups(
    { client: ec2, pageSize: 1000 },
    { Filters: filters },
  ))
    groups.push(...(page.SecurityGroups ?? []).map(normaliseGroup));
  return groups;
}

/** Groups by id; unknown ids are simply absent. */
export function describeSecurityGroups(
  ec2: EC2Client,
  ids: readonly string[],
): Promise<ObservedSecurityGroup[]> {
  return ids.length === 0
    ? Promise.resolve([])
    : describeGroups(ec2, [{ Name: 'group-id', Values: [...ids] }]);
}

/** Every group matching the (ownership tag) filters, paged: one call for all objects. */
export function describeTaggedSecurityGroups(
  ec2: EC2Client,
  filters: Filter[],
): Promise<ObservedSecurityGroup[]> {
  return describeGroups(ec2, filters);
}

/** A security group to create: its name (unique in the VPC), description, VPC and tags. */
export interface NewSecurityGroup {
  name: string;
  description: string;
  vpcId: string;
  tags: AwsTag[];
}

/** @returns the new group's id. */
export async function createSecurityGroup(ec2: EC2Client, sg: NewSecurityGroup): Promise<string> {
  const out = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: sg.name,
      Description: sg.description,
      VpcId: sg.vpcId,
      TagSpecifications: [{ ResourceType: 'security-group', Tags: sg.tags }],
    }),
  );
  return out.GroupId ?? '';
}

/** The managed group created under `name` in `vpcId`, when a create raced a crash. */
export async function findSecurityGroupByName(
  ec2: EC2Client,
  vpcId: string,
  name: string,
): Promise<ObservedSecurityGroup | undefined> {
  const groups = await describeGroups(ec2, [
    { Name: 'vpc-id', Values: [vpcId] },
    { Name: 'group-name', Values: [name] },
  ]);
  return groups[0];
}

function toPermission(r: SgRule): IpPermission {
  const p: IpPermission = { IpProtocol: r.protocol };
  if (r.protocol !== '-1') {
    p.FromPort = r.fromPort ?? -1;
    p.ToPort = r.toPort ?? -1;
  }
  const d = r.description === undefined ? {} : { Description: r.description };
  if ('groupId' in r.peer) p.UserIdGroupPairs = [{ GroupId: r.peer.groupId, ...d }];
  else if ('cidrIpv4' in r.peer) p.IpRanges = [{ CidrIp: r.peer.cidrIpv4, ...d }];
  else if ('cidrIpv6' in r.peer) p.Ipv6Ranges = [{ CidrIpv6: r.peer.cidrIpv6, ...d }];
  else p.PrefixListIds = [{ PrefixListId: r.peer.prefixListId, ...d }];
  return p;
}

/** The input every Authorize/Revoke call takes: the group and its rules as permissions. */
function ruleChange(groupId: string, rules: readonly SgRule[]) {
  return { GroupId: groupId, IpPermissions: rules.map(toPermission) };
}

export async function authorizeIngress(
  ec2: EC2Client,
  groupId: string,
  rules: readonly SgRule[],
): Promise<void> {
  if (rules.length > 0) await ec2.send(new AuthorizeSecurityGroupIngressCommand(ruleChange(groupId, rules)));
}

export async function revokeIngress(
  ec2: EC2Client,
  groupId: string,
  rules: readonly SgRule[],
): Promise<void> {
  if (rules.length > 0) await ec2.send(new RevokeSecurityGroupIngressCommand(ruleChange(groupId, rules)));
}

export async function authorizeEgress(
  ec2: EC2Client,
  groupId: string,
  rules: readonly SgRule[],
): Promise<void> {
  if (rules.length > 0) await ec2.send(new AuthorizeSecurityGroupEgressCommand(ruleChange(groupId, rules)));
}

export async function revokeEgress(ec2: EC2Client, groupId: string, rules: readonly SgRule[]): Promise<void> {
  if (rules.length > 0) await ec2.send(new RevokeSecurityGroupEgressCommand(ruleChange(groupId, rules)));
}

/** NotFound counts as deleted; DependencyViolation (ENIs still attached) is thrown. */
export async function deleteSecurityGroup(ec2: EC2Client, groupId: string): Promise<void> {
  try {
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
