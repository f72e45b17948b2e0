/**
 * Pure planning for an EndpointService: what the spec wants, how it differs from what AWS
 * reports, and which pending endpoint connections to accept or reject. No I/O, no clock,
 * no SDK types — the reconciler observes, calls these, and applies the result.
 */
import { createHash } from 'node:crypto';

/** The spec fields the planner reads (structurally compatible with the generated API type). */
export interface EndpointServiceSpecInput {
  networkLoadBalancerArns: string[];
  acceptanceRequired?: boolean;
  allowedPrincipals?: string[];
  autoAccept?: { principals?: string[]; rejectOthers?: boolean };
  privateDnsName?: string;
  supportedIpAddressTypes?: string[];
}

/** The spec with every default applied. */
export interface DesiredService {
  networkLoadBalancerArns: string[];
  acceptanceRequired: boolean;
  allowedPrincipals: string[];
  autoAccept: { principals: string[]; rejectOthers: boolean };
  privateDnsName?: string;
  supportedIpAddressTypes: string[];
  /** User tags plus ownership tags. */
  tags: Record<string, string>;
}

/** A VPC endpoint service configuration as observed in AWS. */
export interface ObservedService {
  serviceId: string;
  serviceName: string;
  /** AWS ServiceState: Pending | Available | Deleting | Deleted | Failed. */
  state: string;
  acceptanceRequired: boolean;
  networkLoadBalancerArns: string[];
  /** Set only for a service fronting Gateway Load Balancers (never one this controller made). */
  gatewayLoadBalancerArns?: string[];
  supportedIpAddressTypes: string[];
  privateDnsName?: string;
  privateDnsNameConfiguration?: { state?: string; type?: string; name?: string; value?: string };
  tags: Record<string, string>;
}

/** A load balancer as DescribeLoadBalancers reports it. */
export interface ObservedLoadBalancer {
  arn: string;
  /** `network`, `application` or `gateway`. */
  type: string;
}

/** One endpoint connection to the service. */
export interface ObservedConnection {
  endpointId: string;
  /** Account id of the endpoint's owner. */
  owner: string;
  /** AWS VpcEndpointState, e.g. `pendingAcceptance`, `available`, `rejected`. */
  state: string;
  /**
   * The PublishedApp this controller made the endpoint for, when known, and whether the
   * service consents to that app's namespace.
   */
  consumer?: { app: string; permitted: boolean };
  /** Tags AWS shows on the connection. */
  tags?: Record<string, string>;
}

/** Why the spec's load balancers cannot be used; a condition reason plus a message. */
export interface LoadBalancerProblem {
  reason: 'LoadBalancerNotFound' | 'NotNetworkLoadBalancer';
  message: string;
}

/** A ModifyVpcEndpointServiceConfiguration request body, minus the service id. */
export interface ServiceModification {
  addNetworkLoadBalancerArns: string[];
  removeNetworkLoadBalancerArns: string[];
  addSupportedIpAddressTypes: string[];
  removeSupportedIpAddressTypes: string[];
  acceptanceRequired?: boolean;
  privateDnsName?: string;
  removePrivateDnsName?: boolean;
}

/** Add and remove lists that bring an observed set to a desired one. */
export interface SetDiff {
  add: string[];
  remove: string[];
}

/** The controller's verdict on one connection. */
export type ConnectionDecision = 'Accepted' | 'Rejected' | 'Pending';

/** A connection, what to do about it, and why (the audit trail written to Events). */
export interface ConnectionPlan {
  endpointId: string;
  owner: string;
  state: string;
  /** Absent when the state says nothing about a decision (deleted, expired, failed…). */
  decision?: ConnectionDecision;
  /** `accept`/`reject`: act on it now; `none`: leave it as it is. */
  action: 'accept' | 'reject' | 'none';
  why: string;
}

const DEFAULT_IP_ADDRESS_TYPES = ['ipv4'];
const ACCOUNT_ID = /^\d{12}$/;
const IAM_ARN = /^arn:[^:]+:iam::(\d{12}):/;

/**
 * Applies the API's defaults. `tags` is the resource's complete tag set (the user's valid
 * tags plus the ownership tags, from aws/tags.ts); `spec.tags` is not read here.
 */
export function desiredService(spec: EndpointServiceSpecInput, tags: Record<string, string>): DesiredService {
  const desired: DesiredService = {
    networkLoadBalancerArns: unique(spec.networkLoadBalancerArns),
    acceptanceRequired: spec.acceptanceRequired ?? true,
    allowedPrincipals: unique(spec.allowedPrincipals ?? []),
    autoAccept: {
      principals: unique(spec.autoAccept?.principals ?? []),
      rejectOthers: spec.autoAccept?.rejectOthers ?? false,
    },
    supportedIpAddressTypes: unique(
      spec.supportedIpAddressTypes?.length ? spec.supportedIpAddressTypes : DEFAULT_IP_ADDRESS_TYPES,
    ),
    tags: { ...tags },
  };
  if (spec.privateDnsName) desired.privateDnsName = spec.privateDnsName;
  return desired;
}

/**
 * Judges DescribeLoadBalancers' answer for the wanted ARNs: every one must exist and be a
 * Network Load Balancer (the only kind an interface endpoint service can front).
 */
export function checkLoadBalancers(
  wanted: readonly string[],
  found: readonly ObservedLoadBalancer[],
): LoadBalancerProblem | undefined {
  const byArn = new Map(found.map((lb) => [lb.arn, lb]));
  const missing = wanted.filter((arn) => !byArn.has(arn));
  if (missing.length > 0) {
    return { reason: 'LoadBalancerNotFound', message: `load balancer not found: ${missing.join(', ')}` };
  }
  const wrongType = wanted.filter((arn) => byArn.get(arn)?.type !== 'network');
  if (wrongType.length > 0) {
    const described = wrongType.map((arn) => `${arn} (${byArn.get(arn)?.type ?? 'unknown'})`);
    return {
      reason: 'NotNetworkLoadBalancer',
      message: `not a network load balancer: ${described.join(', ')}`,
    };
  }
  return undefined;
}

/** `add`: in desired but not observed; `remove`: observed but not desired. Order follows the inputs. */
export function diffSets(desired: readonly string[], observed: readonly string[]): SetDiff {
  const have = new Set(observed);
  const want = new Set(desired);
  return {
    add: unique(desired.filter((x) => !have.has(x))),
    remove: unique(observed.filter((x) => !want.has(x))),
  };
}

/**
 * The NLBs to check before they are attached: all of them for a new service, else those not
 * attached yet (attached ones were checked when they were attached).
 */
export function loadBalancersToVerify(desired: DesiredService, observed?: ObservedService): string[] {
  return observed
    ? diffSets(desired.networkLoadBalancerArns, observed.networkLoadBalancerArns).add
    : desired.networkLoadBalancerArns;
}

/**
 * The ModifyVpcEndpointServiceConfiguration that brings `observed` in line with `desired`,
 * or undefined when nothing differs. NLBs detached out of band come back through `add`.
 */
export function planServiceModification(
  desired: DesiredService,
  observed: ObservedService,
): ServiceModification | undefined {
  const nlbs = diffSets(desired.networkLoadBalancerArns, observed.networkLoadBalancerArns);
  const ipTypes = diffSets(
    desired.supportedIpAddressTypes,
    observed.supportedIpAddressTypes.length ? observed.supportedIpAddressTypes : DEFAULT_IP_ADDRESS_TYPES,
  );
  const mod: ServiceModification = {
    addNetworkLoadBalancerArns: nlbs.add,
    removeNetworkLoadBalancerArns: nlbs.remove,
    addSupportedIpAddressTypes: ipTypes.add,
    removeSupportedIpAddressTypes: ipTypes.remove,
  };
  let changed = nlbs.add.length + nlbs.remove.length + ipTypes.add.length + ipTypes.remove.length > 0;
  if (desired.acceptanceRequired !== observed.acceptanceRequired) {
    mod.acceptanceRequired = desired.acceptanceRequired;
    changed = true;
  }
  if (desired.privateDnsName && desired.privateDnsName !== observed.privateDnsName) {
    mod.privateDnsName = desired.privateDnsName;
    changed = true;
  } else if (!desired.privateDnsName && observed.privateDnsName) {
    mod.removePrivateDnsName = true;
    changed = true;
  }
  return changed ? mod : undefined;
}

/** One line saying what a modification changes, for Events and logs. */
export function describeModification(mod: ServiceModification): string {
  const parts: string[] = [];
  const list = (verb: string, items: string[]): void => {
    if (items.length > 0) parts.push(`${verb} ${items.join(', ')}`);
  };
  list('attach NLB', mod.addNetworkLoadBalancerArns);
  list('detach NLB', mod.removeNetworkLoadBalancerArns);
  list('add IP type', mod.addSupportedIpAddressTypes);
  list('remove IP type', mod.removeSupportedIpAddressTypes);
  if (mod.acceptanceRequired !== undefined) parts.push(`acceptanceRequired=${mod.acceptanceRequired}`);
  if (mod.privateDnsName !== undefined) parts.push(`privateDnsName=${mod.privateDnsName}`);
  if (mod.removePrivateDnsName) parts.push('remove privateDnsName');
  return parts.join('; ');
}

/** One line saying what a change of the allowed principals does, for Events and logs. */
export function describePrincipalChange(diff: SetDiff): string {
  return [
    diff.add.length ? `allowed ${diff.add.join(', ')}` : '',
    diff.remove.length ? `removed ${diff.remove.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** Tags to create or overwrite so the resource carries every desired tag (others are left alone). */
export function planTags(
  desired: Record<string, string>,
  observed: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(Object.entries(desired).filter(([key, value]) => observed[key] !== value));
}

/** The account a principal names: an account id, the account in an IAM ARN, or `*`. */
export function principalAccount(principal: string): string | undefined {
  if (principal === '*' || ACCOUNT_ID.test(principal)) return principal;
  return IAM_ARN.exec(principal)?.[1];
}

/** Inputs to {@link planConnections}. */
export interface ConnectionPolicy {
  acceptanceRequired: boolean;
  allowedPrincipals: readonly string[];
  autoAccept: { principals: readonly string[]; rejectOthers: boolean };
  /** Account that owns the service; it may always connect, so `"*"` covers it. */
  serviceAccount?: string;
}

/** The connection policy the spec sets; the service's account is the first NLB's. */
export function connectionPolicy(desired: DesiredService): ConnectionPolicy {
  return {
    acceptanceRequired: desired.acceptanceRequired,
    allowedPrincipals: desired.allowedPrincipals,
    autoAccept: desired.autoAccept,
    serviceAccount: arnAccount(desired.networkLoadBalancerArns[0] ?? ''),
  };
}

/**
 * Decides every connection. Only `pendingAcceptance` ones are acted on; anything already
 * decided (by us, by a person, or by AWS) is reported as seen and left alone.
 *
 * A connection names only its owner's account, so a principal ARN in `autoAccept` stands
 * for its account. `"*"` means "anyone allowed to connect": the service's own account, any
 * account of `allowedPrincipals`, or everyone when `allowedPrincipals` holds `"*"`. With
 * `acceptanceRequired: false` AWS accepts new connections itself; leftovers from before
 * that change are accepted to match.
 */
export function planConnections(
  policy: ConnectionPolicy,
  connections: readonly ObservedConnection[],
): ConnectionPlan[] {
  const match = autoAcceptMatcher(policy);
  return [...connections]
    .sort((a, b) => a.endpointId.localeCompare(b.endpointId))
    .map((conn) => {
      const base = { endpointId: conn.endpointId, owner: conn.owner, state: conn.state };
      if (normalizeState(conn.state) !== 'pendingacceptance') return { ...base, ...seenDecision(conn.state) };
      if (!policy.acceptanceRequired) {
        return { ...base, decision: 'Accepted', action: 'accept', why: 'acceptanceRequired is false' };
      }
      if (conn.consumer && !conn.consumer.permitted) {
        const why = `made for PublishedApp ${conn.consumer.app}, whose namespace allowedConsumers does not admit`;
        return policy.autoAccept.rejectOthers
          ? { ...base, decision: 'Rejected', action: 'reject', why: `${why} (rejectOthers)` }
          : { ...base, decision: 'Pending', action: 'none', why: `${why}; left for manual decision` };
      }
      const matched = match(conn.owner);
      if (matched !== undefined) {
        return {
          ...base,
          decision: 'Accepted',
          action: 'accept',
          why: `owner matches autoAccept principal "${matched}"`,
        };
      }
      if (policy.autoAccept.rejectOthers) {
        return {
          ...base,
          decision: 'Rejected',
          action: 'reject',
          why: 'owner not in autoAccept.principals and rejectOthers is true',
        };
      }
      return {
        ...base,
        decision: 'Pending',
        action: 'none',
        why: 'owner not in autoAccept.principals; left for manual acceptance',
      };
    });
}

/** Ids of the connections to accept and to reject, each for one batched call. */
export function connectionBatches(plans: readonly ConnectionPlan[]): { accept: string[]; reject: string[] } {
  return {
    accept: plans.filter((p) => p.action === 'accept').map((p) => p.endpointId),
    reject: plans.filter((p) => p.action === 'reject').map((p) => p.endpointId),
  };
}

/**
 * The plans once applied: a decision AWS refused (by endpoint id) stays Pending and says why;
 * the others stand.
 */
export function withRefusals(
  plans: readonly ConnectionPlan[],
  refused: ReadonlyMap<string, { code: string; message: string }>,
): ConnectionPlan[] {
  return plans.map((plan) => {
    const refusal = refused.get(plan.endpointId);
    return refusal
      ? { ...plan, decision: 'Pending' as const, why: `${refusal.code}: ${refusal.message}` }
      : plan;
  });
}

/**
 * Connections deletion must reject first: AWS refuses to delete a service that still has
 * connections in these states.
 */
export function connectionsToRejectOnDelete(connections: readonly ObservedConnection[]): string[] {
  const live = new Set(['pendingacceptance', 'pending', 'available', 'partial']);
  return connections.filter((c) => live.has(normalizeState(c.state))).map((c) => c.endpointId);
}

/** True when a connection is still moving between states and worth polling soon. */
export function isTransitional(state: string): boolean {
  return ['pendingacceptance', 'pending', 'deleting'].includes(normalizeState(state));
}

/**
 * The CreateVpcEndpointServiceConfiguration client token: the same for every retry of the
 * same create (so a crash between create and status write cannot duplicate the service),
 * independent of generation, and fresh only after a recorded service vanished (a token of
 * a deleted service would hand back that deleted service).
 */
export function serviceClientToken(uid: string, vanishedServiceId?: string): string {
  return createHash('sha256')
    .update(`${uid}/${vanishedServiceId ?? ''}`)
    .digest('hex')
    .slice(0, 64);
}

/** The account id in an ARN (`arn:partition:service:region:account:…`). */
export function arnAccount(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account && ACCOUNT_ID.test(account) ? account : undefined;
}

function autoAcceptMatcher(policy: ConnectionPolicy): (owner: string) => string | undefined {
  const allowedAccounts = new Set(policy.allowedPrincipals.map(principalAccount));
  const anyoneAllowed = (owner: string): boolean =>
    allowedAccounts.has('*') || allowedAccounts.has(owner) || owner === policy.serviceAccount;
  return (owner) =>
    policy.autoAccept.principals.find((p) =>
      p === '*' ? anyoneAllowed(owner) : principalAccount(p) === owner,
    );
}

function seenDecision(state: string): { decision?: ConnectionDecision; action: 'none'; why: string } {
  switch (normalizeState(state)) {
    case 'available':
    case 'pending':
    case 'partial':
      return { decision: 'Accepted', action: 'none', why: 'already accepted' };
    case 'rejected':
      return { decision: 'Rejected', action: 'none', why: 'already rejected' };
    default:
      return { action: 'none', why: `connection is ${state}` };
  }
}

/** AWS spells connection states `pendingAcceptance` on the wire and `PendingAcceptance` in SDK enums. */
function normalizeState(state: string): string {
  return state.toLowerCase();
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
