/**
 * Interface endpoint diff: one live endpoint of ours to the service, in exactly the spec's
 * subnets with the managed SG plus the extra SGs; others of ours (a different service after
 * a spec change, duplicates) are obsolete and go once traffic has moved. Pure.
 */

/** One of our endpoints as DescribeVpcEndpoints reports it. */
export interface ObservedEndpoint {
  id: string;
  /** As AWS reports it: pendingAcceptance, pending, available, rejected, failed, expired, deleting, deleted, partial. */
  state: string;
  serviceName: string;
  vpcId: string;
  subnetIds: readonly string[];
  securityGroupIds: readonly string[];
  networkInterfaceIds: readonly string[];
  createdAtMs: number;
  /** AWS's PrivateDnsEnabled; absent counts as off. */
  privateDnsEnabled?: boolean;
}

export interface DesiredEndpoint {
  serviceName: string;
  vpcId: string;
  subnetIds: readonly string[];
  securityGroupIds: readonly string[];
  privateDnsEnabled: boolean;
}

/** One ModifyVpcEndpoint: subnets and SGs made exact, PrivateDnsEnabled set only when it differs. */
export interface EndpointModification {
  addSubnetIds: string[];
  removeSubnetIds: string[];
  addSecurityGroupIds: string[];
  removeSecurityGroupIds: string[];
  privateDnsEnabled?: boolean;
}

export type EndpointAction =
  | { type: 'createEndpoint'; endpoint: DesiredEndpoint }
  | ({ type: 'modifyEndpoint'; endpointId: string } & EndpointModification);

export interface EndpointPlan {
  current?: ObservedEndpoint;
  action?: EndpointAction;
  differences: string[];
  /** Live endpoints of ours that are not `current`: delete after targets follow `current`. */
  obsolete: ObservedEndpoint[];
}

/** States in which an endpoint no longer exists for our purposes (deleted out of band). */
const GONE = new Set(['deleting', 'deleted']);
/** States in which ModifyVpcEndpoint cannot help; reported instead of retried. */
const STUCK = new Set(['rejected', 'failed', 'expired']);

const minus = (a: readonly string[], b: readonly string[]): string[] =>
  a.filter((x) => !b.includes(x)).sort();

/**
 * Picks the current endpoint (the recorded one, else the oldest matching) and plans a
 * create or a single ModifyVpcEndpoint that makes its subnets and SGs exactly the desired.
 */
export function planEndpoint(
  desired: DesiredEndpoint,
  owned: readonly ObservedEndpoint[],
  recordedId?: string,
): EndpointPlan {
  const live = owned.filter((e) => !GONE.has(e.state));
  const matching = live
    .filter((e) => e.serviceName === desired.serviceName && e.vpcId === desired.vpcId)
    .sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id));
  const current = matching.find((e) => e.id === recordedId) ?? matching[0];
  const obsolete = live.filter((e) => e !== current);
  if (!current) {
    return {
      action: { type: 'createEndpoint', endpoint: desired },
      differences: ['endpoint missing'],
      obsolete,
    };
  }
  if (STUCK.has(current.state)) return { current, differences: [], obsolete };
  const mod = modification(desired, current);
  const differences = describe(mod);
  if (differences.length === 0) return { current, differences, obsolete };
  return {
    current,
    action: { type: 'modifyEndpoint', endpointId: current.id, ...mod },
    differences,
    obsolete,
  };
}

/** What makes `current` exactly `desired`. */
function modification(desired: DesiredEndpoint, current: ObservedEndpoint): EndpointModification {
  const dns = desired.privateDnsEnabled;
  return {
    addSubnetIds: minus(desired.subnetIds, current.subnetIds),
    removeSubnetIds: minus(current.subnetIds, desired.subnetIds),
    addSecurityGroupIds: minus(desired.securityGroupIds, current.securityGroupIds),
    removeSecurityGroupIds: minus(current.securityGroupIds, desired.securityGroupIds),
    ...(dns !== (current.privateDnsEnabled ?? false) && { privateDnsEnabled: dns }),
  };
}

/** The differences a modification puts right, one line each (for Events and drift). */
function describe(m: EndpointModification): string[] {
  const dns =
    m.privateDnsEnabled === undefined
      ? []
      : [m.privateDnsEnabled ? 'private DNS missing' : 'unexpected private DNS'];
  return [
    ...m.addSubnetIds.map((s) => `subnet ${s} missing`),
    ...m.removeSubnetIds.map((s) => `unexpected subnet ${s}`),
    ...m.addSecurityGroupIds.map((s) => `security group ${s} missing`),
    ...m.removeSecurityGroupIds.map((s) => `unexpected security group ${s}`),
    ...dns,
  ];
}

/** What an endpoint state means for the `EndpointAvailable` condition and polling. */
export interface EndpointStateReport {
  available: boolean;
  reason: string;
  message: string;
  /** Poll again this soon; absent: wait for the regular resync (no hot loop). */
  pollMs?: number;
}

/** Maps an endpoint's AWS state to a condition reason and a polling interval. */
export function endpointStateReport(endpoint: ObservedEndpoint, pollMs: number): EndpointStateReport {
  const id = endpoint.id;
  switch (endpoint.state) {
    case 'available':
      return { available: true, reason: 'Available', message: `endpoint ${id} is available` };
    case 'pendingAcceptance':
      return {
        available: false,
        reason: 'WaitingForAcceptance',
        message: `endpoint ${id} waits for the service owner to accept it`,
        pollMs,
      };
    case 'pending':
      return { available: false, reason: 'Pending', message: `endpoint ${id} is being provisioned`, pollMs };
    case 'rejected':
      return {
        available: false,
        reason: 'ConnectionRejected',
        message: `the service owner rejected endpoint ${id}; delete the PublishedApp or have it accepted and recreate`,
      };
    case 'expired':
      return {
        available: false,
        reason: 'ConnectionExpired',
        message: `the connection request of endpoint ${id} expired unanswered`,
      };
    case 'failed':
      return { available: false, reason: 'EndpointFailed', message: `endpoint ${id} failed` };
    default:
      return { available: false, reason: 'Pending', message: `endpoint ${id} is ${endpoint.state}`, pollMs };
  }
}
