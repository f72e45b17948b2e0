/**
 * What the reliability suites read back from AWS (straight from moto, never through the
 * fault proxy): which resources carry which app's ownership tag, and a normalized snapshot of
 * everything that is NOT ours — to prove the controller left it alone.
 */
import {
  DescribeSecurityGroupsCommand,
  DescribeVpcEndpointsCommand,
  type EC2Client,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import {
  CreateRuleCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { TAG_KEYS } from '../../src/api/kinds.ts';
import type { AwsClientConfig } from '../env/context.ts';

/** Credentials for `accountId` obtained by AssumeRole THROUGH the proxy, so it attributes our calls. */
export async function accountThroughProxy(proxyUrl: string, accountId: string): Promise<AwsClientConfig> {
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const sts = new STSClient({
    region,
    endpoint: proxyUrl,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const out = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/plp-test`, RoleSessionName: 'plp-rel' }),
  );
  sts.destroy();
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('STS AssumeRole returned no credentials');
  return {
    region,
    endpoint: proxyUrl,
    credentials: {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    },
  };
}

type Tags = Record<string, string>;

function tagMap(tags: readonly { Key?: string; Value?: string }[] | undefined): Tags {
  return Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

/** ELBv2 tags of many resources (DescribeTags takes 20 ARNs at a time). */
async function elbTags(
  elbv2: ElasticLoadBalancingV2Client,
  arns: readonly string[],
): Promise<Map<string, Tags>> {
  const out = new Map<string, Tags>();
  for (let i = 0; i < arns.length; i += 20) {
    const page = await elbv2.send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) }));
    for (const d of page.TagDescriptions ?? []) out.set(d.ResourceArn ?? '', tagMap(d.Tags));
  }
  return out;
}

const LIVE_ENDPOINT = (state: string | undefined): boolean => !['deleted', 'deleting'].includes(state ?? '');

/** One resource as the suites see it: its id, its tags, the app UID it is tagged with (if any). */
export interface Item {
  id: string;
  tags: Tags;
  uid?: string;
}

function item(id: string, tags: Tags): Item {
  const uid = tags[TAG_KEYS.uid];
  return uid === undefined ? { id, tags } : { id, tags, uid };
}

/** Every live endpoint, security group, target group and rule (on `listenerArn`) in the account. */
export interface Inventory {
  endpoints: Item[];
  securityGroups: Item[];
  targetGroups: (Item & { name: string })[];
  rules: (Item & { isDefault: boolean; forward: string[] })[];
}

/** Reads the inventory. */
export async function inventory(
  ec2: EC2Client,
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
): Promise<Inventory> {
  const eps = (await ec2.send(new DescribeVpcEndpointsCommand({}))).VpcEndpoints ?? [];
  const sgs = (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? [];
  const tgs = (await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
  const rules =
    (await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn, PageSize: 400 }))).Rules ?? [];
  const tags = await elbTags(elbv2, [
    ...tgs.map((t) => t.TargetGroupArn!),
    ...rules.filter((r) => !r.IsDefault).map((r) => r.RuleArn!),
  ]);
  return {
    endpoints: eps.filter((e) => LIVE_ENDPOINT(e.State)).map((e) => item(e.VpcEndpointId!, tagMap(e.Tags))),
    securityGroups: sgs.map((g) => item(g.GroupId!, tagMap(g.Tags))),
    targetGroups: tgs.map((t) => ({
      ...item(t.TargetGroupArn!, tags.get(t.TargetGroupArn!) ?? {}),
      name: t.TargetGroupName!,
    })),
    rules: rules.map((r) => ({
      ...item(r.RuleArn!, tags.get(r.RuleArn!) ?? {}),
      isDefault: r.IsDefault ?? false,
      forward: (r.Actions ?? []).flatMap(
        (a) =>
          a.ForwardConfig?.TargetGroups?.map((t) => t.TargetGroupArn!) ??
          (a.TargetGroupArn ? [a.TargetGroupArn] : []),
      ),
    })),
  };
}

/** How many of each kind carry `uid`. */
export function ownedCounts(inv: Inventory, uid: string): Record<keyof Inventory, number> {
  return {
    endpoints: inv.endpoints.filter((x) => x.uid === uid).length,
    securityGroups: inv.securityGroups.filter((x) => x.uid === uid).length,
    targetGroups: inv.targetGroups.filter((x) => x.uid === uid).length,
    rules: inv.rules.filter((x) => x.uid === uid).length,
  };
}

/** Recursively sorts object keys and orders arrays by their elements' JSON: order-insensitive. */
export function normalize(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value
      .map(normalize)
      .map((v) => [JSON.stringify(v), v] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, v]) => v);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k, v]) => k !== '$metadata' && v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, normalize(v)]),
    );
  }
  return value;
}

/** Drops permissions (or their group pairs) that point at `ours`: the controller's own egress on a shared SG. */
function withoutOurPairs(
  perms: readonly IpPermission[] | undefined,
  ours: ReadonlySet<string>,
): IpPermission[] {
  return (perms ?? [])
    .map((p) => ({
      ...p,
      UserIdGroupPairs: (p.UserIdGroupPairs ?? []).filter((g) => !ours.has(g.GroupId ?? '')),
    }))
    .filter(
      (p) =>
        p.UserIdGroupPairs.length > 0 ||
        (p.IpRanges ?? []).length > 0 ||
        (p.Ipv6Ranges ?? []).length > 0 ||
        (p.PrefixListIds ?? []).length > 0,
    );
}

/**
 * Describe* of every resource that does not carry our UID tag — load balancers, listeners,
 * rules, target groups with their targets, security groups with their rules, endpoints —
 * normalized to JSON. `ignorePairsTo` (our SG ids) hides rules that reference our groups, i.e.
 * the controller's documented egress rule on the ALB's SG while apps exist; pass none to see it.
 */
export async function foreignSnapshot(
  ec2: EC2Client,
  elbv2: ElasticLoadBalancingV2Client,
  ignorePairsTo: ReadonlySet<string> = new Set(),
): Promise<string> {
  const lbs = (await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
  const listeners = [];
  const rules = [];
  for (const lb of lbs) {
    const ls =
      (await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn! }))).Listeners ??
      [];
    listeners.push(...ls);
    for (const l of ls) {
      if (l.Protocol !== 'HTTP' && l.Protocol !== 'HTTPS') continue;
      rules.push(
        ...((await elbv2.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn!, PageSize: 400 })))
          .Rules ?? []),
      );
    }
  }
  const tgs = (await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
  const tags = await elbTags(elbv2, [
    ...tgs.map((t) => t.TargetGroupArn!),
    ...rules.filter((r) => !r.IsDefault).map((r) => r.RuleArn!),
  ]);
  const foreign = (arn: string): boolean => tags.get(arn)?.[TAG_KEYS.uid] === undefined;
  const targetGroups = [];
  for (const tg of tgs.filter((t) => foreign(t.TargetGroupArn!))) {
    const health = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn! }));
    targetGroups.push({
      ...tg,
      tags: tags.get(tg.TargetGroupArn!),
      targets: (health.TargetHealthDescriptions ?? []).map((d) => d.Target),
    });
  }
  const sgs = ((await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? [])
    .filter((g) => tagMap(g.Tags)[TAG_KEYS.uid] === undefined)
    .map((g) => ({
      ...g,
      IpPermissions: withoutOurPairs(g.IpPermissions, ignorePairsTo),
      IpPermissionsEgress: withoutOurPairs(g.IpPermissionsEgress, ignorePairsTo),
    }));
  const endpoints = ((await ec2.send(new DescribeVpcEndpointsCommand({}))).VpcEndpoints ?? []).filter(
    (e) => tagMap(e.Tags)[TAG_KEYS.uid] === undefined && LIVE_ENDPOINT(e.State),
  );
  return JSON.stringify(
    normalize({
      loadBalancers: lbs,
      listeners,
      rules: rules
        .filter((r) => r.IsDefault || foreign(r.RuleArn!))
        .map((r) => ({ ...r, tags: tags.get(r.RuleArn!) })),
      targetGroups,
      securityGroups: sgs,
      endpoints,
    }),
    null,
    1,
  );
}

/**
 * Two foreign rules on a shared listener, the kind an ownership check must see unchanged:
 * one forwarding `/legacy` to `tgArn` at priority 1, one fixed-response rule at 1000 (where
 * the controller's priority allocation starts).
 */
export async function seedForeignRules(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
  tgArn: string,
): Promise<void> {
  await elbv2.send(
    new CreateRuleCommand({
      ListenerArn: listenerArn,
      Priority: 1,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/legacy', '/legacy/*'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: tgArn }],
    }),
  );
  await elbv2.send(
    new CreateRuleCommand({
      ListenerArn: listenerArn,
      Priority: 1000,
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['teapot.example.com'] } }],
      Actions: [
        { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '418', ContentType: 'text/plain' } },
      ],
    }),
  );
}
