import {
  FaultInjector,
  MAX_LATENCY_MS,
  parseFaultRules,
  seededRandom,
  type FaultRule,
} from '../../env/aws-proxy/faults.ts';

const ec2 = (operation: string, account = '111111111111') => ({ service: 'ec2', operation, account });

describe('seededRandom', () => {
  it('repeats for a seed, differs across seeds, stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const draws = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(draws);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(draws);
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});

describe('parseFaultRules', () => {
  it('accepts a full rule and drops nothing it knows', () => {
    const rule = {
      service: 'ec2',
      operation: 'Create.*',
      account: '1',
      kind: 'latency',
      rate: 0.5,
      latencyMs: 100,
    };
    expect(parseFaultRules([rule])).toEqual([rule]);
  });

  it.each(['throttle', 'error500', 'accessDenied', 'latency', 'reset', 'lostResponse'])(
    'accepts kind %s',
    (kind) => {
      expect(parseFaultRules([{ kind, rate: 1 }])).toEqual([{ kind, rate: 1 }]);
    },
  );

  it.each([
    ['not an array', { kind: 'reset', rate: 1 }, /must be an array/],
    ['not an object', [3], /rules\[0\] must be an object/],
    ['unknown kind', [{ kind: 'explode', rate: 1 }], /rules\[0\]\.kind/],
    ['rate above 1', [{ kind: 'reset', rate: 1.5 }], /rules\[0\]\.rate/],
    ['rate missing', [{ kind: 'reset' }], /rules\[0\]\.rate/],
    ['latency above 5 s', [{ kind: 'latency', rate: 1, latencyMs: MAX_LATENCY_MS + 1 }], /latencyMs/],
    ['empty service', [{ kind: 'reset', rate: 1, service: '' }], /service/],
    ['bad regex', [{ kind: 'reset', rate: 1, operation: 'Create(' }], /not a valid regular expression/],
  ])('rejects %s', (_what, input, message) => {
    expect(() => parseFaultRules(input)).toThrow(message);
  });
});

describe('FaultInjector.plan', () => {
  it.each<[string, FaultRule, { service: string; operation: string; account: string }, boolean]>([
    ['no selectors match everything', { kind: 'reset', rate: 1 }, ec2('DescribeVpcs'), true],
    ['service selects', { kind: 'reset', rate: 1, service: 'elbv2' }, ec2('DescribeVpcs'), false],
    ['account selects', { kind: 'reset', rate: 1, account: '2' }, ec2('DescribeVpcs', '2'), true],
    ['other account', { kind: 'reset', rate: 1, account: '2' }, ec2('DescribeVpcs', '3'), false],
    [
      'exact operation',
      { kind: 'reset', rate: 1, operation: 'CreateVpcEndpoint' },
      ec2('CreateVpcEndpoint'),
      true,
    ],
    [
      'exact operation is anchored',
      { kind: 'reset', rate: 1, operation: 'CreateVpcEndpoint' },
      ec2('CreateVpcEndpointServiceConfiguration'),
      false,
    ],
    [
      'regex operation',
      { kind: 'reset', rate: 1, operation: '(Create|Delete)Tags' },
      ec2('DeleteTags'),
      true,
    ],
    ['rate 0 never hits', { kind: 'reset', rate: 0 }, ec2('DescribeVpcs'), false],
  ])('%s', (_what, rule, call, hits) => {
    expect(new FaultInjector([rule], 1).plan(call)).toEqual(
      hits ? { delayMs: 0, terminal: 'reset' } : { delayMs: 0 },
    );
  });

  it('hits at about the configured rate, identically for the same seed', () => {
    const rules: FaultRule[] = [{ kind: 'error500', rate: 0.2 }];
    const run = (seed: number) => {
      const injector = new FaultInjector(rules, seed);
      return Array.from({ length: 2000 }, () => injector.plan(ec2('CreateTags')).terminal !== undefined);
    };
    const hits = run(7);
    expect(run(7)).toEqual(hits);
    const share = hits.filter(Boolean).length / hits.length;
    expect(share).toBeGreaterThan(0.17);
    expect(share).toBeLessThan(0.23);
  });

  it('adds latency and goes on to the first terminal fault that hits', () => {
    const injector = new FaultInjector(
      [
        { kind: 'latency', rate: 1, latencyMs: 300 },
        { kind: 'throttle', rate: 0, operation: 'CreateTags' },
        { kind: 'lostResponse', rate: 1, operation: 'CreateTags' },
        { kind: 'reset', rate: 1 },
      ],
      3,
    );
    const tags = injector.plan(ec2('CreateTags'));
    expect(tags.terminal).toBe('lostResponse');
    expect(tags.delayMs).toBeGreaterThanOrEqual(0);
    expect(tags.delayMs).toBeLessThanOrEqual(300);
    expect(injector.plan(ec2('DescribeVpcs')).terminal).toBe('reset');
  });

  it('draws latencies across [0, latencyMs] and caps the sum at 5 s', () => {
    const injector = new FaultInjector(
      [
        { kind: 'latency', rate: 1, latencyMs: MAX_LATENCY_MS },
        { kind: 'latency', rate: 1, latencyMs: MAX_LATENCY_MS },
      ],
      5,
    );
    const delays = Array.from({ length: 500 }, () => injector.plan(ec2('DescribeVpcs')).delayMs);
    expect(Math.max(...delays)).toBe(MAX_LATENCY_MS);
    expect(Math.min(...delays)).toBeLessThan(MAX_LATENCY_MS / 2);
    expect(new FaultInjector([{ kind: 'latency', rate: 1 }], 5).plan(ec2('X')).delayMs).toBeGreaterThan(0);
  });
});
