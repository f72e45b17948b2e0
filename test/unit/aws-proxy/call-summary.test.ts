import { summarizeCalls } from '../../env/aws-proxy/call-summary.ts';
import type { RecordedCall } from '../../env/aws-proxy/server.ts';

const call = (
  operation: string,
  outcome: RecordedCall['outcome'],
  extra: Partial<RecordedCall> = {},
): RecordedCall => ({
  time: 0,
  account: '111111111111',
  region: 'us-east-1',
  service: 'ec2',
  operation,
  outcome,
  status: 200,
  latencyMs: 1,
  ...extra,
});

describe('summarizeCalls', () => {
  it('is all zeros for no calls', () => {
    expect(summarizeCalls([])).toEqual({
      total: 0,
      outcomes: { ok: 0, error: 0, throttled: 0, fault: 0 },
      throttledShare: 0,
      faults: { throttle: 0, error500: 0, accessDenied: 0, latency: 0, reset: 0, lostResponse: 0 },
      operations: {},
    });
  });

  it('counts outcomes, faults and operations; only bucket refusals count as throttled', () => {
    const summary = summarizeCalls([
      call('CreateVpcEndpoint', 'ok'),
      call('CreateVpcEndpoint', 'throttled', { bucket: 'ec2:vpc-endpoint' }),
      call('CreateVpcEndpoint', 'fault', { fault: 'lostResponse' }),
      call('DescribeRules', 'fault', { service: 'elbv2', fault: 'throttle' }),
      call('DescribeRules', 'ok', { service: 'elbv2', fault: 'latency', delayMs: 10 }),
      call('DescribeVpcs', 'error', { errorCode: 'InvalidVpcID.NotFound' }),
      call('DescribeVpcs', 'ok'),
      call('DescribeVpcs', 'ok'),
    ]);
    expect(summary.total).toBe(8);
    expect(summary.outcomes).toEqual({ ok: 4, error: 1, throttled: 1, fault: 2 });
    expect(summary.throttledShare).toBe(1 / 8);
    expect(summary.faults).toEqual({
      throttle: 1,
      error500: 0,
      accessDenied: 0,
      latency: 1,
      reset: 0,
      lostResponse: 1,
    });
    expect(summary.operations).toEqual({
      'ec2:CreateVpcEndpoint': { ok: 1, error: 0, throttled: 1, fault: 1 },
      'elbv2:DescribeRules': { ok: 1, error: 0, throttled: 0, fault: 1 },
      'ec2:DescribeVpcs': { ok: 2, error: 1, throttled: 0, fault: 0 },
    });
  });
});
