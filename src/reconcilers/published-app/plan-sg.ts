/**
 * Security group rule diffs. The managed endpoint SG is wholly ours: its ingress is exactly
 * `target.port`/tcp from each of the ALB's SGs and it has no egress (endpoint ENIs never
 * open connections; replies are stateful). On the ALB's SGs, which we do not own, we only
 * ever add or remove one egress rule marked with our description, and only when the ALB
 * could not otherwise reach the endpoint. Pure.
 */

/** One SG rule, normalised to a single peer. */
export interface SgRule {
  /** `tcp`, `udp`, `icmp`, `-1` (all), or a protocol number. */
  protocol: string;
  fromPort?: number;
  toPort?: number;
  peer: { groupId: string } | { cidrIpv4: string } | { cidrIpv6: string } | { prefixListId: string };
  description?: string;
}

/** A stable identity of a rule's match (description excluded). */
export function ruleKey(r: SgRule): string {
  const proto = r.protocol === '6' ? 'tcp' : r.protocol;
  const ports = proto === '-1' ? '' : `${r.fromPort ?? ''}-${r.toPort ?? ''}`;
  const [kind, value] = Object.entries(r.peer)[0] as [string, string];
  return `${proto}:${ports}:${kind}=${value}`;
}

/** Ingress the managed SG must have: `port`/tcp from each ALB SG. */
export function desiredIngress(albSecurityGroupIds: readonly string[], port: number): SgRule[] {
  return [...new Set(albSecurityGroupIds)]
    .sort()
    .map((groupId) => ({ protocol: 'tcp', fromPort: port, toPort: port, peer: { groupId } }));
}

export interface ManagedSgPlan {
  authorizeIngress: SgRule[];
  revokeIngress: SgRule[];
  revokeEgress: SgRule[];
}

/** Diff of the managed SG against its desired ingress and empty egress. */
export function planManagedSg(
  desired: readonly SgRule[],
  ingress: readonly SgRule[],
  egress: readonly SgRule[],
): ManagedSgPlan {
  const have = new Set(ingress.map(ruleKey));
  const want = new Set(desired.map(ruleKey));
  return {
    authorizeIngress: desired.filter((r) => !have.has(ruleKey(r))),
    revokeIngress: ingress.filter((r) => !want.has(ruleKey(r))),
    revokeEgress: [...egress],
  };
}

/** Egress rules of one ALB security group. */
export interface AlbGroupEgress {
  groupId: string;
  egress: readonly SgRule[];
}

export interface AlbEgressPlan {
  authorize: { groupId: string; rule: SgRule }[];
  revoke: { groupId: string; rule: SgRule }[];
}

function coversPort(r: SgRule, port: number): boolean {
  if (r.protocol === '-1') return true;
  if (r.protocol !== 'tcp' && r.protocol !== '6') return false;
  return (r.fromPort ?? 0) <= port && port <= (r.toPort ?? 65535);
}

function reachesEndpoint(r: SgRule, managedSgId: string): boolean {
  return (
    ('cidrIpv4' in r.peer && r.peer.cidrIpv4 === '0.0.0.0/0') ||
    ('groupId' in r.peer && r.peer.groupId === managedSgId)
  );
}

/**
 * Plans our marked egress rule on the ALB's SGs: present (in the first ALB SG, to the
 * managed SG on `port`) only when no unmarked rule of any ALB SG already lets the ALB
 * reach the endpoint; marked rules that are not exactly that are removed. Unmarked rules
 * are never touched. A narrower CIDR that happens to contain the endpoint is not
 * recognised and merely leads to a redundant marked rule.
 */
export function planAlbEgress(
  groups: readonly AlbGroupEgress[],
  port: number,
  managedSgId: string,
  marker: string,
): AlbEgressPlan {
  const foreignAllows = groups.some((g) =>
    g.egress.some((r) => r.description !== marker && coversPort(r, port) && reachesEndpoint(r, managedSgId)),
  );
  const first = groups[0];
  const wanted: SgRule = {
    protocol: 'tcp',
    fromPort: port,
    toPort: port,
    peer: { groupId: managedSgId },
    description: marker,
  };
  const want = !foreignAllows && first ? { groupId: first.groupId, key: ruleKey(wanted) } : undefined;
  const revoke: AlbEgressPlan['revoke'] = [];
  let present = false;
  for (const g of groups) {
    for (const rule of g.egress.filter((r) => r.description === marker)) {
      if (want && g.groupId === want.groupId && ruleKey(rule) === want.key) present = true;
      else revoke.push({ groupId: g.groupId, rule });
    }
  }
  const authorize = want && !present ? [{ groupId: want.groupId, rule: wanted }] : [];
  return { authorize, revoke };
}
