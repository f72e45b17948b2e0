/**
 * Connection acceptance by policy: every pending connection decided (plan.ts), the decisions
 * applied in one Accept and one Reject call, and an Event per decision (the audit trail).
 */
import { consents } from '../access/access.ts';
import { consumerApp } from '../access/consumers.ts';
import * as ops from './aws-ops.ts';
import { decisionEvent } from './decision-events.ts';
import { RetryableError } from './failure.ts';
import {
  connectionBatches,
  connectionPolicy,
  planConnections,
  withRefusals,
  type ConnectionPlan,
  type DesiredService,
  type ObservedConnection,
} from './plan.ts';
import type { Session } from './session.ts';

/**
 * Decides and applies the connections of `serviceId`; the outcome lands in the report.
 * @throws RetryableError when AWS refused a decision (it stays Pending, with AWS's reason).
 */
export async function syncConnections(
  s: Session,
  serviceId: string,
  desired: DesiredService,
): Promise<ConnectionPlan[]> {
  const observed = (await ops.describeConnections(s.ec2, serviceId)).map((c) => withConsumer(s, c));
  const plans = planConnections(connectionPolicy(desired), observed);
  s.report.connections = plans;
  const refused = await applyDecisions(s, serviceId, plans);
  if (s.dryRun) return plans;
  const result = withRefusals(plans, refused);
  s.report.connections = result;
  recordDecisions(
    s,
    result.filter((p) => !refused.has(p.endpointId)),
  );
  if (refused.size > 0) {
    const detail = [...refused.values()].map((f) => `${f.id}: ${f.code} ${f.message}`).join('; ');
    s.event('Warning', 'ConnectionDecisionFailed', 'Decide', detail);
    throw new RetryableError('ConnectionDecisionFailed', detail);
  }
  return result;
}

/** One Accept and one Reject call; @returns the decisions AWS refused, by endpoint id. */
async function applyDecisions(
  s: Session,
  serviceId: string,
  plans: readonly ConnectionPlan[],
): Promise<Map<string, ops.FailedItem>> {
  const batches = connectionBatches(plans);
  const refused = new Map<string, ops.FailedItem>();
  const calls = [
    ['accept', batches.accept, ops.acceptConnections],
    ['reject', batches.reject, ops.rejectConnections],
  ] as const;
  for (const [action, ids, call] of calls) {
    if (ids.length === 0 || s.skip(action, `${action} ${ids.join(', ')}`)) continue;
    for (const item of await call(s.ec2, serviceId, ids)) refused.set(item.id, item);
  }
  return refused;
}

function recordDecisions(s: Session, plans: readonly ConnectionPlan[]): void {
  const pending = new Set(
    (s.obj.status?.connections ?? []).filter((c) => c.decision === 'Pending').map((c) => c.endpointId),
  );
  for (const plan of plans) {
    const e = decisionEvent(plan, pending.has(plan.endpointId));
    if (e) s.event('Normal', e.reason, e.action, e.message);
  }
}

/**
 * Marks a connection from an endpoint this controller made for a PublishedApp — known by its
 * tags when AWS shows them, else by the app's status.endpointId — with whether this
 * service's allowedConsumers admit that app's namespace.
 */
function withConsumer(s: Session, conn: ObservedConnection): ObservedConnection {
  const { apps, access, rt } = s.deps;
  const app = consumerApp(apps.list(), conn, rt.clusterId);
  if (!app) return conn;
  const permitted = consents(s.obj, app.namespace, access.labels);
  return { ...conn, consumer: { app: `${app.namespace}/${app.name}`, permitted } };
}
