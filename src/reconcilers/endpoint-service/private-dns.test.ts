import type { ObservedService } from './plan.ts';
import { privateDnsCondition, shouldStartVerification, txtRecord, verificationEvent } from './private-dns.ts';

const service = (name?: string, state?: string): ObservedService => ({
  serviceId: 'vpce-svc-1',
  serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-1',
  state: 'Available',
  acceptanceRequired: false,
  networkLoadBalancerArns: [],
  supportedIpAddressTypes: ['ipv4'],
  tags: {},
  ...(name ? { privateDnsName: name } : {}),
  ...(state ? { privateDnsNameConfiguration: { state, type: 'TXT', name: '_abc', value: 'vpce:xyz' } } : {}),
});
const RETRY = 600_000;

describe('shouldStartVerification', () => {
  it.each([
    ['no private DNS name', service(), undefined, 0, false],
    ['verified', service('a.example.com', 'verified'), undefined, 0, false],
    ['no state reported yet', service('a.example.com'), undefined, 0, false],
    ['pending, never started', service('a.example.com', 'pendingVerification'), undefined, 0, true],
    ['failed, never started', service('a.example.com', 'failed'), undefined, 0, true],
    [
      'failed, started just now',
      service('a.example.com', 'failed'),
      { name: 'a.example.com', at: 0 },
      1,
      false,
    ],
    [
      'failed, started a retry ago',
      service('a.example.com', 'failed'),
      { name: 'a.example.com', at: 0 },
      RETRY,
      true,
    ],
    [
      'a new name starts at once',
      service('b.example.com', 'pendingVerification'),
      { name: 'a.example.com', at: 0 },
      1,
      true,
    ],
  ])('%s → %s', (_, svc, last, now, expected) => {
    expect(shouldStartVerification(svc, last, now, RETRY)).toBe(expected);
  });
});

describe('privateDnsCondition', () => {
  it.each([
    ['no name: none', service(), undefined],
    ['verified', service('a.example.com', 'verified'), ['True', 'Verified', 'a.example.com is verified']],
    [
      'failed: the record to publish and the retry',
      service('a.example.com', 'failed'),
      [
        'False',
        'VerificationFailed',
        'AWS did not find TXT _abc.a.example.com = "vpce:xyz"; publish it — verification is retried every 10 min',
      ],
    ],
    [
      'pending',
      service('a.example.com', 'pendingVerification'),
      [
        'False',
        'PendingVerification',
        'publish TXT _abc.a.example.com = "vpce:xyz"; verification is started every 10 min until it succeeds',
      ],
    ],
  ])('%s', (_, svc, expected) => {
    const c = privateDnsCondition(svc, RETRY);
    expect(c && [c.status, c.reason, c.message]).toEqual(expected);
  });

  const published = { hostedZoneId: 'Z1', name: '_abc.a.example.com', value: 'vpce:xyz' };
  it.each([
    [
      'pending, published by the controller',
      service('a.example.com', 'pendingVerification'),
      'TXT _abc.a.example.com = "vpce:xyz" is published in hosted zone Z1; verification is started every 10 min until it succeeds',
    ],
    [
      'failed, published by the controller',
      service('a.example.com', 'failed'),
      'AWS did not find it yet: TXT _abc.a.example.com = "vpce:xyz" is published in hosted zone Z1; verification is retried every 10 min',
    ],
    ['verified', service('a.example.com', 'verified'), 'a.example.com is verified'],
  ])('%s', (_, svc, message) => {
    expect(privateDnsCondition(svc, RETRY, published)?.message).toBe(message);
  });
});

it('txtRecord needs a name and the record', () => {
  expect(txtRecord(service('a.example.com', 'failed'))).toBe('TXT _abc.a.example.com = "vpce:xyz"');
  expect(txtRecord(service('a.example.com'))).toBeUndefined();
  expect(txtRecord(service(undefined, 'failed'))).toBeUndefined();
});

describe('verificationEvent', () => {
  const failed = { status: 'False' as const, reason: 'VerificationFailed', message: 'm' };
  const verified = { status: 'True' as const, reason: 'Verified', message: 'm' };
  const pending = { status: 'False' as const, reason: 'PendingVerification', message: 'm' };
  it.each([
    ['a failure warns', undefined, failed, { type: 'Warning', reason: 'PrivateDnsVerificationFailed' }],
    ['a standing failure does not warn again', 'VerificationFailed', failed, undefined],
    ['success is noted', 'VerificationFailed', verified, { type: 'Normal', reason: 'PrivateDnsVerified' }],
    ['standing success is not', 'Verified', verified, undefined],
    ['pending is not an event', undefined, pending, undefined],
  ])('%s', (_, previous, condition, expected) => {
    expect(verificationEvent(previous, condition)).toEqual(expected);
  });
});
