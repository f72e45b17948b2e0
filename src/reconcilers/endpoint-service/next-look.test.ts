import { describe, expect, it } from '@jest/globals';
import { nextLookMs, type PassOutcome } from './next-look.ts';
import type { ConnectionPlan, DesiredService, ObservedService } from './plan.ts';

const polls = { transitionPollMs: 15, connectionPollMs: 60 };
const available = { state: 'Available' } as ObservedService;
const manual = {
  acceptanceRequired: true,
  autoAccept: { principals: [], rejectOthers: false },
} as unknown as DesiredService;
const auto = { ...manual, autoAccept: { principals: ['111111111111'], rejectOthers: false } };
const rejecting = { ...manual, autoAccept: { principals: [], rejectOthers: true } };
const open = { ...auto, acceptanceRequired: false };
const plan = (p: Partial<ConnectionPlan>): ConnectionPlan => ({
  endpointId: 'vpce-1',
  owner: '111111111111',
  state: 'available',
  action: 'none',
  why: '',
  ...p,
});

describe('nextLookMs', () => {
  it.each<[string, Partial<PassOutcome>, number | undefined]>([
    ['steady, nothing to decide: only the resync', {}, undefined],
    ['the service is still pending', { service: { state: 'pending' } as ObservedService }, 15],
    ['a decision was just applied', { plans: [plan({ action: 'accept' })] }, 15],
    ['a connection is changing state', { plans: [plan({ state: 'pending' })] }, 15],
    ['autoAccept principals may see new requests', { desired: auto }, 60],
    ['rejectOthers may see new requests', { desired: rejecting }, 60],
    ['no acceptance required: AWS decides', { desired: open }, undefined],
    ['the private DNS name waits', { dnsPending: true }, 60],
    [
      'the private DNS name waits while something moves',
      { dnsPending: true, plans: [plan({ action: 'reject' })] },
      15,
    ],
  ])('%s', (_, pass, ms) => {
    expect(nextLookMs({ service: available, desired: manual, plans: [], ...pass }, polls)).toBe(ms);
  });

  it('while the private DNS name waits, never later than a connection poll', () => {
    const slow = { transitionPollMs: 90, connectionPollMs: 60 };
    const pass = {
      service: { state: 'pending' } as ObservedService,
      desired: manual,
      plans: [],
      dnsPending: true,
    };
    expect(nextLookMs(pass, slow)).toBe(60);
  });
});
