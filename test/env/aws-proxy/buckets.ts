/**
 * AWS's documented per-account API throttling, as the throttling proxy applies it: classic
 * token buckets (full at first use, refilled continuously, one token per call).
 *
 * Deliberately independent of the controller's own client-side limiter (src/aws/rate-limit.ts):
 * this is the stand-in for AWS, the oracle the controller is measured against, so it must not
 * share the code under test.
 *
 * Sources: EC2 API reference "Request throttling" (non-mutating Describe/Get/List/Search,
 * mutating, and the per-action buckets) and the ELBv2 API quotas (a whole-account bucket every
 * call draws from, plus one per category).
 */

/** A bucket: `burst` tokens, refilled at `ratePerSecond`. */
export interface Budget {
  burst: number;
  ratePerSecond: number;
}

/** The buckets the proxy knows, named `<service>:<category>`. */
export type BucketName =
  | 'ec2:describe'
  | 'ec2:mutate'
  | 'ec2:vpc-endpoint'
  | 'ec2:vpc-endpoint-connection'
  | 'ec2:vpc-endpoint-service'
  | 'ec2:security-group-rule'
  | 'ec2:tags'
  | 'elbv2:account'
  | 'elbv2:describe'
  | 'elbv2:targets'
  | 'elbv2:mutate'
  | 'acm:describe'
  | 'route53:api'
  | 'apigatewayv2:api';

/** Burst and refill per second of every bucket, per account. */
export const BUDGETS: Readonly<Record<BucketName, Budget>> = {
  'ec2:describe': { burst: 100, ratePerSecond: 20 },
  'ec2:mutate': { burst: 50, ratePerSecond: 5 },
  'ec2:vpc-endpoint': { burst: 4, ratePerSecond: 0.3 },
  'ec2:vpc-endpoint-connection': { burst: 10, ratePerSecond: 1 },
  'ec2:vpc-endpoint-service': { burst: 10, ratePerSecond: 1 },
  'ec2:security-group-rule': { burst: 50, ratePerSecond: 5 },
  'ec2:tags': { burst: 100, ratePerSecond: 10 },
  'elbv2:account': { burst: 40, ratePerSecond: 10 },
  'elbv2:describe': { burst: 40, ratePerSecond: 10 },
  'elbv2:targets': { burst: 20, ratePerSecond: 4 },
  'elbv2:mutate': { burst: 20, ratePerSecond: 3 },
  // ACM DescribeCertificate: 10 requests per second.
  'acm:describe': { burst: 10, ratePerSecond: 10 },
  // Route 53: 5 requests per second per account, all APIs together.
  'route53:api': { burst: 5, ratePerSecond: 5 },
  // API Gateway's control plane, all APIs together (the controller keeps to the same).
  'apigatewayv2:api': { burst: 5, ratePerSecond: 5 },
};

const EC2_ACTION_BUCKETS: Readonly<Record<string, BucketName>> = {
  CreateVpcEndpoint: 'ec2:vpc-endpoint',
  ModifyVpcEndpoint: 'ec2:vpc-endpoint',
  DeleteVpcEndpoints: 'ec2:vpc-endpoint',
  AcceptVpcEndpointConnections: 'ec2:vpc-endpoint-connection',
  RejectVpcEndpointConnections: 'ec2:vpc-endpoint-connection',
  CreateVpcEndpointServiceConfiguration: 'ec2:vpc-endpoint-service',
  ModifyVpcEndpointServiceConfiguration: 'ec2:vpc-endpoint-service',
  DeleteVpcEndpointServiceConfigurations: 'ec2:vpc-endpoint-service',
  ModifyVpcEndpointServicePermissions: 'ec2:vpc-endpoint-service',
  AuthorizeSecurityGroupIngress: 'ec2:security-group-rule',
  AuthorizeSecurityGroupEgress: 'ec2:security-group-rule',
  RevokeSecurityGroupIngress: 'ec2:security-group-rule',
  RevokeSecurityGroupEgress: 'ec2:security-group-rule',
  CreateTags: 'ec2:tags',
  DeleteTags: 'ec2:tags',
};

/** EC2's non-mutating actions; everything else without its own bucket is "mutating". */
const EC2_NON_MUTATING = /^(Describe|Get|List|Search)/;

/**
 * The buckets one call draws from (all or none). STS, ACM calls other than DescribeCertificate
 * and unknown services are not throttled.
 * @param service short service name: `ec2`, `elbv2`, `sts`, …
 */
export function bucketsFor(service: string, operation: string): BucketName[] {
  if (service === 'ec2') {
    return [
      EC2_ACTION_BUCKETS[operation] ?? (EC2_NON_MUTATING.test(operation) ? 'ec2:describe' : 'ec2:mutate'),
    ];
  }
  if (service === 'elbv2') {
    if (operation.startsWith('Describe')) return ['elbv2:account', 'elbv2:describe'];
    if (operation === 'RegisterTargets' || operation === 'DeregisterTargets')
      return ['elbv2:account', 'elbv2:targets'];
    return ['elbv2:account', 'elbv2:mutate'];
  }
  return otherBuckets(service, operation);
}

/** ACM's DescribeCertificate, every Route 53 and API Gateway call have a bucket; other calls none. */
function otherBuckets(service: string, operation: string): BucketName[] {
  if (service === 'acm' && operation === 'DescribeCertificate') return ['acm:describe'];
  if (service === 'route53') return ['route53:api'];
  if (service === 'apigatewayv2') return ['apigatewayv2:api'];
  return [];
}

/** One token bucket; starts full. Time is passed in (ms) so the math is testable. */
export class TokenBucket {
  private readonly burst: number;
  private readonly ratePerMs: number;
  private tokens: number;
  private last: number;

  /** @param ratePerMs refill in tokens per millisecond */
  constructor(burst: number, ratePerMs: number, now: number) {
    this.burst = burst;
    this.ratePerMs = ratePerMs;
    this.tokens = burst;
    this.last = now;
  }

  /** Tokens available at `now` (fractional); refills up to the burst. */
  available(now: number): number {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.ratePerMs);
      this.last = now;
    }
    return this.tokens;
  }

  /** Takes one token; callers check {@link available} first. */
  take(): void {
    this.tokens -= 1;
  }
}

/** Verdict on one call: admitted, or the first bucket that had no token. */
export type Admission = { admitted: true } | { admitted: false; bucket: BucketName };

/**
 * All buckets of all accounts. `timeScale` multiplies every refill rate (bursts unchanged) so
 * a benchmark can run faster than real time while keeping AWS's shape.
 */
export class AccountBuckets {
  readonly timeScale: number;
  private readonly clock: () => number;
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(clock: () => number, timeScale = 1) {
    if (!(timeScale > 0) || !Number.isFinite(timeScale))
      throw new RangeError(`timeScale must be > 0, got ${timeScale}`);
    this.clock = clock;
    this.timeScale = timeScale;
  }

  /**
   * Takes one token from each bucket the call draws from, if every one has a token.
   * @param scope whose buckets: AWS throttles per account and region, e.g. `123456789012/us-east-1`
   */
  admit(scope: string, service: string, operation: string): Admission {
    const now = this.clock();
    const names = bucketsFor(service, operation);
    const buckets = names.map((name) => this.bucket(scope, name, now));
    for (const [i, bucket] of buckets.entries()) {
      // The epsilon absorbs float error in refills such as 3333.33 ms × 0.0003 tokens/ms.
      if (bucket.available(now) < 1 - 1e-9) return { admitted: false, bucket: names[i] as BucketName };
    }
    for (const bucket of buckets) bucket.take();
    return { admitted: true };
  }

  /** Forgets all buckets: every scope starts full again. */
  reset(): void {
    this.buckets.clear();
  }

  private bucket(scope: string, name: BucketName, now: number): TokenBucket {
    const key = `${scope}|${name}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const { burst, ratePerSecond } = BUDGETS[name];
      bucket = new TokenBucket(burst, (ratePerSecond * this.timeScale) / 1000, now);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }
}
