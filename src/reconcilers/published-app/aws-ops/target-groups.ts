/**
 * PublishedApp AWS wrappers (see ../aws-ops.ts): the app's IP target group — settings,
 * health check, attributes and targets.
 */
import {
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  paginateDescribeTargetGroups,
  RegisterTargetsCommand,
  type TargetDescription,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { isNotFound, unlessNotFound } from '../../../aws/errors.ts';
import type { AwsTag } from '../../../aws/tags.ts';
import type { RegisteredTarget, TargetRef } from '../plan-targets.ts';

/** ELBv2 takes at most this many targets per Register/DeregisterTargets call. */
const TARGET_CHUNK = 200;

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
  /** ip, instance, lambda or alb. */
  targetType: string;
  vpcId: string;
  protocol: string;
  port: number;
  healthCheck: TargetGroupSettings['healthCheck'];
}

function healthCheckOf(tg: TargetGroup): ObservedTargetGroup['healthCheck'] {
  return {
    path: tg.HealthCheckPath ?? '',
    intervalSeconds: tg.HealthCheckIntervalSeconds ?? 0,
    timeoutSeconds: tg.HealthCheckTimeoutSeconds ?? 0,
    healthyThresholdCount: tg.HealthyThresholdCount ?? 0,
    unhealthyThresholdCount: tg.UnhealthyThresholdCount ?? 0,
    matcher: tg.Matcher?.HttpCode ?? '',
  };
}

function normaliseTargetGroup(tg: TargetGroup): ObservedTargetGroup {
  return {
    arn: tg.TargetGroupArn ?? '',
    targetType: tg.TargetType ?? '',
    vpcId: tg.VpcId ?? '',
    protocol: tg.Protocol ?? '',
    port: tg.Port ?? 0,
    healthCheck: healthCheckOf(tg),
  };
}

/** @returns undefined when no group has that name. */
export async function describeTargetGroupByName(
  elbv2: ElasticLoadBalancingV2Client,
  name: string,
): Promise<ObservedTargetGroup | undefined> {
  return unlessNotFound(async () => {
    const out = await elbv2.send(new DescribeTargetGroupsCommand({ Names: [name] }));
    const tg = out.TargetGroups?.[0];
    return tg ? normaliseTargetGroup(tg) : undefined;
  });
}

/** @returns undefined when no group has that ARN. */
export async function describeTargetGroupByArn(
  elbv2: ElasticLoadBalancingV2Client,
  arn: string,
): Promise<ObservedTargetGroup | undefined> {
  return unlessNotFound(async () => {
    const out = await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }));
    const tg = out.TargetGroups?.[0];
    return tg ? normaliseTargetGroup(tg) : undefined;
  });
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
  const pages = paginateDescribeTargetGroups(
    { client: elbv2, pageSize: 400 },
    { LoadBalancerArn: loadBalancerArn },
  );
  try {
    for await (const page of pages) groups.push(...(page.TargetGroups ?? []).map(normaliseTargetGroup));
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
  return unlessNotFound(async () => {
    const out = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
    return (out.TargetHealthDescriptions ?? []).map((d) => ({
      ip: d.Target?.Id ?? '',
      port: d.Target?.Port ?? 0,
      state: d.TargetHealth?.State ?? 'unavailable',
    }));
  });
}

/** Sends `targets` in chunks of TARGET_CHUNK, one call after another. */
async function inChunks(
  targets: readonly TargetRef[],
  send: (chunk: TargetDescription[]) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < targets.length; i += TARGET_CHUNK) {
    await send(targets.slice(i, i + TARGET_CHUNK).map((t) => ({ Id: t.ip, Port: t.port })));
  }
}

export async function registerTargets(
  elbv2: ElasticLoadBalancingV2Client,
  arn: string,
  targets: readonly TargetRef[],
): Promise<void> {
  await inChunks(targets, (Targets) =>
    elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets })),
  );
}

export async function deregisterTargets(
  elbv2: ElasticLoadBalancingV2Client,
  arn: string,
  targets: readonly TargetRef[],
): Promise<void> {
  await inChunks(targets, (Targets) =>
    elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets })),
  );
}

/** NotFound counts as deleted; ResourceInUse (still referenced by a rule) is thrown. */
export async function deleteTargetGroup(elbv2: ElasticLoadBalancingV2Client, arn: string): Promise<void> {
  try {
    await elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
