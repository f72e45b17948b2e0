/** When to look at an EndpointService again. Pure; AWS sends no notifications, so it polls. */
import { isTransitional, type ConnectionPlan, type DesiredService, type ObservedService } from './plan.ts';

/** The two poll intervals (see EndpointServiceReconcilerOptions). */
export interface Polls {
  transitionPollMs: number;
  connectionPollMs: number;
}

/** What a pass saw, as far as the next look depends on it. */
export interface PassOutcome {
  service: ObservedService;
  desired: DesiredService;
  plans: readonly ConnectionPlan[];
  /** The private DNS name waits for verification (its state is read on every poll). */
  dnsPending?: boolean;
}

/**
 * Milliseconds until the next look, or undefined for none but the resync: soon while the
 * service or a connection moves or a decision was just applied; every connection poll while
 * autoAccept/rejectOthers has requests to decide; at least that often while the private DNS
 * name waits.
 */
export function nextLookMs(pass: PassOutcome, polls: Polls): number | undefined {
  const ms = isMoving(pass) ? polls.transitionPollMs : deciding(pass.desired, polls);
  return pass.dnsPending ? Math.min(ms ?? polls.connectionPollMs, polls.connectionPollMs) : ms;
}

function isMoving({ service, plans }: PassOutcome): boolean {
  if (!/^available$/i.test(service.state)) return true;
  return plans.some((p) => p.action !== 'none' || isTransitional(p.state));
}

function deciding(desired: DesiredService, polls: Polls): number | undefined {
  const { principals, rejectOthers } = desired.autoAccept;
  const decides = desired.acceptanceRequired && (principals.length > 0 || rejectOthers);
  return decides ? polls.connectionPollMs : undefined;
}
