import { describe, expect, it } from '@jest/globals';
import { decisionEvent } from './decision-events.ts';
import type { ConnectionPlan } from './plan.ts';

const plan = (p: Partial<ConnectionPlan>): ConnectionPlan => ({
  endpointId: 'vpce-1',
  owner: '222222222222',
  state: 'pendingAcceptance',
  action: 'none',
  why: 'account 222222222222 is in autoAccept.principals',
  ...p,
});

describe('decisionEvent', () => {
  it.each<[string, ConnectionPlan, boolean, string | undefined]>([
    ['accepted', plan({ action: 'accept', decision: 'Accepted' }), false, 'ConnectionAccepted'],
    ['rejected', plan({ action: 'reject', decision: 'Rejected' }), false, 'ConnectionRejected'],
    ['newly left pending', plan({ decision: 'Pending' }), false, 'ConnectionPending'],
    ['still pending (said before)', plan({ decision: 'Pending' }), true, undefined],
    ['accepted earlier, seen again', plan({ state: 'available', decision: 'Accepted' }), false, undefined],
    ['gone (no decision)', plan({ state: 'deleted' }), false, undefined],
  ])('%s → %s', (_, p, wasPending, reason) => {
    expect(decisionEvent(p, wasPending)?.reason).toBe(reason);
  });

  it('says who, which endpoint and why', () => {
    expect(decisionEvent(plan({ action: 'accept' }), false)?.message).toBe(
      'accepted endpoint vpce-1 of account 222222222222: account 222222222222 is in autoAccept.principals',
    );
  });
});
