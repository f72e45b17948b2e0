/**
 * One observation for the invariants: the namespace's PublishedApps from the API server and
 * the account's resources straight from moto (never through the fault proxy).
 */
import {
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcEndpointsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { PUBLISHED_APP } from '../src/api/kinds.ts';
import type { PublishedApp } from '../src/api/v1alpha1.ts';
import { collectionPath, type KubeClient, type ObjectList } from '../src/controller/kube-client.ts';
import { forwardOf, listenerRules, pathsOf, targetIps } from '../test/integration/published-app/harness.ts';
import { foreignSnapshot, inventory, type Inventory } from '../test/reliability/inventory.ts';
import type { Ingress, Observation, ObservedRule, ObservedTargetGroup } from './invariants.ts';

/** The PublishedApps of `namespace`, by name. */
export async function listApps(kube: KubeClient, namespace: string): Promise<Map<string, PublishedApp>> {
  const list = await kube.request<ObjectList<PublishedApp>>('GET', collectionPath(PUBLISHED_APP, namespace));
  return new Map(list.items.map((a) => [a.metadata!.name!, a]));
}

/** inventory() of every listener, merged: account-wide kinds once, rules of all listeners. */
async function mergedInventory(
  ec2: EC2Client,
  elbv2: ElasticLoadBalancingV2Client,
  listenerArns: readonly string[],
): Promise<Inventory> {
  const [first, ...rest] = listenerArns;
  const inv = await inventory(ec2, elbv2, first!);
  // Only the rules are per listener (the other kinds are read account-wide each time).
  for (const l of rest) inv.rules.push(...(await inventory(ec2, elbv2, l)).rules);
  return inv;
}

async function observedTargetGroups(
  elbv2: ElasticLoadBalancingV2Client,
  inv: Inventory,
): Promise<Map<string, ObservedTargetGroup>> {
  const ours = new Map(inv.targetGroups.filter((t) => t.uid !== undefined).map((t) => [t.id, t.tags]));
  const out = new Map<string, ObservedTargetGroup>();
  for (const tg of (await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []) {
    const arn = tg.TargetGroupArn!;
    const tags = ours.get(arn);
    if (tags === undefined) continue;
    const attrs = await elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }));
    const delay = attrs.Attributes?.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value;
    out.set(arn, {
      healthCheck: {
        path: tg.HealthCheckPath,
        intervalSeconds: tg.HealthCheckIntervalSeconds,
        timeoutSeconds: tg.HealthCheckTimeoutSeconds,
        healthyThresholdCount: tg.HealthyThresholdCount,
        unhealthyThresholdCount: tg.UnhealthyThresholdCount,
        matcher: tg.Matcher?.HttpCode,
      },
      deregistrationDelaySeconds: delay === undefined ? undefined : Number(delay),
      targets: await targetIps(elbv2, arn),
      tags,
    });
  }
  return out;
}

async function observedEndpoints(ec2: EC2Client): Promise<Map<string, { subnets: string[]; ips: string[] }>> {
  const eps = ((await ec2.send(new DescribeVpcEndpointsCommand({}))).VpcEndpoints ?? []).filter(
    (e) => !['deleted', 'deleting'].includes(e.State ?? ''),
  );
  const enis = (await ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces ?? [];
  const ipOf = new Map(enis.map((n) => [n.NetworkInterfaceId!, n.PrivateIpAddress!]));
  return new Map(
    eps.map((e) => [
      e.VpcEndpointId!,
      {
        subnets: [...(e.SubnetIds ?? [])].sort(),
        ips: (e.NetworkInterfaceIds ?? []).flatMap((id) => ipOf.get(id) ?? []).sort(),
      },
    ]),
  );
}

async function observedIngress(ec2: EC2Client): Promise<Map<string, Ingress[]>> {
  const sgs = (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? [];
  return new Map(
    sgs.map((g) => [
      g.GroupId!,
      (g.IpPermissions ?? []).flatMap((p) =>
        [
          ...(p.UserIdGroupPairs ?? []).map((x) => x.GroupId ?? ''),
          ...(p.IpRanges ?? []).map((x) => x.CidrIp ?? ''),
        ].map((source) => ({ protocol: p.IpProtocol ?? '', fromPort: p.FromPort, toPort: p.ToPort, source })),
      ),
    ]),
  );
}

/** Reads one observation (about 2 calls per app plus a dozen). */
export async function observe(
  kube: KubeClient,
  namespace: string,
  ec2: EC2Client,
  elbv2: ElasticLoadBalancingV2Client,
  listenerArns: readonly string[],
): Promise<Observation> {
  const apps = await listApps(kube, namespace);
  const inv = await mergedInventory(ec2, elbv2, listenerArns);
  const rules = new Map<string, ObservedRule>();
  for (const l of listenerArns) {
    for (const r of await listenerRules(elbv2, l)) {
      if (r.IsDefault) continue;
      rules.set(r.RuleArn!, { paths: pathsOf(r), priority: Number(r.Priority), forward: forwardOf(r) });
    }
  }
  const ourSgs = new Set(inv.securityGroups.filter((g) => g.uid !== undefined).map((g) => g.id));
  return {
    apps,
    inventory: inv,
    rules,
    targetGroups: await observedTargetGroups(elbv2, inv),
    endpoints: await observedEndpoints(ec2),
    ingress: await observedIngress(ec2),
    foreign: await foreignSnapshot(ec2, elbv2, ourSgs),
  };
}
