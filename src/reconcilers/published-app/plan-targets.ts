/**
 * Target diff for the app's IP target group: the group must hold exactly the endpoint's
 * current ENI IPs on the target port. Pure.
 */

/** A target as DescribeTargetHealth reports it. */
export interface RegisteredTarget {
  ip: string;
  port: number;
  /** ELBv2 TargetHealth state: initial, healthy, unhealthy, unused, draining, unavailable. */
  state: string;
}

export interface TargetPlanInput {
  /** The endpoint's current ENI IPs. */
  desiredIps: readonly string[];
  port: number;
  registered: readonly RegisteredTarget[];
  /**
   * IPs that belonged to this app's endpoints before (status.endpointIPs and ENIs seen in
   * this process): registered but no longer desired means stale, not foreign.
   */
  formerIps: ReadonlySet<string>;
  /**
   * The endpoint is in its final shape (subnets as wanted, available, one ENI per subnet).
   * While it is changing, stale targets stay: their replacements may not exist yet.
   */
  settled: boolean;
}

export interface TargetRef {
  ip: string;
  port: number;
}

export interface TargetPlan {
  /** Register first ... */
  register: TargetRef[];
  /** ... then deregister (make-before-break). */
  deregister: TargetRef[];
  /** Stale targets kept because their replacement may not exist yet. */
  kept: TargetRef[];
  /** Targets someone else registered: reported, never removed (api.md: others' targets are not touched). */
  foreign: TargetRef[];
}

const byAddress = (a: TargetRef, b: TargetRef): number => a.ip.localeCompare(b.ip) || a.port - b.port;

/**
 * Plans registrations so the group ends with exactly `desiredIps` on `port`. Draining targets
 * count as gone (a desired IP that is draining is registered again). Stale targets of ours
 * are deregistered in the same pass after the new ones are registered, but only once the
 * endpoint has settled and has at least one address, so a group is never emptied or thinned
 * while its endpoint is being changed or replaced.
 */
export function planTargets(input: TargetPlanInput): TargetPlan {
  const desired = new Set(input.desiredIps);
  const active = input.registered.filter((t) => t.state !== 'draining');
  const present = new Set(active.filter((t) => t.port === input.port).map((t) => t.ip));
  const register = [...desired].filter((ip) => !present.has(ip)).map((ip) => ({ ip, port: input.port }));
  const stale: TargetRef[] = [];
  const foreign: TargetRef[] = [];
  for (const t of active) {
    if (t.port === input.port && desired.has(t.ip)) continue;
    const ref = { ip: t.ip, port: t.port };
    if (desired.has(t.ip) || input.formerIps.has(t.ip)) stale.push(ref);
    else foreign.push(ref);
  }
  const replaceable = input.settled && desired.size > 0;
  return {
    register: register.sort(byAddress),
    deregister: replaceable ? stale.sort(byAddress) : [],
    kept: replaceable ? [] : stale.sort(byAddress),
    foreign: foreign.sort(byAddress),
  };
}
