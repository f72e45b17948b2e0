/**
 * Step: the interface endpoint — created idempotently (find-by-tag first, then a ClientToken
 * from the UID), subnets and SGs made exact with one ModifyVpcEndpoint, its state reported.
 * Subnets the spec names but AWS would refuse (see plan-subnets), and private DNS AWS would
 * refuse (plan-private-dns), are left out and reported; the rest is held, so the endpoint —
 * and the targets after it — keep following AWS.
 */
import * as ops from './aws-ops.ts';
import { classifyChange } from './drift.ts';
import { endpointClientToken } from './names.ts';
import {
  endpointStateReport,
  planEndpoint,
  type EndpointAction,
  type EndpointPlan,
  type ObservedEndpoint,
} from './plan-endpoint.ts';
import type { References } from './resolve.ts';
import { readKeys } from './scope-reads.ts';
import { PLANNED, type Session } from './session.ts';

export interface EndpointOutcome {
  /** The endpoint traffic should reach; absent only in a dry run that would create it. */
  current?: ObservedEndpoint;
  /** Other live endpoints of ours, to delete once targets follow `current`. */
  obsolete: ObservedEndpoint[];
  /** `current` is available, in exactly the wanted subnets, with one ENI per subnet. */
  settled: boolean;
}

function isSettled(e: ObservedEndpoint, subnetIds: readonly string[]): boolean {
  const same = e.subnetIds.length === subnetIds.length && subnetIds.every((id) => e.subnetIds.includes(id));
  return e.state === 'available' && same && e.networkInterfaceIds.length === subnetIds.length;
}

type CreateAction = Extract<EndpointAction, { type: 'createEndpoint' }>;
type ModifyAction = Extract<EndpointAction, { type: 'modifyEndpoint' }>;

/** Creates the endpoint. @returns it as AWS returned it (undefined in a dry run). */
async function create(
  s: Session,
  refs: References,
  action: CreateAction,
): Promise<ObservedEndpoint | undefined> {
  const { ec2, scope } = s.clients;
  const recorded = s.app.status?.endpointId;
  const subnets = action.endpoint.subnetIds.join(', ');
  const created = await s.act(
    'Create',
    `create interface endpoint to ${refs.serviceName} in ${subnets}`,
    () => ops.createEndpoint(ec2, action.endpoint, endpointClientToken(s.uid, recorded), s.tags()),
  );
  if (!created) return undefined;
  // Written through: at N endpoints a reload is a describe of all N (seconds, at scale).
  s.deps.reads.patch(readKeys.endpoints(scope), (all) => [
    ...all.filter((e) => e.id !== created.id),
    created,
  ]);
  const replaced = recorded && recorded !== created.id ? ` (replaces ${recorded})` : '';
  s.event('Normal', 'EndpointCreated', 'Create', `created interface endpoint ${created.id}${replaced}`);
  return created;
}

/** Modifies the endpoint's subnets and SGs. @returns it as it now is (as planned in a dry run). */
async function modify(
  s: Session,
  plan: EndpointPlan,
  action: ModifyAction,
): Promise<ObservedEndpoint | undefined> {
  const { ec2, scope } = s.clients;
  const what = `modify endpoint ${action.endpointId}: ${plan.differences.join('; ')}`;
  const done = await s.act('Modify', what, () => ops.modifyEndpoint(ec2, action));
  if (done === undefined) return plan.current;
  // Re-read this one endpoint: the ENIs (and so the targets) follow the subnets.
  const [now] = await ops.describeTaggedEndpoints(ec2, [
    { Name: 'vpc-endpoint-id', Values: [action.endpointId] },
  ]);
  if (!now) return plan.current;
  s.deps.reads.patch(readKeys.endpoints(scope), (all) => all.map((e) => (e.id === now.id ? now : e)));
  return now;
}

/** Applies a create or modify. @returns the endpoint as it now is (undefined: a dry run would create it). */
function apply(s: Session, refs: References, plan: EndpointPlan): Promise<ObservedEndpoint | undefined> {
  const { action } = plan;
  if (action?.type === 'createEndpoint') return create(s, refs, action);
  if (action?.type === 'modifyEndpoint') return modify(s, plan, action);
  return Promise.resolve(plan.current);
}

function report(s: Session, current: ObservedEndpoint, differences: readonly string[]): void {
  const kind = classifyChange(differences, s.previous('endpoint'), s.generation);
  const state = endpointStateReport(current, s.deps.opts.pollMs);
  if (state.pollMs !== undefined) s.poll(state.pollMs);
  if (kind === 'drift') {
    const message = `put back: ${differences.join('; ')}`;
    s.event('Warning', 'Drifted', 'Update', `endpoint: ${message}`);
    s.verdict('endpoint', { status: 'False', reason: 'Drifted', message });
    return;
  }
  s.verdict('endpoint', {
    status: state.available ? 'True' : 'False',
    reason: state.reason,
    message: state.message,
  });
  // Stuck states (rejected, failed, expired) are not polled: say so once, loudly.
  if (!state.available && state.pollMs === undefined && s.previous('endpoint')?.reason !== state.reason) {
    s.event('Warning', state.reason, 'Observe', state.message);
  }
}

/** The subnets to hold: the usable ones; none usable: the live endpoint's, untouched. */
function subnetsToHold(refs: References, recordedId: string | undefined): readonly string[] {
  if (refs.subnets.usable.length > 0) return refs.subnets.usable;
  const live = refs.endpoints.find((e) => e.id === recordedId) ?? refs.endpoints[0];
  return live?.subnetIds ?? [];
}

/**
 * The refused parts of the spec (subnets, private DNS), said on the endpoint condition with
 * the first one's reason (and an Event when that reason is new).
 */
function reportRefused(s: Session, refs: References): void {
  const problems = [refs.subnets.problem, refs.privateDns.problem].filter((p) => p !== undefined);
  const [first] = problems;
  if (!first) return;
  const message = `${problems.map((p) => p.message).join('; ')}; the endpoint keeps the rest as it is`;
  // Otherwise held (available, the rest as the spec says): converged as far as the spec allows.
  const held = s.report.verdicts.endpoint?.status === 'True';
  s.reportProblem('endpoint', { reason: first.reason, message }, 'Validate');
  if (held) s.refused('endpoint');
}

/** The app's live endpoint to its service (the recorded one first), if it has one. */
export function liveEndpoint(s: Session, refs: References): ObservedEndpoint | undefined {
  const live = refs.endpoints.filter(
    (e) => e.serviceName === refs.serviceName && !['deleted', 'deleting'].includes(e.state),
  );
  return live.find((e) => e.id === s.app.status?.endpointId) ?? live[0];
}

/**
 * The endpoint as last observed, for the steps after a failed endpoint step: the targets
 * follow its live ENIs whatever the endpoint change did. Undefined when none is live.
 */
export function observedEndpoint(s: Session, refs: References): EndpointOutcome | undefined {
  const current = liveEndpoint(s, refs);
  if (!current) return undefined;
  s.report.fields.endpointId = current.id;
  s.report.fields.endpointState = current.state;
  // Settled as it stands (each subnet with its ENI): the ENIs that went take their IPs along.
  return { current, obsolete: [], settled: isSettled(current, current.subnetIds) };
}

export async function syncEndpoint(
  s: Session,
  refs: References,
  managedSgId: string,
): Promise<EndpointOutcome> {
  const spec = s.app.spec.endpoint;
  const subnetIds = subnetsToHold(refs, s.app.status?.endpointId);
  const desired = {
    serviceName: refs.serviceName,
    vpcId: spec.vpcId,
    subnetIds,
    securityGroupIds: [managedSgId, ...(spec.securityGroupIds ?? [])].filter((id) => id !== PLANNED),
    privateDnsEnabled: refs.privateDns.enabled,
  };
  const plan = planEndpoint(desired, refs.endpoints, s.app.status?.endpointId);
  const current = await apply(s, refs, plan);
  if (!current) {
    s.verdict('endpoint', {
      status: 'False',
      reason: 'Pending',
      message: 'dry run: the endpoint would be created',
    });
    return { obsolete: plan.obsolete, settled: false };
  }
  s.report.fields.endpointId = current.id;
  s.report.fields.endpointState = current.state;
  report(s, current, plan.differences);
  reportRefused(s, refs);
  return { current, obsolete: plan.obsolete, settled: isSettled(current, subnetIds) };
}
