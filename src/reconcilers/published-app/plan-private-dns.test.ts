import { describe, expect, it } from '@jest/globals';
import {
  planPrivateDns,
  privateDnsNeedsCheck,
  type PrivateDnsInputs,
  type PrivateDnsPlan,
} from './plan-private-dns.ts';

const base: PrivateDnsInputs = {
  wanted: true,
  serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-1',
  vpcId: 'vpc-1',
  service: { name: 'blue.example.com', verificationState: 'verified' },
  vpc: { support: true, hostnames: true },
};

describe('planPrivateDns', () => {
  it.each<[string, Partial<PrivateDnsInputs>, Pick<PrivateDnsPlan, 'enabled'> & { reason?: string }]>([
    [
      'not wanted: off, nothing read',
      { wanted: false, service: undefined, vpc: undefined },
      { enabled: false },
    ],
    ['not wanted, on at the live endpoint: turned off', { wanted: false, current: true }, { enabled: false }],
    [
      'wanted and on already: held without reading',
      { current: true, service: undefined, vpc: undefined },
      { enabled: true },
    ],
    ['wanted, verified name, DNS on the VPC: on', {}, { enabled: true }],
    ['the service has no name', { service: {} }, { enabled: false, reason: 'PrivateDnsNameNotAvailable' }],
    [
      'the service was not visible',
      { service: undefined },
      { enabled: false, reason: 'PrivateDnsNameNotAvailable' },
    ],
    [
      'the name waits for verification',
      { service: { name: 'blue.example.com', verificationState: 'pendingVerification' } },
      { enabled: false, reason: 'PrivateDnsNameNotAvailable' },
    ],
    [
      'verification failed',
      { service: { name: 'blue.example.com', verificationState: 'failed' } },
      { enabled: false, reason: 'PrivateDnsNameNotAvailable' },
    ],
    [
      'no DNS hostnames on the VPC',
      { vpc: { support: true, hostnames: false } },
      { enabled: false, reason: 'VpcDnsNotEnabled' },
    ],
    [
      'no DNS support on the VPC',
      { vpc: { support: false, hostnames: true } },
      { enabled: false, reason: 'VpcDnsNotEnabled' },
    ],
    [
      'refused for a live endpoint that has it off: held off',
      { current: false, vpc: { support: true, hostnames: false } },
      { enabled: false, reason: 'VpcDnsNotEnabled' },
    ],
  ])('%s', (_, change, want) => {
    const plan = planPrivateDns({ ...base, ...change });
    expect(plan.enabled).toBe(want.enabled);
    expect(plan.problem?.reason).toBe(want.reason);
  });

  it('names what is missing', () => {
    expect(planPrivateDns({ ...base, vpc: { support: false, hostnames: false } }).problem?.message).toBe(
      'private DNS needs enableDnsSupport and enableDnsHostnames on vpc-1',
    );
    expect(
      planPrivateDns({ ...base, service: { name: 'blue.example.com', verificationState: 'failed' } }).problem
        ?.message,
    ).toContain('blue.example.com of com.amazonaws.vpce.us-east-1.vpce-svc-1 is not verified (failed)');
  });

  it.each([
    [true, undefined, true],
    [true, false, true],
    [true, true, false],
    [false, undefined, false],
    [false, true, false],
  ])('needs a check: wanted %s, live %s → %s', (wanted, current, needed) => {
    expect(privateDnsNeedsCheck(wanted, current)).toBe(needed);
  });
});
