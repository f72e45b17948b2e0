/**
 * What the PublishedApp integration tests share: the Manager running the real controller(s)
 * in-process against the real API server and moto, kubectl-based object helpers, waiters,
 * and readers of the AWS state the assertions are about.
 */
import {
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  type IpPermission,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import {
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type Rule,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { pino } from 'pino';
import { API_GROUP, API_VERSION, PUBLISHED_APP, TAG_KEYS } from '../../../src/api/kinds.ts';
import type { PublishedApp, PublishedAppSpec } from '../../../src/api/v1alpha1.ts';
import { createAwsClientFactory } from '../../../src/aws/clients.ts';
import type { AwsCallObserver } from '../../../src/aws/types.ts';
import { Manager } from '../../../src/controller/manager.ts';
import { endpointServiceController } from '../../../src/reconcilers/endpoint-service/index.ts';
import {
  publishedAppController,
  type PublishedAppReconcilerOptions,
} from '../../../src/reconcilers/published-app/index.ts';
import type { TestContext } from '../../env/context.ts';
import { condition, eventsFor, eventually, getCustomObject, waitForEvent } from '../../env/poll.ts';

export interface Aws {
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  destroy(): void;
}

export function awsClients(ctx: TestContext): Aws {
  const ec2 = new EC2Client(ctx.awsClientConfig);
  const elbv2 = new ElasticLoadBalancingV2Client(ctx.awsClientConfig);
  return {
    ec2,
    elbv2,
    destroy() {
      ec2.destroy();
      elbv2.destroy();
    },
  };
}

export interface RunningController {
  manager: Manager;
  stop(): Promise<void>;
}

export const CLUSTER_ID = 'it-published-app';

/** The Manager with the PublishedApp controller (and the EndpointService one if asked), scoped to the test namespace. */
export async function startController(
  ctx: TestContext,
  opts: {
    endpointServices?: boolean;
    resyncPeriodMs?: number;
    dryRun?: boolean;
    app?: PublishedAppReconcilerOptions;
    /** Sees every AWS call the controller makes, in order. */
    observer?: AwsCallObserver;
    /** Watched namespaces; default the test's own. */
    namespaces?: string[];
    /** --single-tenant: raw listenerArns accepted. */
    singleTenant?: boolean;
    /** Workers; default 2. */
    concurrency?: number;
  } = {},
): Promise<RunningController> {
  const factory = createAwsClientFactory({
    defaultRegion: 'us-east-1',
    ...ctx.awsClientConfig,
    ...(opts.observer ? { observer: opts.observer } : {}),
  });
  const manager = new Manager({
    kubeConfig: ctx.controllerKc,
    namespaces: opts.namespaces ?? [ctx.namespace],
    logger: pino({ level: process.env.PLP_TEST_LOG_LEVEL ?? 'silent' }),
    clusterId: CLUSTER_ID,
    resyncPeriodMs: opts.resyncPeriodMs ?? 2_000,
    concurrency: opts.concurrency ?? 2,
    dryRun: opts.dryRun ?? false,
    rateLimit: { baseDelayMs: 200, maxDelayMs: 3_000 },
  });
  manager.register(
    publishedAppController(factory, {
      pollMs: 500,
      verifyMs: 300,
      deletionRetryMs: 500,
      sharedReadMaxAgeMs: 300,
      referenceMaxAgeMs: 2_000,
      // Checkpoints and the observation loop are on in every suite, with short periods so
      // that drift the observation cannot see (targets) is still put back within seconds.
      observePeriodMs: 500,
      fullRecheckMs: 3_000,
      ...(opts.singleTenant ? { singleTenant: true } : {}),
      ...opts.app,
    }),
  );
  if (opts.endpointServices) {
    manager.register(endpointServiceController(factory, { transitionPollMs: 500, connectionPollMs: 1_000 }));
  }
  await manager.start();
  return {
    manager,
    async stop() {
      await manager.stop();
      factory.destroy();
    },
  };
}

/** Creates or replaces a PublishedApp via kubectl apply. */
export async function applyApp(
  ctx: TestContext,
  name: string,
  spec: PublishedAppSpec,
  annotations?: Record<string, string>,
): Promise<void> {
  const metadata = annotations ? { name, annotations } : { name };
  const body = { apiVersion: `${API_GROUP}/${API_VERSION}`, kind: 'PublishedApp', metadata, spec };
  const out = await ctx.kubectl(['apply', '-n', ctx.namespace, '-f', '-'], JSON.stringify(body));
  if (out.code !== 0) throw new Error(`kubectl apply failed: ${out.stderr}`);
}

/** Merge-patches the spec. */
export async function patchApp(ctx: TestContext, name: string, spec: object): Promise<void> {
  const out = await ctx.kubectl([
    'patch',
    '-n',
    ctx.namespace,
    'publishedapp',
    name,
    '--type=merge',
    '-p',
    JSON.stringify({ spec }),
  ]);
  if (out.code !== 0) throw new Error(`kubectl patch failed: ${out.stderr}`);
}

export async function deleteApp(ctx: TestContext, name: string): Promise<void> {
  const out = await ctx.kubectl(['delete', '-n', ctx.namespace, 'publishedapp', name, '--wait=false']);
  if (out.code !== 0) throw new Error(`kubectl delete failed: ${out.stderr}`);
}

export async function getApp(ctx: TestContext, name: string): Promise<PublishedApp | undefined> {
  return getCustomObject<PublishedApp>(ctx, PUBLISHED_APP, name);
}

export { condition, eventsFor, eventually, waitForEvent };

/** Waits until the app satisfies `check`, returning it. */
export function waitForApp(
  ctx: TestContext,
  name: string,
  what: string,
  check: (obj: PublishedApp) => boolean,
  timeoutMs?: number,
): Promise<PublishedApp> {
  return eventually(
    `${name}: ${what}`,
    async () => {
      const obj = await getApp(ctx, name);
      return obj && check(obj) ? obj : undefined;
    },
    timeoutMs,
  );
}

/** Waits for Ready=True at the current generation. */
export function waitForReady(ctx: TestContext, name: string, timeoutMs?: number): Promise<PublishedApp> {
  return waitForApp(
    ctx,
    name,
    'Ready',
    (o) => condition(o, 'Ready')?.[0] === 'True' && o.status?.observedGeneration === o.metadata?.generation,
    timeoutMs,
  );
}

// ------------------------------------------------------------------ AWS readers

/** Every rule of the listener: one page of 400 (AWS's maximum) holds a full listener (quota 100). */
export async function listenerRules(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
): Promise<Rule[]> {
  return (
    (await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn, PageSize: 400 }))).Rules ?? []
  );
}

export function pathsOf(rule: Rule): string[] {
  const c = rule.Conditions?.find((x) => x.Field === 'path-pattern');
  return [...(c?.PathPatternConfig?.Values ?? c?.Values ?? [])].sort();
}

export function forwardOf(rule: Rule): string[] {
  return (rule.Actions ?? []).flatMap(
    (a) =>
      a.ForwardConfig?.TargetGroups?.map((t) => t.TargetGroupArn!) ??
      (a.TargetGroupArn ? [a.TargetGroupArn] : []),
  );
}

/** Registered (non-draining) target IPs, sorted. */
export async function targetIps(elbv2: ElasticLoadBalancingV2Client, tgArn: string): Promise<string[]> {
  const out = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
  return (out.TargetHealthDescriptions ?? [])
    .filter((d) => !['draining', 'unused'].includes(d.TargetHealth?.State ?? ''))
    .map((d) => d.Target!.Id!)
    .sort();
}

export async function targetGroup(
  elbv2: ElasticLoadBalancingV2Client,
  arn: string,
): Promise<TargetGroup | undefined> {
  try {
    return (await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }))).TargetGroups?.[0];
  } catch {
    return undefined;
  }
}

/** Every target group whose name the controller derives (plp-…). */
export async function controllerTargetGroups(elbv2: ElasticLoadBalancingV2Client): Promise<TargetGroup[]> {
  const out = await elbv2.send(new DescribeTargetGroupsCommand({}));
  return (out.TargetGroups ?? []).filter((t) => t.TargetGroupName?.startsWith('plp-'));
}

/** Live endpoints tagged with the app's UID. */
export async function endpointsOf(ec2: EC2Client, uid: string): Promise<VpcEndpoint[]> {
  const out = await ec2.send(
    new DescribeVpcEndpointsCommand({ Filters: [{ Name: `tag:${TAG_KEYS.uid}`, Values: [uid] }] }),
  );
  return (out.VpcEndpoints ?? []).filter((e) => !['deleted', 'deleting'].includes(e.State ?? ''));
}

export async function endpoint(ec2: EC2Client, id: string): Promise<VpcEndpoint | undefined> {
  const out = await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }));
  return out.VpcEndpoints?.[0];
}

/** Private IPs of an endpoint's ENIs, sorted. */
export async function endpointIps(ec2: EC2Client, endpointId: string): Promise<string[]> {
  const ep = await endpoint(ec2, endpointId);
  const ids = ep?.NetworkInterfaceIds ?? [];
  if (ids.length === 0) return [];
  const out = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ids }));
  return (out.NetworkInterfaces ?? []).map((n) => n.PrivateIpAddress!).sort();
}

export async function securityGroupRules(
  ec2: EC2Client,
  groupId: string,
): Promise<{ ingress: IpPermission[]; egress: IpPermission[] } | undefined> {
  try {
    const g = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] })))
      .SecurityGroups?.[0];
    return g ? { ingress: g.IpPermissions ?? [], egress: g.IpPermissionsEgress ?? [] } : undefined;
  } catch {
    return undefined;
  }
}

/** Security groups tagged with the app's UID. */
export async function securityGroupsOf(ec2: EC2Client, uid: string): Promise<string[]> {
  const out = await ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: `tag:${TAG_KEYS.uid}`, Values: [uid] }] }),
  );
  return (out.SecurityGroups ?? []).map((g) => g.GroupId!);
}

/**
 * The app is refused whole: `condition` (then Ready) False with `reason`, a Warning Event saying
 * `says`, and nothing made for it in AWS (no endpoint, SG or target group).
 */
export async function expectRefusedWhole(
  ctx: TestContext,
  ec2: EC2Client,
  refusal: { name: string; condition: string; reason: string; says: string },
): Promise<void> {
  const { name, condition: type, reason, says } = refusal;
  const app = await waitForApp(ctx, name, reason, (o) => condition(o, type)?.[1] === reason);
  expect(condition(app, 'Ready')).toEqual(['False', reason]);
  await waitForEvent(ctx, name, reason, says);
  const uid = app.metadata!.uid!;
  expect(await endpointsOf(ec2, uid)).toEqual([]);
  expect(await securityGroupsOf(ec2, uid)).toEqual([]);
  expect(app.status?.targetGroupArn).toBeUndefined();
}
