/**
 * The EndpointService status: conditions per reconcile phase, Ready as their summary, and
 * the observed service and connections. Pure: the same inputs give the same status, so an
 * unchanged world never causes a status write.
 */
import { ENDPOINT_SERVICE_CONDITIONS as C } from '../../api/kinds.ts';
import { setCondition, type ConditionInput } from '../../controller/conditions.ts';
import type { Condition } from '../../controller/types.ts';
import type { EndpointServiceStatus, PublishedTxtRecord } from '../../api/v1alpha1.ts';
import type { ConnectionPlan, ObservedService } from './plan.ts';

/** The three conditions Ready summarises, in the order a reconcile reaches them. */
export type Phase = 'service' | 'principals' | 'connections';

/** The condition type each phase reports on. */
export const PHASE_CONDITION: Record<Phase, string> = {
  service: C.serviceAvailable,
  principals: C.principalsSynced,
  connections: C.connectionsReconciled,
};

/** What one reconcile learned; absent parts keep what the previous status said. */
export interface StatusReport {
  service?: ObservedService;
  connections?: readonly ConnectionPlan[];
  /** Condition per phase; a phase not reached keeps its previous condition (or Unknown). */
  conditions: Partial<Record<Phase, Omit<ConditionInput, 'type'>>>;
  /**
   * PrivateDnsNameVerified (outside Ready); null removes it (no private DNS name any more),
   * undefined keeps the previous one.
   */
  privateDns?: Omit<ConditionInput, 'type'> | null;
  /** The TXT records owned in Route 53 after this reconcile's changes; undefined keeps the previous list. */
  publishedTxtRecords?: readonly PublishedTxtRecord[];
  /** Overrides Ready's reason/message when it is False for a reason outside the phases (e.g. DeletionBlocked). */
  notReady?: { reason: string; message: string };
  /** The deletion policy in force (status says it: an adopted service defaults to Retain). */
  deletionPolicy?: 'Delete' | 'Retain';
}

/** The ServiceAvailable condition for a service in this state. */
export function serviceCondition(service: ObservedService): Omit<ConditionInput, 'type'> {
  switch (service.state.toLowerCase()) {
    case 'available':
      return { status: 'True', reason: 'ServiceAvailable', message: `${service.serviceName} is available` };
    case 'pending':
      return { status: 'False', reason: 'ServicePending', message: `${service.serviceId} is being created` };
    default:
      return {
        status: 'False',
        reason: `Service${capitalize(service.state)}`,
        message: `${service.serviceId} is ${service.state}`,
      };
  }
}

/** The ConnectionsReconciled condition after the connections were decided (and acted on). */
export function connectionsCondition(plans: readonly ConnectionPlan[]): Omit<ConditionInput, 'type'> {
  const waiting = plans.filter((p) => p.decision === 'Pending');
  if (waiting.length > 0) {
    // The controller did all it may; a person decides the rest. Not a fault, so still True.
    return {
      status: 'True',
      reason: 'AwaitingManualAcceptance',
      message: `left for manual acceptance: ${waiting.map((p) => `${p.endpointId} (${p.owner})`).join(', ')}`,
    };
  }
  return {
    status: 'True',
    reason: 'ConnectionsReconciled',
    message: `${plans.length} connection(s) decided`,
  };
}

/**
 * The next status: the previous one with this reconcile's findings applied. Ready is True
 * only when all three phase conditions are.
 */
export function buildStatus(
  prev: EndpointServiceStatus | undefined,
  report: StatusReport,
  generation: number | undefined,
  now: Date,
): EndpointServiceStatus {
  const next: EndpointServiceStatus = { ...(prev ?? {}) };
  if (generation !== undefined) next.observedGeneration = generation;
  if (report.service) Object.assign(next, serviceFields(report.service));
  if (report.deletionPolicy) next.deletionPolicy = report.deletionPolicy;
  if (report.connections) Object.assign(next, connectionFields(report.connections));
  // An empty list is dropped, so an object that never had a zone shows no such field.
  if (report.publishedTxtRecords)
    next.publishedTxtRecords =
      report.publishedTxtRecords.length > 0 ? [...report.publishedTxtRecords] : undefined;
  next.conditions = nextConditions(prev?.conditions ?? [], report, { generation, now });
  return next;
}

/** The PrincipalsSynced condition once the allowed principals are exactly the spec's. */
export function principalsCondition(count: number): Omit<ConditionInput, 'type'> {
  return {
    status: 'True',
    reason: 'PrincipalsSynced',
    message: `${count} allowed principal(s) in place`,
  };
}

/** When conditions are set: the generation they observe, and the clock. */
interface Stamp {
  generation: number | undefined;
  now: Date;
}

/** The phase conditions, PrivateDnsNameVerified, and Ready as their summary, in that order. */
function nextConditions(prev: Condition[], report: StatusReport, { generation, now }: Stamp): Condition[] {
  let conditions = prev;
  for (const phase of ['service', 'principals', 'connections'] as const) {
    const input = report.conditions[phase] ?? currentOrUnknown(conditions, PHASE_CONDITION[phase]);
    conditions = setCondition(conditions, { type: PHASE_CONDITION[phase], ...input }, generation, now);
  }
  if (report.privateDns === null) conditions = conditions.filter((c) => c.type !== C.privateDnsNameVerified);
  else if (report.privateDns)
    conditions = setCondition(
      conditions,
      { type: C.privateDnsNameVerified, ...report.privateDns },
      generation,
      now,
    );
  return setCondition(
    conditions,
    { type: C.ready, ...readiness(conditions, report.notReady) },
    generation,
    now,
  );
}

/** The connections as status lists them, and their counts. */
function connectionFields(connections: readonly ConnectionPlan[]): EndpointServiceStatus {
  return {
    connections: connections.map((p) => ({
      endpointId: p.endpointId,
      owner: p.owner,
      state: p.state,
      ...(p.decision ? { decision: p.decision } : {}),
    })),
    connectionCounts: {
      total: connections.length,
      available: countState(connections, 'available'),
      pendingAcceptance: countState(connections, 'pendingacceptance'),
    },
  };
}

function serviceFields(service: ObservedService): EndpointServiceStatus {
  const fields: EndpointServiceStatus = {
    serviceId: service.serviceId,
    serviceName: service.serviceName,
    serviceState: service.state,
  };
  // Only meaningful with a private DNS name; cleared (undefined) when it was removed.
  fields.privateDnsNameConfiguration = service.privateDnsName
    ? service.privateDnsNameConfiguration
    : undefined;
  return fields;
}

function readiness(
  conditions: readonly Condition[],
  notReady: StatusReport['notReady'],
): Omit<ConditionInput, 'type'> {
  if (notReady) return { status: 'False', ...notReady };
  for (const type of Object.values(PHASE_CONDITION)) {
    const c = conditions.find((x) => x.type === type);
    if (c?.status !== 'True') {
      return {
        status: 'False',
        reason: c?.reason ?? 'Unknown',
        message: `${type}: ${c?.message ?? 'not yet known'}`,
      };
    }
  }
  return {
    status: 'True',
    reason: 'Ready',
    message: 'service available, principals in sync, connections decided',
  };
}

function currentOrUnknown(conditions: readonly Condition[], type: string): Omit<ConditionInput, 'type'> {
  const c = conditions.find((x) => x.type === type);
  return c
    ? { status: c.status, reason: c.reason, message: c.message }
    : { status: 'Unknown', reason: 'NotYetReconciled', message: 'not reconciled yet' };
}

function countState(plans: readonly ConnectionPlan[], state: string): number {
  return plans.filter((p) => p.state.toLowerCase() === state).length;
}

function capitalize(s: string): string {
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : 'Unknown';
}
