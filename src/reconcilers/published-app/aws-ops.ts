/**
 * Thin AWS wrappers for the PublishedApp reconciler: one SDK call (or one paged series)
 * each, SDK shapes normalised into the planners' types. No judgement here.
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcEndpointCommand,
  DeleteSecurityGroupCommand,
  DeleteVpcEndpointsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointServicesCommand,
  DescribeVpcEndpointsCommand,
  ModifyVpcEndpointCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type EC2Client,
  type Filter,
  type IpPermission,
  type SecurityGroup,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
  SetRulePrioritiesCommand,
  type ElasticLoadBalancingV2Client,
  type Rule,
  type RuleCondition,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { isNotFound } from '../../aws/errors.ts';
import type { AwsTag } from '../../aws/tags.ts';
import type { ObservedEndpoint } from './plan-endpoint.ts';
import type { ObservedRule, RuleConditions } from './plan-rule.ts';
import type { SgRule } from './plan-sg.ts';
import type { RegisteredTarget, TargetRef } from './plan-targets.ts';

/** ELBv2 takes at most this many targets per Register/DeregisterTargets call. */
const TARGET_CHUNK = 200;

// ---------------------------------------------------------------- listener and ALB

export interface ListenerInfo {
  listenerArn: string;
  protocol: string;
  loadBalancerArn: string;
}

export interface LoadBalancerInfo {
  arn: string;
  type: string;
  vpcId: string;
  dnsName: string;
  securityGroupIds: string[];
}

/** @returns undefined when the listener does not exist. */
export async function describeListener(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
): Promise<ListenerInfo | undefined> {
  try {
    const out = await elbv2.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }));
    const l = out.Listeners?.[0];
    if (!l?.LoadBalancerArn) return undefined;
    return { listenerArn, protocol: l.Protocol ?? 'HTTP', loadBalancerArn: l.LoadBalancerArn };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** @returns undefined when the load balancer does not exist. */
export async function describeLoadBalancer(
  elbv2: ElasticLoadBalancingV2Client,
  arn: string,
): Promise<LoadBalancerInfo | undefined> {
  try {
    const out = await elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] }));
    const lb = out.LoadBalancers?.[0];
    if (!lb) return undefined;
    return {
      arn,
      type: lb.Type ?? 'application',
      vpcId: lb.VpcId ?? '',
      dnsName: lb.DNSName ?? '',
      securityGroupIds: lb.SecurityGroups ?? [],
    };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** A rule on a listener, normalised; `priority` is undefined for the default rule. */
export interface ListenerRule extends ObservedRule {
  isDefault: boolean;
}

function conditionValues(conditions: RuleCondition[] | undefined, field: string): string[] {
  const c = conditions?.find((x) => x.Field === field);
  if (!c) return [];
  const config = field === 'path-pattern' ? c.PathPatternConfig : c.HostHeaderConfig;
  return config?.Values ?? c.Values ?? [];
}

function normaliseRule(r: Rule): ListenerRule {
  const actions = r.Actions ?? [];
  const forward = actions.length === 1 && actions[0]?.Type === 'forward' ? actions[0] : undefined;
  const tgs = forward
    ? (forward.ForwardConfig?.TargetGroups?.map((t) => t.TargetGroupArn ?? '') ?? [
        forward.TargetGroupArn ?? '',
      ])
    : actions.flatMap(
        (a) =>
          a.ForwardConfig?.TargetGroups?.map((t) => t.TargetGroupArn ?? '') ??
          (a.TargetGroupArn ? [a.TargetGroupArn] : []),
      );
  const isDefault = r.IsDefault === true || r.Priority === 'default';
  return {
    arn: r.RuleArn ?? '',
    priority: isDefault ? Number.MAX_SAFE_INTEGER : Number(r.Priority),
    isDefault,
    conditions: {
      pathPatterns: conditionValues(r.Conditions, 'path-pattern'),
      hostHeaders: conditionValues(r.Conditions, 'host-header'),
    },
    forwardTargetGroupArns: [...new Set(tgs.filter(Boolean))],
    plainForward: forward !== undefined,
  };
}

/** Every rule of a listener (paged), the default rule included. */
export async function describeRules(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
): Promise<ListenerRule[]> {
  const rules: ListenerRule[] = [];
  let marker: string | undefined;
  do {
    const out = await elbv2.send(
      new DescribeRulesCommand({ ListenerArn: listenerArn, Marker: marker, PageSize: 400 }),
    );
    rules.push(...(out.Rules ?? []).map(normaliseRule));
    marker = out.NextMarker;
  } while (marker);
  return rules;
}

function ruleConditions(c: RuleConditions): RuleCondition[] {
  const out: RuleCondition[] = [
    { Field: 'path-pattern', PathPatternConfig: { Values: [...c.pathPatterns] } },
  ];
  if (c.hostHeaders.length > 0)
    out.push({ Field: 'host-header', HostHeaderConfig: { Values: [...c.hostHeaders] } });
  return out;
}

export async function createRule(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
  priority: number,
  conditions: RuleConditions,
  targetGroupArn: string,
  tags: AwsTag[],
): Promise<ListenerRule> {
  const out = await elbv2.send(
    new CreateRuleCommand({
      ListenerArn: listenerArn,
      Priority: priority,
      Conditions: ruleConditions(conditions),
      Actions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
      Tags: tags,
    }),
  );
  return normaliseRule(out.Rules?.[0] ?? {});
}

export async function modifyRule(
  elbv2: ElasticLoadBalancingV2Client,
  ruleArn: string,
  conditions: RuleConditions,
  targetGroupArn: string,
): Promise<ListenerRule | undefined> {
  const out = await elbv2.send(
    new ModifyRuleCommand({
      RuleArn: ruleArn,
      Conditions: ruleConditions(conditions),
      Actions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
    }),
  );
  const rule = out.Rules?.[0];
  return rule ? normaliseRule(rule) : undefined;
}

export async function setRulePriority(
  elbv2: ElasticLoadBalancingV2Client,
  ruleArn: string,
  priority: number,
): Promise<ListenerRule | undefined> {
  const out = await elbv2.send(
    new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: ruleArn, Priority: priority }] }),
  );
  const rule = out.Rules?.find((r) => r.RuleArn === ruleArn);
  return rule ? normaliseRule(rule) : undefined;
}

/** NotFound counts as deleted. */
export async function deleteRule(elbv2: ElasticLoadBalancingV2Client, ruleArn: string): Promise<void> {
  try {
    await elbv2.send(new DeleteRuleCommand({ RuleArn: ruleArn }));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

// ---------------------------------------------------------------- target group

export interface TargetGroupSettings {
  name: string;
  vpcId: string;
  protocol: string;
  port: number;
  healthCheck: {
    path: string;
    intervalSeconds: number;
    timeoutSeconds: number;
    healthyThresholdCount: number;
    unhealthyThresholdCount: number;
    matcher: string;
  };
  deregistrationDelaySeconds: number;
}

export interface ObservedTargetGroup {
  arn: string;
  vpcId: string;
  protocol: string;
  port: number;
  healthCheck: TargetGroupSettings['healthCheck'];
}

function normaliseTargetGroup(tg: TargetGroup): ObservedTargetGroup {
  return {
    arn: tg.TargetGroupArn ?? '',
    vpcId: tg.VpcId ?? '',
    protocol: tg.Protocol ?? '',
    port: tg.Port ?? 0,
    healthCheck: {
      path: tg.HealthCheckPath ?? '',
      intervalSeconds: tg.HealthCheckIntervalSeconds ?? 0,
      timeoutSeconds: tg.HealthCheckTimeoutSeconds ?? 0,
      healthyThresholdCount: tg.HealthyThresholdCount ?? 0,
      unhealthyThresholdCount: tg.UnhealthyThresholdCount ?? 0,
      matcher: tg.Matcher?.HttpCode ?? '',
    },
  };
}

/** @returns undefined when no group has that name. */
export async function describeTargetGroupByName(
  elbv2: ElasticLoadBalancingV2Client,
  name: string,
): Promise<ObservedTargetGroup | undefined> {
  try {
    const out = await elbv2.send(new DescribeTargetGroupsCommand({ Names: [name] }));
    const tg = out.TargetGroups?.[0];
    return tg ? normaliseTargetGroup(tg) : undefined;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Every target group a load balancer's listeners and rules forward to (paged, 400 a page):
 * the health-check settings of all apps on an ALB in one or two calls.
 */
export async function describeTargetGroupsOfLoadBalancer(
  elbv2: ElasticLoadBalancingV2Client,
  loadBalancerArn: string,
): Promise<ObservedTargetGroup[]> {
  const groups: ObservedTargetGroup[] = [];
  let marker: string | undefined;
  try {
    do {
      const out = await elbv2.send(
        new DescribeTargetGroupsCommand({ LoadBalancerArn: loadBalancerArn, Marker: marker, PageSize: 400 }),
      );
      groups.push(...(out.TargetGroups ?? []).map(normaliseTargetGroup));
      marker = out.NextMarker;
    } while (marker);
  } catch (err) {
    // moto answers TargetGroupNotFound for a load balancer without any; AWS an empty list.
    if (isNotFound(err) && groups.length === 0) return [];
    throw err;
  }
  return groups;
}

export async function createTargetGroup(
  elbv2: ElasticLoadBalancingV2Client,
  s: TargetGroupSettings,
  tags: AwsTag[],
): Promise<ObservedTargetGroup> {
  const out = await elbv2.send(
    new CreateTargetGroupCommand({
      Name: s.name,
      TargetType: 'ip',
      VpcId: s.vpcId,
      Protocol: s.protocol as 'HTTP',
      Port: s.port,
      HealthCheckEnabled: true,
      HealthCheckProtocol: s.protocol as 'HTTP',
      HealthCheckPath: s.healthCheck.path,
      HealthCheckIntervalSeconds: s.healthCheck.intervalSeconds,
      HealthCheckTimeoutSeconds: s.healthCheck.timeoutSeconds,
      HealthyThresholdCount: s.healthCheck.healthyThresholdCount,
      UnhealthyThresholdCount: s.healthCheck.unhealthyThresholdCount,
      Matcher: { HttpCode: s.healthCheck.matcher },
      Tags: tags,
    }),
  );
  const tg = out.TargetGroups?.[0];
  if (!tg) throw new Error(`CreateTargetGroup ${s.name} returned no group`);
  return normaliseTargetGroup(tg);
}

export async function modifyTargetGroupHealthCheck(
  elbv2: ElasticLoadBalancingV2Client,
  arn: string,
  h: TargetGroupSettings['healthCheck'],
): Promise<void> {
  await elbv2.send(
    new ModifyTargetGroupCommand({
      TargetGroupArn: arn,
      HealthCheckPath: h.path,
      HealthCheckIntervalSeconds: h.intervalSeconds,
      HealthCheckTimeoutSeconds: h.timeoutSeconds,
      HealthyThresholdCount: h.healthyThresholdCount,
      UnhealthyThresholdCount: h.unhealthyThresholdCount,
      Matcher: { HttpCode: h.matcher },
    }),
  );
}

const DEREGISTRATION_DELAY = 'deregistration_delay.timeout_seconds';

export async function describeDeregistrationDelay(
  elbv2: ElasticLoadBalancingV2Client,
  arn: string,
): Promise<number | undefined> {
  const out = await elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }));
  const value = out.Attributes?.find((a) => a.Key === DEREGISTRATION_DELAY)?.Value;
  return value === undefined ? undefined : Number(value);
}

export async function setDeregistrationDelay(
  elbv2: ElasticLoadBalancingV2Client,
  arn: string,
  seconds: number,
): Promise<void> {
  await elbv2.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: arn,
      Attributes: [{ Key: DEREGISTRATION_DELAY, Value: String(seconds) }],
    }),
  );
}

/** @returns the group's targets, or undefined when the group is gone. */
export async function describeTargets(
  elbv2: ElasticLoadBalancingV2Client,
  arn: string,
): Promise<RegisteredTarget[] | undefined> {
  try {
    const out = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
    return (out.TargetHealthDescriptions ?? []).map((d) => ({
      ip: d.Target?.Id ?? '',
      port: d.Target?.Port ?? 0,
      state: d.TargetHealth?.State ?? 'unavailable',
    }));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function registerTargets(
  elbv2: ElasticLoadBalancingV2Client,
  arn: string,
  targets: readonly TargetRef[],
): Promise<void> {
  for (const chunk of chunks(targets, TARGET_CHUNK)) {
    await elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: arn,
        Targets: chunk.map((t) => ({ Id: t.ip, Port: t.port })),
      }),
    );
  }
}

export async function deregisterTargets(
  elbv2: ElasticLoadBalancingV2Client,
  arn: string,
  targets: readonly TargetRef[],
): Promise<void> {
  for (const chunk of chunks(targets, TARGET_CHUNK)) {
    await elbv2.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: arn,
        Targets: chunk.map((t) => ({ Id: t.ip, Port: t.port })),
      }),
    );
  }
}

/** NotFound counts as deleted; ResourceInUse (still referenced by a rule) is thrown. */
export async function deleteTargetGroup(elbv2: ElasticLoadBalancingV2Client, arn: string): Promise<void> {
  try {
    await elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

// ---------------------------------------------------------------- EC2: subnets, service

/** @returns subnet id → VPC id for those of `ids` that exist. */
export async function describeSubnetVpcs(
  ec2: EC2Client,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const out = await ec2.send(
    new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: [...ids] }] }),
  );
  return new Map((out.Subnets ?? []).map((s) => [s.SubnetId ?? '', s.VpcId ?? '']));
}

/** Whether the caller can see (and so create an endpoint to) the service. */
export async function serviceVisible(ec2: EC2Client, serviceName: string): Promise<boolean> {
  try {
    const out = await ec2.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: [serviceName] }));
    return (
      (out.ServiceDetails ?? []).some((s) => s.ServiceName === serviceName) ||
      (out.ServiceNames ?? []).includes(serviceName)
    );
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

// ---------------------------------------------------------------- security groups

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
    tags: Object.fromEntries((g.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    ingress: (g.IpPermissions ?? []).flatMap(splitPermission),
    egress: (g.IpPermissionsEgress ?? []).flatMap(splitPermission),
  };
}

async function describeGroups(ec2: EC2Client, filters: Filter[]): Promise<ObservedSecurityGroup[]> {
  const groups: ObservedSecurityGroup[] = [];
  let token: string | undefined;
  do {
    const out = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: filters, NextToken: token, MaxResults: 1000 }),
    );
    groups.push(...(out.SecurityGroups ?? []).map(normaliseGroup));
    token = out.NextToken;
  } while (token);
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

export async function createSecurityGroup(
  ec2: EC2Client,
  name: string,
  description: string,
  vpcId: string,
  tags: AwsTag[],
): Promise<string> {
  const out = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: name,
      Description: description,
      VpcId: vpcId,
      TagSpecifications: [{ ResourceType: 'security-group', Tags: tags }],
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

export async function authorizeIngress(
  ec2: EC2Client,
  groupId: string,
  rules: readonly SgRule[],
): Promise<void> {
  if (rules.length === 0) return;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: rules.map(toPermission) }),
  );
}

export async function revokeIngress(
  ec2: EC2Client,
  groupId: string,
  rules: readonly SgRule[],
): Promise<void> {
  if (rules.length === 0) return;
  await ec2.send(
    new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: rules.map(toPermission) }),
  );
}

export async function authorizeEgress(
  ec2: EC2Client,
  groupId: string,
  rules: readonly SgRule[],
): Promise<void> {
  if (rules.length === 0) return;
  await ec2.send(
    new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: rules.map(toPermission) }),
  );
}

export async function revokeEgress(ec2: EC2Client, groupId: string, rules: readonly SgRule[]): Promise<void> {
  if (rules.length === 0) return;
  await ec2.send(
    new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: rules.map(toPermission) }),
  );
}

/** NotFound counts as deleted; DependencyViolation (ENIs still attached) is thrown. */
export async function deleteSecurityGroup(ec2: EC2Client, groupId: string): Promise<void> {
  try {
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

// ---------------------------------------------------------------- endpoints and ENIs

/** An endpoint with its tags (ownership is read from them). */
export interface TaggedEndpoint extends ObservedEndpoint {
  tags: Record<string, string>;
}

function normaliseEndpoint(e: VpcEndpoint): TaggedEndpoint {
  return {
    id: e.VpcEndpointId ?? '',
    state: e.State ?? '',
    serviceName: e.ServiceName ?? '',
    vpcId: e.VpcId ?? '',
    subnetIds: e.SubnetIds ?? [],
    securityGroupIds: (e.Groups ?? []).map((g) => g.GroupId ?? ''),
    networkInterfaceIds: e.NetworkInterfaceIds ?? [],
    createdAtMs: e.CreationTimestamp?.getTime() ?? 0,
    tags: Object.fromEntries((e.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
  };
}

/** Every endpoint matching the (ownership tag) filters, paged: one call for all objects. */
export async function describeTaggedEndpoints(ec2: EC2Client, filters: Filter[]): Promise<TaggedEndpoint[]> {
  const endpoints: TaggedEndpoint[] = [];
  let token: string | undefined;
  do {
    const out = await ec2.send(
      new DescribeVpcEndpointsCommand({ Filters: filters, NextToken: token, MaxResults: 1000 }),
    );
    endpoints.push(...(out.VpcEndpoints ?? []).map(normaliseEndpoint));
    token = out.NextToken;
  } while (token);
  return endpoints;
}

export async function createEndpoint(
  ec2: EC2Client,
  e: {
    serviceName: string;
    vpcId: string;
    subnetIds: readonly string[];
    securityGroupIds: readonly string[];
  },
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
      PrivateDnsEnabled: false,
      ClientToken: clientToken,
      TagSpecifications: [{ ResourceType: 'vpc-endpoint', Tags: tags }],
    }),
  );
  if (!out.VpcEndpoint) throw new Error('CreateVpcEndpoint returned no endpoint');
  return normaliseEndpoint(out.VpcEndpoint);
}

export async function modifyEndpoint(
  ec2: EC2Client,
  m: {
    endpointId: string;
    addSubnetIds: string[];
    removeSubnetIds: string[];
    addSecurityGroupIds: string[];
    removeSecurityGroupIds: string[];
  },
): Promise<void> {
  const nonEmpty = (v: string[]) => (v.length > 0 ? v : undefined);
  await ec2.send(
    new ModifyVpcEndpointCommand({
      VpcEndpointId: m.endpointId,
      AddSubnetIds: nonEmpty(m.addSubnetIds),
      RemoveSubnetIds: nonEmpty(m.removeSubnetIds),
      AddSecurityGroupIds: nonEmpty(m.addSecurityGroupIds),
      RemoveSecurityGroupIds: nonEmpty(m.removeSecurityGroupIds),
    }),
  );
}

/** NotFound counts as deleted (DeleteVpcEndpoints reports it per item). */
export async function deleteEndpoints(ec2: EC2Client, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const out = await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [...ids] }));
  const failed = (out.Unsuccessful ?? []).filter((u) => !/NotFound/.test(u.Error?.Code ?? ''));
  if (failed.length > 0) {
    const first = failed[0];
    throw new Error(
      `DeleteVpcEndpoints ${first?.ResourceId ?? ''}: ${first?.Error?.Code ?? ''} ${first?.Error?.Message ?? ''}`,
    );
  }
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
  let token: string | undefined;
  do {
    const out = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: 'network-interface-id', Values: [...eniIds] }],
        NextToken: token,
      }),
    );
    for (const eni of out.NetworkInterfaces ?? []) {
      if (eni.NetworkInterfaceId && eni.PrivateIpAddress)
        ips.set(eni.NetworkInterfaceId, eni.PrivateIpAddress);
    }
    token = out.NextToken;
  } while (token);
  return ips;
}
