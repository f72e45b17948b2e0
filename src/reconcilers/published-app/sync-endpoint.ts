/**
 * Step: the interface endpoint — created idempotently (find-by-tag first, then a ClientToken
 * from the UID), subnets and SGs made exact with one ModifyVpcEndpoint, its state reported.
 */
import * as ops from './aws-ops.ts';
import { classifyChange } from './drift.ts';
import { endpointClientToken } from './names.ts';
import {
  endpointStateReport,
  planEndpoint,
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

/** Applies a create or modify. @returns the endpoint as it now is (undefined: a dry run would create it). */
async function apply(
  s: Session,
  refs: References,
  plan: EndpointPlan,
): Promise<ObservedEndpoint | undefined> {
  const { ec2, scope } = s.clients;
  const { action } = plan;
  const recorded = s.app.status?.endpointId;
  if (action?.type === 'createEndpoint') {
    const subnets = action.endpoint.subnetIds.join(', ');
    const created = await s.act(
      'Create',
      `create interface endpoint to ${refs.serviceName} in ${subnets}`,
      () => ops.createEndpoint(ec2, action.endpoint, endpointClientToken(s.uid, recorded), s.tags()),
    );
    if (!created) return undefined;
    // Written through: at N endpoints a reload is a describe of all N (seconds, at scale).
    s.deps.reads.patch<ops.TaggedEndpoint[]>(readKeys.endpoints(scope), (all) => [
      ...all.filter((e) => e.id !== created.id),
      created,
    ]);
    const replaced = recorded && recorded !== created.id ? ` (replaces ${recorded})` : '';
    s.event('Normal', 'EndpointCreated', 'Create', `created interface endpoint ${created.id}${replaced}`);
    return created;
  }
  if (action?.type === 'modifyEndpoint') {
    const what = `modify endpoint ${action.endpointId}: ${plan.differences.join('; ')}`;
    const done = await s.act('Modify', what, () => ops.modifyEndpoint(ec2, action));
    if (done !== undefined) {
      // Re-read this one endpoint: the ENIs (and so the targets) follow the subnets.
      const [now] = await ops.describeTaggedEndpoints(ec2, [
        { Name: 'vpc-endpoint-id', Values: [action.endpointId] },
      ]);
      if (!now) return plan.current;
      s.deps.reads.patch<ops.TaggedEndpoint[]>(readKeys.endpoints(scope), (all) =>
        all.map((e) => (e.id === now.id ? now : e)),
      );
      return now;
    }
  }
  return plan.current;
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

export async function syncEndpoint(
  s: Session,
  refs: References,
  managedSgId: string,
): Promise<EndpointOutcome> {
  const spec = s.app.spec.endpoint;
  const desired = {
    serviceName: refs.serviceName,
    vpcId: spec.vpcId,
    subnetIds: spec.subnetIds,
    securityGroupIds: [managedSgId, ...(spec.securityGroupIds ?? [])].filter((id) => id !== PLANNED),
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
  return { current, obsolete: plan.obsolete, settled: isSettled(current, spec.subnetIds) };
}
