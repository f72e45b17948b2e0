/**
 * How old the memoised describes a reconcile reads may be. A converging object reads fresh
 * (the short defaults). The full walk of an object that was clean trusts what changes rarely
 * for longer: the scope-wide describes as old as the observation's full round (the observation
 * would have enqueued the object had its slice changed), and references (listener, ALB, subnet
 * VPCs, extra SGs) as old as a tenth of the full-recheck period — with the 60 s default, nearly
 * every hourly walk looked its listener and ALB up again, which at N = 1,000 was a third of the
 * steady-state budget.
 */
import { FULL_OBSERVATION_EVERY } from './observer.ts';
import type { ResolvedOptions } from './session.ts';

/** Longest ages, in ms. */
export interface ReadAges {
  /** Scope-wide describes (owned endpoints, SGs, a listener's rules, an ALB's target groups). */
  sharedMs: number;
  /** Reference lookups (listener + ALB, subnet VPCs, extra SGs). */
  referenceMs: number;
}

/** Share of the full-recheck period a full walk's references may be old. */
export const WALK_REFERENCE_SHARE = 0.1;

/** @param fullWalk the reconcile is the periodic full walk of an object that was clean. */
export function readAges(
  opts: Pick<
    ResolvedOptions,
    'sharedReadMaxAgeMs' | 'referenceMaxAgeMs' | 'observePeriodMs' | 'fullRecheckMs'
  >,
  fullWalk: boolean,
): ReadAges {
  if (!fullWalk) return { sharedMs: opts.sharedReadMaxAgeMs, referenceMs: opts.referenceMaxAgeMs };
  return {
    sharedMs: Math.max(opts.sharedReadMaxAgeMs, opts.observePeriodMs * FULL_OBSERVATION_EVERY),
    referenceMs: Math.max(opts.referenceMaxAgeMs, opts.fullRecheckMs * WALK_REFERENCE_SHARE),
  };
}
