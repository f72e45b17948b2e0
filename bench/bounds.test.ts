/**
 * Table tests of the benchmark's pure parts. Run with Node's own runner (bench/ is outside
 * the jest projects): ./node_modules/.bin/node --test bench/bounds.test.ts
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordedCall } from '../test/env/aws-proxy/server.ts';
import { coldStartBound, latencySummary, percentile, throttledShare, throttleSummary } from './bounds.ts';
import { parseBenchOptions } from './options.ts';

function call(service: string, operation: string, outcome: RecordedCall['outcome'] = 'ok'): RecordedCall {
  return {
    time: 0,
    account: '1',
    region: 'us-east-1',
    service,
    operation,
    outcome,
    status: 200,
    latencyMs: 1,
  };
}
const many = (n: number, c: RecordedCall): RecordedCall[] => Array.from({ length: n }, () => c);

void describe('coldStartBound', () => {
  const cases: {
    name: string;
    calls: RecordedCall[];
    share: number;
    scale: number;
    seconds: number;
    bucket: string | undefined;
  }[] = [
    {
      // burst floor(4 × 0.5) = 2, refill 0.3 × 0.5 = 0.15/s: (100 − 2) / 0.15
      name: '100 endpoint creations at half share',
      calls: many(100, call('ec2', 'CreateVpcEndpoint')),
      share: 0.5,
      scale: 1,
      seconds: 98 / 0.15,
      bucket: 'ec2:vpc-endpoint',
    },
    {
      name: 'the time scale divides the bound',
      calls: many(100, call('ec2', 'CreateVpcEndpoint')),
      share: 0.5,
      scale: 10,
      seconds: 98 / 1.5,
      bucket: 'ec2:vpc-endpoint',
    },
    {
      name: 'reads, failures and throttled calls do not count',
      calls: [
        ...many(500, call('ec2', 'DescribeVpcEndpoints')),
        ...many(50, call('ec2', 'CreateVpcEndpoint', 'throttled')),
        ...many(50, call('ec2', 'CreateVpcEndpoint', 'error')),
        ...many(3, call('ec2', 'CreateVpcEndpoint')),
      ],
      share: 0.5,
      scale: 1,
      seconds: 1 / 0.15,
      bucket: 'ec2:vpc-endpoint',
    },
    {
      // 300 ELBv2 mutations: elbv2:mutate 10 + 1.5/s binds before elbv2:account 20 + 5/s
      name: 'the slowest of the buckets a call draws from binds',
      calls: many(300, call('elbv2', 'CreateRule')),
      share: 0.5,
      scale: 1,
      seconds: 290 / 1.5,
      bucket: 'elbv2:mutate',
    },
    {
      name: 'within the burst: zero',
      calls: many(2, call('ec2', 'CreateVpcEndpoint')),
      share: 0.5,
      scale: 1,
      seconds: 0,
      bucket: 'ec2:vpc-endpoint',
    },
    { name: 'no calls', calls: [], share: 0.5, scale: 1, seconds: 0, bucket: undefined },
  ];
  for (const c of cases) {
    void it(c.name, () => {
      const bound = coldStartBound(c.calls, c.share, c.scale);
      assert.equal(bound.bucket, c.bucket);
      assert.ok(Math.abs(bound.seconds - c.seconds) < 1e-9, `${bound.seconds} ≠ ${c.seconds}`);
    });
  }
});

void describe('percentile', () => {
  const cases: [number[], number, number][] = [
    [[5, 1, 3, 2, 4], 50, 3],
    [[5, 1, 3, 2, 4], 99, 5],
    [[5, 1, 3, 2, 4], 0, 1],
    [Array.from({ length: 100 }, (_, i) => i + 1), 99, 99],
    [[7], 50, 7],
  ];
  for (const [values, p, want] of cases) {
    void it(`p${p} of ${values.length} values`, () => {
      assert.equal(percentile(values, p), want);
    });
  }
  void it('empty: NaN', () => {
    assert.ok(Number.isNaN(percentile([], 50)));
  });
});

void describe('throttledShare', () => {
  void it('counts bucket refusals over all calls', () => {
    const calls = [...many(3, call('ec2', 'DescribeVpcs')), call('ec2', 'DescribeVpcs', 'throttled')];
    assert.equal(throttledShare(calls), 0.25);
    assert.equal(throttledShare([]), 0);
  });
});

void describe('parseBenchOptions', () => {
  void it('defaults to the issue’s sizes', () => {
    const o = parseBenchOptions([]);
    assert.deepEqual(o.sizes, [100, 300, 1000]);
    assert.equal(o.share, 0.5);
  });
  void it('defaults to the controller’s own periods and concurrency', () => {
    const o = parseBenchOptions([]);
    assert.deepEqual(
      [o.resyncSeconds, o.observeSeconds, o.fullRecheckSeconds, o.concurrency, o.controllerRev],
      [300, 10, 3600, 16, undefined],
    );
  });
  void it('reads periods, concurrency and the controller revision', () => {
    const o = parseBenchOptions([
      '--resync',
      '30',
      '--observe',
      '5',
      '--full-recheck',
      '600',
      '--concurrency',
      '16',
      '--controller-rev',
      'HEAD~1',
    ]);
    assert.deepEqual(
      [o.resyncSeconds, o.observeSeconds, o.fullRecheckSeconds, o.concurrency, o.controllerRev],
      [30, 5, 600, 16, 'HEAD~1'],
    );
  });
  void it('reads sizes and scale', () => {
    const o = parseBenchOptions(['--sizes', '100', '--time-scale', '20']);
    assert.deepEqual(o.sizes, [100]);
    assert.equal(o.timeScale, 20);
  });
  const bad: [string[], RegExp][] = [
    [['--sizes', '10,x'], /--sizes/],
    [['--share', '1.5'], /--share/],
    [['--time-scale', '0'], /--time-scale/],
    [['--rules-per-listener', '100'], /--rules-per-listener/],
    [['--concurrency', '2.5'], /--concurrency/],
    [['--observe', '0'], /--observe/],
    [['--nope'], /nope/],
  ];
  for (const [argv, msg] of bad) {
    void it(`rejects ${argv.join(' ')}`, () => {
      assert.throws(() => parseBenchOptions(argv), msg);
    });
  }
});

void describe('latencySummary', () => {
  void it('leaves timeouts out of the percentiles and counts them', () => {
    assert.deepEqual(latencySummary([1000, undefined, 3000, 2000]), {
      changes: 4,
      timeouts: 1,
      p50Seconds: 2,
      p99Seconds: 3,
      maxSeconds: 3,
    });
  });
});

void describe('throttleSummary', () => {
  void it('counts refusals per bucket', () => {
    const refused = { ...call('ec2', 'CreateVpcEndpoint', 'throttled'), bucket: 'ec2:vpc-endpoint' as const };
    const s = throttleSummary([refused, refused, call('ec2', 'DescribeVpcs')]);
    assert.deepEqual(s.byBucket, { 'ec2:vpc-endpoint': 2 });
    assert.equal(s.calls, 2);
    assert.equal(s.total, 3);
  });
});
