/**
 * Step: the interface endpoint — created idempotently (find-by-tag first, then a ClientToken
 * from the UID), subnets and SGs made exact with one ModifyVpcEndpoint, its state reported.
 */
import * as ops from './aws-ops.ts';
import { classifyChange } from './drift.ts';
import { endpointClientToken } from './names.ts';
import { endpointStateReport, planEndpoint, type ObservedEndpoint } from './plan-endpoint.ts';
import { ownedEndpoints, type References } from './resolve.ts';
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

export async function syncEndpoint(
  s: Session,
  refs: References,
  managedSgId: string,
): Promise<EndpointOutcome> {
  const { ec2, scope } = s.clients;
  const spec = s.app.spec.endpoint;
  const desired = {
    serviceName: refs.serviceName,
    vpcId: spec.vpcId,
    subnetIds: spec.subnetIds,
    securityGroupIds: [managedSgId, ...(spec.securityGroupIds ?? [])].filter((id) => id !== PLANNED),
  };
  const recorded = s.app.status?.endpointId;
  const plan = planEndpoint(desired, refs.endpoints, recorded);
  let current = plan.current;
  const action = plan.action;
  if (action?.type === 'createEndpoint') {
    const created = await s.act(
      'Create',
      `create interface endpoint to ${refs.serviceName} in ${spec.subnetIds.join(', ')}`,
      () => ops.createEndpoint(ec2, action.endpoint, endpointClientToken(s.uid, recorded), s.tags()),
    );
    if (created) {
      s.deps.reads.invalidate(`${scope}|endpoints`);
      const replaced = recorded && recorded !== created.id ? ` (replaces ${recorded})` : '';
      s.event('Normal', 'EndpointCreated', 'Create', `created interface endpoint ${created.id}${replaced}`);
      current = created;
    }
  } else if (action?.type === 'modifyEndpoint') {
    const done = await s.act(
      'Modify',
      `modify endpoint ${action.endpointId}: ${plan.differences.join('; ')}`,
      () => ops.modifyEndpoint(ec2, action),
    );
    if (done !== undefined) {
      // Re-read: the ENIs (and so the targets) follow the subnets.
      s.deps.reads.invalidate(`${scope}|endpoints`);
      current = (await ownedEndpoints(s)).find((e) => e.id === action.endpointId) ?? current;
    }
  }
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

  const kind = classifyChange(plan.differences, s.previous('endpoint'), s.generation);
  const state = endpointStateReport(current, s.deps.opts.pollMs);
  if (state.pollMs !== undefined) s.poll(state.pollMs);
  if (kind === 'drift') {
    const message = `put back: ${plan.differences.join('; ')}`;
    s.event('Warning', 'Drifted', 'Update', `endpoint: ${message}`);
    s.verdict('endpoint', { status: 'False', reason: 'Drifted', message });
  } else {
    s.verdict('endpoint', {
      status: state.available ? 'True' : 'False',
      reason: state.reason,
      message: state.message,
    });
    if (!state.available && !state.pollMs && s.previous('endpoint')?.reason !== state.reason) {
      s.event('Warning', state.reason, 'Observe', state.message);
    }
  }
  return { current, obsolete: plan.obsolete, settled: isSettled(current, spec.subnetIds) };
}
