import { AWS_BUDGETS, RateLimiter, TokenBucket, familiesFor, shareOf, tryTake } from './rate-limit.ts';

describe('familiesFor', () => {
  it.each([
    ['ec2', 'DescribeVpcEndpoints', ['ec2:describe']],
    ['ec2', 'DescribeNetworkInterfaces', ['ec2:describe']],
    ['ec2', 'GetManagedPrefixListEntries', ['ec2:describe']],
    ['ec2', 'CreateVpcEndpoint', ['ec2:vpc-endpoint']],
    ['ec2', 'ModifyVpcEndpoint', ['ec2:vpc-endpoint']],
    ['ec2', 'DeleteVpcEndpoints', ['ec2:vpc-endpoint']],
    ['ec2', 'AcceptVpcEndpointConnections', ['ec2:vpc-endpoint-connection']],
    ['ec2', 'RejectVpcEndpointConnections', ['ec2:vpc-endpoint-connection']],
    ['ec2', 'CreateVpcEndpointServiceConfiguration', ['ec2:vpc-endpoint-service']],
    ['ec2', 'ModifyVpcEndpointServiceConfiguration', ['ec2:vpc-endpoint-service']],
    ['ec2', 'DeleteVpcEndpointServiceConfigurations', ['ec2:vpc-endpoint-service']],
    ['ec2', 'ModifyVpcEndpointServicePermissions', ['ec2:vpc-endpoint-service']],
    ['ec2', 'AuthorizeSecurityGroupIngress', ['ec2:security-group-rule']],
    ['ec2', 'RevokeSecurityGroupEgress', ['ec2:security-group-rule']],
    ['ec2', 'CreateTags', ['ec2:tags']],
    ['ec2', 'DeleteTags', ['ec2:tags']],
    ['ec2', 'CreateSecurityGroup', ['ec2:mutate']],
    ['ec2', 'DeleteSecurityGroup', ['ec2:mutate']],
    ['elbv2', 'DescribeRules', ['elbv2:account', 'elbv2:describe']],
    ['elbv2', 'DescribeTags', ['elbv2:account', 'elbv2:describe']],
    ['elbv2', 'RegisterTargets', ['elbv2:account', 'elbv2:targets']],
    ['elbv2', 'DeregisterTargets', ['elbv2:account', 'elbv2:targets']],
    ['elbv2', 'CreateRule', ['elbv2:account', 'elbv2:mutate']],
    ['elbv2', 'SetRulePriorities', ['elbv2:account', 'elbv2:mutate']],
    ['route53', 'ChangeResourceRecordSets', ['route53:api']],
    ['route53', 'ListResourceRecordSets', ['route53:api']],
    ['acm', 'DescribeCertificate', ['acm:describe']],
    ['apigatewayv2', 'CreateRoute', ['apigatewayv2:api']],
    ['apigatewayv2', 'GetRoutes', ['apigatewayv2:api']],
    ['acm', 'ListCertificates', []],
    ['sts', 'AssumeRole', []],
  ])('%s %s → %j', (service, operation, expected) => {
    expect(familiesFor(service, operation)).toEqual(expected);
  });

  it('maps every family it returns to a documented budget', () => {
    for (const family of [
      ...familiesFor('elbv2', 'CreateRule'),
      ...familiesFor('route53', 'GetHostedZone'),
      ...familiesFor('apigatewayv2', 'GetRoutes'),
    ])
      expect(AWS_BUDGETS[family]).toBeDefined();
  });
});

describe('shareOf', () => {
  it.each([
    [{ burst: 100, ratePerSecond: 20 }, 0.5, 1, { burst: 50, ratePerSecond: 10 }],
    [{ burst: 4, ratePerSecond: 0.3 }, 0.5, 1, { burst: 2, ratePerSecond: 0.15 }],
    [{ burst: 4, ratePerSecond: 0.3 }, 0.1, 1, { burst: 1, ratePerSecond: 0.03 }],
    [{ burst: 100, ratePerSecond: 20 }, 0.07, 1, { burst: 7, ratePerSecond: 1.4 }],
    [{ burst: 10, ratePerSecond: 1 }, 1, 10, { burst: 10, ratePerSecond: 10 }],
    [{ burst: 100, ratePerSecond: 20 }, 0.02, 2.5, { burst: 2, ratePerSecond: 1 }],
  ])('%j × %d (refill ×%d) → %j', (budget, share, scale, expected) => {
    const got = shareOf(budget, share, scale);
    expect(got.burst).toBe(expected.burst);
    expect(got.ratePerSecond).toBeCloseTo(expected.ratePerSecond, 9);
  });

  it.each([0, -0.1, 1.5, Number.NaN])('rejects share %d', (share) => {
    expect(() => shareOf({ burst: 10, ratePerSecond: 1 }, share)).toThrow(RangeError);
  });

  it('rejects a non-positive refill scale', () => {
    expect(() => shareOf({ burst: 10, ratePerSecond: 1 }, 0.5, 0)).toThrow(RangeError);
  });
});

/** Send times (ms) granted, in FIFO order, to calls arriving at `arrivals` (ascending). */
function grants(buckets: TokenBucket[], arrivals: number[]): number[] {
  let last = Number.NEGATIVE_INFINITY;
  return arrivals.map((arrival) => {
    let t = Math.max(arrival, last);
    for (let next = tryTake(buckets, t); next !== t; next = tryTake(buckets, t)) t = next;
    last = t;
    return t;
  });
}

describe('TokenBucket / tryTake', () => {
  it.each([
    [
      'burst then one per interval',
      { burst: 2, ratePerSecond: 1 },
      [0, 0, 0, 0, 0],
      [0, 0, 1000, 2000, 3000],
    ],
    ['burst 1 spaces every call', { burst: 1, ratePerSecond: 2 }, [0, 0, 0], [0, 500, 1000]],
    ['slow arrivals never wait', { burst: 1, ratePerSecond: 1 }, [0, 1000, 2500], [0, 1000, 2500]],
    [
      'refill after idle restores the burst',
      { burst: 3, ratePerSecond: 1 },
      [0, 0, 0, 10_000, 10_000, 10_000, 10_000],
      [0, 0, 0, 10_000, 10_000, 10_000, 11_000],
    ],
    ['partial refill', { burst: 2, ratePerSecond: 1 }, [0, 0, 1500, 1500], [0, 0, 1500, 2000]],
    [
      'refill never exceeds the burst',
      { burst: 2, ratePerSecond: 10 },
      [0, 5000, 5000, 5000],
      [0, 5000, 5000, 5100],
    ],
    [
      'VPC endpoint bucket at 50%',
      shareOf(AWS_BUDGETS['ec2:vpc-endpoint'], 0.5),
      [0, 0, 0, 0],
      [0, 0, 6667, 13_333],
    ],
  ])('%s', (_name, budget, arrivals, expected) => {
    const got = grants([new TokenBucket(budget)], arrivals);
    expect(got).toHaveLength(expected.length);
    got.forEach((at, i) => {
      expect(Math.abs(at - expected[i]!)).toBeLessThan(1);
    });
  });

  it('takes a token only when every bucket has one', () => {
    const account = new TokenBucket({ burst: 3, ratePerSecond: 1 });
    const targets = new TokenBucket({ burst: 1, ratePerSecond: 0.5 });
    expect(tryTake([account, targets], 0)).toBe(0);
    // targets is empty until 2000: nothing is taken from account either ...
    expect(tryTake([account, targets], 0)).toBe(2000);
    // ... so calls that only share the account bucket still find two tokens.
    expect(tryTake([account], 0)).toBe(0);
    expect(tryTake([account], 0)).toBe(0);
    expect(tryTake([account], 0)).toBe(1000);
    // By 2000 account has refilled enough for the waiting two-bucket call.
    expect(tryTake([account, targets], 2000)).toBe(2000);
    expect(grants([account, targets], [2000])).toEqual([4000]);
  });
});

describe('RateLimiter', () => {
  // apiShare 0.01 × refill 50: ec2:describe becomes burst 1, 10 per second.
  const fast = { apiShare: 0.01, refillScale: 50 };

  it('serves a burst in arrival order, one token per interval', async () => {
    const limiter = new RateLimiter(fast);
    const granted: { i: number; at: number; waited: number }[] = [];
    await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const waited = await limiter.acquire('s', 'ec2', 'DescribeVpcs');
        granted.push({ i, at: Date.now(), waited });
      }),
    );
    expect(granted.map((g) => g.i)).toEqual([0, 1, 2, 3]);
    expect(granted[0]!.waited).toBe(0);
    expect(granted[3]!.waited).toBeGreaterThan(0);
    // Grants are one 100 ms interval apart or more (timers fire late, never early).
    for (let i = 1; i < 4; i++) expect(granted[i]!.at - granted[i - 1]!.at).toBeGreaterThanOrEqual(95);
  });

  it('keeps separate buckets per scope and per family', async () => {
    const limiter = new RateLimiter(fast);
    await limiter.acquire('a', 'ec2', 'DescribeVpcs');
    expect(await limiter.acquire('b', 'ec2', 'DescribeVpcs')).toBe(0);
    expect(await limiter.acquire('a', 'ec2', 'CreateTags')).toBe(0);
    expect(await limiter.acquire('a', 'sts', 'AssumeRole')).toBe(0);
    expect(await limiter.acquire('a', 'ec2', 'DescribeVpcs')).toBeGreaterThan(0);
  });

  it('an aborted waiter leaves the queue without taking a token', async () => {
    const limiter = new RateLimiter({ apiShare: 0.01, refillScale: 5 }); // ec2:describe: burst 1, 1/s
    await limiter.acquire('s', 'ec2', 'DescribeVpcs');
    const controller = new AbortController();
    const aborted = limiter.acquire('s', 'ec2', 'DescribeVpcs', controller.signal);
    const next = limiter.acquire('s', 'ec2', 'DescribeVpcs');
    controller.abort(new Error('shutting down'));
    await expect(aborted).rejects.toThrow('shutting down');
    // The next caller takes the slot the aborted one would have had (~1 s, not ~2 s).
    const waited = await next;
    expect(waited).toBeGreaterThan(0.9);
    expect(waited).toBeLessThan(1.8);
  });

  it('rejects at once on an already aborted signal', async () => {
    const limiter = new RateLimiter({ apiShare: 0.5 });
    await expect(limiter.acquire('s', 'ec2', 'DescribeVpcs', AbortSignal.abort())).rejects.toThrow();
  });

  it('rejects an invalid share at construction', () => {
    expect(() => new RateLimiter({ apiShare: 2 })).toThrow(RangeError);
  });
});
