/**
 * The scope-wide (account + region) describes that every PublishedApp of the scope shares —
 * all owned endpoints, all owned SGs, a listener's rules — memoised in {@link SharedReads}.
 * Reconciles read them through here, and the observation loop refreshes them, so both see
 * the same data and a resync of N objects costs O(pages), not O(N) calls.
 */
import { ownerFilters } from '../../aws/tags.ts';
import type { AwsClients } from '../../aws/types.ts';
import * as ops from './aws-ops.ts';
import type { LiveRoute } from './plan-api.ts';
import type { CertificateInfo } from './plan-certificate.ts';
import type { Deps } from './session.ts';
import { readKey, type SharedReads } from './shared-reads.ts';

/** A listener with its load balancer; undefined when either is gone. */
export type ListenerAndAlb = { listener: ops.ListenerInfo; loadBalancer: ops.LoadBalancerInfo } | undefined;

const idList = (ids: readonly string[]): string => [...ids].sort().join(',');

/**
 * Every memo key of the reconciler, per scope (account + region). Writers patch (write
 * through) or invalidate these after changing what they describe.
 */
export const readKeys = {
  endpoints: (scope: string) => readKey<ops.TaggedEndpoint[]>(`${scope}|endpoints`),
  securityGroups: (scope: string) => readKey<ops.ObservedSecurityGroup[]>(`${scope}|security-groups`),
  rules: (scope: string, listenerArn: string) => readKey<ops.ListenerRule[]>(`${scope}|rules|${listenerArn}`),
  listeners: (scope: string, loadBalancerArn: string) =>
    readKey<string[]>(`${scope}|listeners|${loadBalancerArn}`),
  targetGroups: (scope: string, loadBalancerArn: string) =>
    readKey<ops.ObservedTargetGroup[]>(`${scope}|target-groups|${loadBalancerArn}`),
  listenerAndAlb: (scope: string, listenerArn: string) =>
    readKey<ListenerAndAlb>(`${scope}|listener|${listenerArn}`),
  subnets: (scope: string, ids: readonly string[]) =>
    readKey<Map<string, ops.SubnetInfo>>(`${scope}|subnets|${idList(ids)}`),
  /** The SGs a spec adds to the endpoint (checked to exist in its VPC). */
  extraSecurityGroups: (scope: string, ids: readonly string[]) =>
    readKey<ops.ObservedSecurityGroup[]>(`${scope}|extra-sgs|${idList(ids)}`),
  albSecurityGroups: (scope: string, ids: readonly string[]) =>
    readKey<ops.ObservedSecurityGroup[]>(`${scope}|alb-sgs|${idList(ids)}`),
  listenerCertificates: (scope: string, listenerArn: string) =>
    readKey<ops.ListenerCertificate[]>(`${scope}|listener-certificates|${listenerArn}`),
  /** A listener's tags: the marks of the SNI certificates the controller added. */
  listenerTags: (scope: string, listenerArn: string) =>
    readKey<Record<string, string>>(`${scope}|listener-tags|${listenerArn}`),
  certificate: (scope: string, arn: string) =>
    readKey<CertificateInfo | undefined>(`${scope}|certificate|${arn}`),
  api: (scope: string, apiId: string) => readKey<ops.ApiInfo | undefined>(`${scope}|api|${apiId}`),
  /** Every route of an HTTP API (ours are those to our integrations). */
  apiRoutes: (scope: string, apiId: string) => readKey<LiveRoute[]>(`${scope}|api-routes|${apiId}`),
};

/** Every endpoint this controller owns in the scope (one paged describe), any state. */
export function scopeEndpoints(
  deps: Deps,
  clients: AwsClients,
  maxAgeMs?: number,
): Promise<ops.TaggedEndpoint[]> {
  const { ec2, scope } = clients;
  return deps.reads.get(
    readKeys.endpoints(scope),
    async () => {
      const since = deps.enis.mark();
      const found = await ops.describeTaggedEndpoints(ec2, ownerFilters({ clusterId: deps.rt.clusterId }));
      deps.enis.retain(scope, new Set(found.flatMap((e) => e.networkInterfaceIds)), since);
      return found;
    },
    maxAgeMs,
  );
}

/** Every SG this controller owns in the scope (one paged describe). */
export function scopeSecurityGroups(
  deps: Deps,
  clients: AwsClients,
  maxAgeMs?: number,
): Promise<ops.ObservedSecurityGroup[]> {
  return deps.reads.get(
    readKeys.securityGroups(clients.scope),
    () => ops.describeTaggedSecurityGroups(clients.ec2, ownerFilters({ clusterId: deps.rt.clusterId })),
    maxAgeMs,
  );
}

/** Every target group the load balancer forwards to, with its health-check settings. */
export function targetGroupsOfLoadBalancer(
  deps: Deps,
  clients: AwsClients,
  loadBalancerArn: string,
  maxAgeMs?: number,
): Promise<ops.ObservedTargetGroup[]> {
  return deps.reads.get(
    readKeys.targetGroups(clients.scope, loadBalancerArn),
    () => ops.describeTargetGroupsOfLoadBalancer(clients.elbv2, loadBalancerArn),
    maxAgeMs,
  );
}

/** A listener's rules, shared by the apps on it. */
export function rulesOfListener(
  deps: Deps,
  clients: AwsClients,
  listenerArn: string,
  maxAgeMs?: number,
): Promise<ops.ListenerRule[]> {
  return deps.reads.get(
    readKeys.rules(clients.scope, listenerArn),
    () => ops.describeRules(clients.elbv2, listenerArn),
    maxAgeMs,
  );
}

/** The listeners of a load balancer (for its rule quota, which counts them all). */
export function listenersOfLoadBalancer(
  deps: Deps,
  clients: AwsClients,
  loadBalancerArn: string,
  maxAgeMs?: number,
): Promise<string[]> {
  return deps.reads.get(
    readKeys.listeners(clients.scope, loadBalancerArn),
    () => ops.listenersOfLoadBalancer(clients.elbv2, loadBalancerArn),
    maxAgeMs,
  );
}

/** One change of a rule on a listener, as written through to the listener's memoised rules. */
export interface RuleChange {
  listenerArn: string;
  /** The rule changed. */
  arn: string;
  /** The rule as AWS returned it; absent when it was deleted. */
  rule?: ops.ListenerRule;
}

/**
 * Writes one rule change through to the listener's memoised rules, so the next app on the
 * listener need not re-read them all: `rule` (as AWS returned it) replaces the rule with its
 * ARN, or joins the list; without `rule`, `arn` leaves it.
 */
export function patchListenerRules(reads: SharedReads, scope: string, change: RuleChange): void {
  const { arn, rule } = change;
  reads.patch(readKeys.rules(scope, change.listenerArn), (rules) => {
    const rest = rules.filter((r) => r.arn !== arn);
    if (!rule) return rest;
    const at = rules.findIndex((r) => r.arn === arn);
    return at < 0 ? [...rest, rule] : rules.map((r) => (r.arn === arn ? rule : r));
  });
}

/** Writes an owned SG, as just described, through to the scope's memoised owned SGs. */
export function patchSecurityGroup(
  reads: SharedReads,
  scope: string,
  group: ops.ObservedSecurityGroup,
): void {
  reads.patch(readKeys.securityGroups(scope), (groups) => [
    ...groups.filter((g) => g.groupId !== group.groupId),
    group,
  ]);
}
