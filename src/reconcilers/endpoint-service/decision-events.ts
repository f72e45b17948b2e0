/** The audit trail of connection decisions: one Event per decision. Pure. */
import type { ConnectionPlan } from './plan.ts';

/** An Event to record on the EndpointService. */
export interface DecisionEvent {
  reason: 'ConnectionAccepted' | 'ConnectionRejected' | 'ConnectionPending';
  action: 'Accept' | 'Reject' | 'Decide';
  message: string;
}

/**
 * The Event for an applied decision: accepted or rejected (who, which endpoint, why), or
 * left pending — said once, so not when status already showed it pending.
 */
export function decisionEvent(plan: ConnectionPlan, wasPending: boolean): DecisionEvent | undefined {
  const who = `endpoint ${plan.endpointId} of account ${plan.owner}`;
  if (plan.action === 'accept')
    return { reason: 'ConnectionAccepted', action: 'Accept', message: `accepted ${who}: ${plan.why}` };
  if (plan.action === 'reject')
    return { reason: 'ConnectionRejected', action: 'Reject', message: `rejected ${who}: ${plan.why}` };
  if (plan.decision === 'Pending' && !wasPending)
    return { reason: 'ConnectionPending', action: 'Decide', message: `left ${who} pending: ${plan.why}` };
  return undefined;
}
