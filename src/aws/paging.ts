/**
 * Paged Describe calls as async iterators, so one batched observation walks every page
 * (and every chunk of ids) with the fewest calls AWS allows.
 */
import {
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeVpcEndpointConnectionsCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointsCommand,
  type DescribeSecurityGroupRulesCommandInput,
  type DescribeVpcEndpointConnectionsCommandInput,
  type DescribeVpcEndpointServiceConfigurationsCommandInput,
  type DescribeVpcEndpointsCommandInput,
  type EC2Client,
  type Filter,
  type NetworkInterface,
  type SecurityGroupRule,
  type ServiceConfiguration,
  type VpcEndpoint,
  type VpcEndpointConnection,
} from '@aws-sdk/client-ec2';
import {
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  type DescribeTargetGroupsCommandInput,
  type ElasticLoadBalancingV2Client,
  type Rule,
  type Tag,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';

/** Passed to every call a paged describe makes (the SDK's own option name). */
export interface PageOptions {
  abortSignal?: AbortSignal;
}

/** One page: its items and the token for the next, if any. */
export interface Page<T> {
  items: readonly T[] | undefined;
  next: string | undefined;
}

/**
 * Walks pages until AWS returns no (or an empty) token. A token repeated twice in a row
 * ends the walk instead of looping forever on a misbehaving endpoint.
 */
export async function* paginate<T>(
  fetchPage: (token: string | undefined) => Promise<Page<T>>,
): AsyncGenerator<T> {
  let token: string | undefined;
  for (;;) {
    const page = await fetchPage(token);
    yield* page.items ?? [];
    if (!page.next || page.next === token) return;
    token = page.next;
  }
}

/** Splits `items` into chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  if (!(size >= 1)) throw new RangeError(`chunk size must be ≥ 1, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Drains an async iterable into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** EC2 allows at most 1,000 results per page and 200 values per filter. */
const EC2_PAGE = 1000;
const EC2_FILTER_VALUES = 200;
/** ELBv2 allows at most 400 per page and 20 ARNs per DescribeTags. */
const ELBV2_PAGE = 400;
const ELBV2_TAGS_ARNS = 20;

/**
 * VPC endpoints. With `VpcEndpointIds`, an id that does not exist fails the whole call;
 * prefer tag filters for batched observation.
 */
export function vpcEndpoints(
  ec2: EC2Client,
  input: Omit<DescribeVpcEndpointsCommandInput, 'NextToken'> = {},
  opts: PageOptions = {},
): AsyncGenerator<VpcEndpoint> {
  const MaxResults = input.MaxResults ?? (input.VpcEndpointIds ? undefined : EC2_PAGE);
  return paginate(async (NextToken) => {
    const out = await ec2.send(new DescribeVpcEndpointsCommand({ ...input, MaxResults, NextToken }), opts);
    return { items: out.VpcEndpoints, next: out.NextToken };
  });
}

/** Connections to this account's endpoint services (provider side). */
export function vpcEndpointConnections(
  ec2: EC2Client,
  input: Omit<DescribeVpcEndpointConnectionsCommandInput, 'NextToken'> = {},
  opts: PageOptions = {},
): AsyncGenerator<VpcEndpointConnection> {
  return paginate(async (NextToken) => {
    const out = await ec2.send(
      new DescribeVpcEndpointConnectionsCommand({ MaxResults: EC2_PAGE, ...input, NextToken }),
      opts,
    );
    return { items: out.VpcEndpointConnections, next: out.NextToken };
  });
}

/** This account's endpoint service configurations. */
export function vpcEndpointServiceConfigurations(
  ec2: EC2Client,
  input: Omit<DescribeVpcEndpointServiceConfigurationsCommandInput, 'NextToken'> = {},
  opts: PageOptions = {},
): AsyncGenerator<ServiceConfiguration> {
  const MaxResults = input.MaxResults ?? (input.ServiceIds ? undefined : EC2_PAGE);
  return paginate(async (NextToken) => {
    const out = await ec2.send(
      new DescribeVpcEndpointServiceConfigurationsCommand({ ...input, MaxResults, NextToken }),
      opts,
    );
    return { items: out.ServiceConfigurations, next: out.NextToken };
  });
}

/**
 * Network interfaces by id. Ids go in a `network-interface-id` filter (200 per call), so
 * an ENI that no longer exists is simply absent instead of failing the whole batch.
 */
export async function* networkInterfacesById(
  ec2: EC2Client,
  ids: readonly string[],
  opts: PageOptions = {},
): AsyncGenerator<NetworkInterface> {
  for (const chunk of chunks([...new Set(ids)], EC2_FILTER_VALUES)) {
    yield* networkInterfaces(ec2, [{ Name: 'network-interface-id', Values: chunk }], opts);
  }
}

/** Network interfaces matching `filters`. */
export function networkInterfaces(
  ec2: EC2Client,
  filters: Filter[],
  opts: PageOptions = {},
): AsyncGenerator<NetworkInterface> {
  return paginate(async (NextToken) => {
    const out = await ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: filters, MaxResults: EC2_PAGE, NextToken }),
      opts,
    );
    return { items: out.NetworkInterfaces, next: out.NextToken };
  });
}

/** Security group rules, e.g. filtered by `group-id` or an ownership `tag:`. */
export function securityGroupRules(
  ec2: EC2Client,
  input: Omit<DescribeSecurityGroupRulesCommandInput, 'NextToken'> = {},
  opts: PageOptions = {},
): AsyncGenerator<SecurityGroupRule> {
  const MaxResults = input.MaxResults ?? (input.SecurityGroupRuleIds ? undefined : EC2_PAGE);
  return paginate(async (NextToken) => {
    const out = await ec2.send(
      new DescribeSecurityGroupRulesCommand({ ...input, MaxResults, NextToken }),
      opts,
    );
    return { items: out.SecurityGroupRules, next: out.NextToken };
  });
}

/** Every rule of one listener (AWS returns them in priority order; moto in creation order). */
export function listenerRules(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
  opts: PageOptions & { pageSize?: number } = {},
): AsyncGenerator<Rule> {
  return paginate(async (Marker) => {
    const out = await elbv2.send(
      new DescribeRulesCommand({ ListenerArn: listenerArn, PageSize: opts.pageSize ?? ELBV2_PAGE, Marker }),
      { abortSignal: opts.abortSignal },
    );
    return { items: out.Rules, next: out.NextMarker };
  });
}

/** Target groups; by ARNs or names, a missing one fails the call (TargetGroupNotFound). */
export function targetGroups(
  elbv2: ElasticLoadBalancingV2Client,
  input: Omit<DescribeTargetGroupsCommandInput, 'Marker'> = {},
  opts: PageOptions = {},
): AsyncGenerator<TargetGroup> {
  return paginate(async (Marker) => {
    const out = await elbv2.send(
      new DescribeTargetGroupsCommand({ PageSize: ELBV2_PAGE, ...input, Marker }),
      opts,
    );
    return { items: out.TargetGroups, next: out.NextMarker };
  });
}

/** Tags of ELBv2 resources, 20 ARNs per call, keyed by ARN. */
export async function elbv2Tags(
  elbv2: ElasticLoadBalancingV2Client,
  arns: readonly string[],
  opts: PageOptions = {},
): Promise<Map<string, Tag[]>> {
  const tags = new Map<string, Tag[]>();
  for (const chunk of chunks([...new Set(arns)], ELBV2_TAGS_ARNS)) {
    const out = await elbv2.send(new DescribeTagsCommand({ ResourceArns: chunk }), opts);
    for (const d of out.TagDescriptions ?? []) if (d.ResourceArn) tags.set(d.ResourceArn, d.Tags ?? []);
  }
  return tags;
}
