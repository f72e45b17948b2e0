/**
 * Client-side token buckets that keep the controller inside a share of the AWS account's
 * per-operation throttling budget, which it shares with every other tool in the account.
 *
 * The bucket math ({@link TokenBucket}, {@link tryTake}) is pure and clock-injected; the
 * {@link RateLimiter} queues callers per bucket set and wakes them on timers.
 */

/** A documented AWS bucket: `burst` tokens, refilled at `ratePerSecond`. */
export interface BucketBudget {
  burst: number;
  ratePerSecond: number;
}

/** Operation families with their own AWS throttling bucket. */
export type OperationFamily =
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

/**
 * AWS's documented per-account, per-region buckets (EC2 "Request throttling" and the ELBv2
 * API quotas), and Route 53's per-account limit (5 requests/s, every API and region
 * together; no burst is documented, so none beyond one second's worth). The throttling
 * proxy in test/env applies the same EC2/ELBv2 table (it does not throttle Route 53).
 */
export const AWS_BUDGETS: Readonly<Record<OperationFamily, BucketBudget>> = {
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
  // DescribeCertificate: 10 per second per account.
  'acm:describe': { burst: 10, ratePerSecond: 10 },
  'route53:api': { burst: 5, ratePerSecond: 5 },
  // API Gateway's control plane: about 10 requests/s per account and region, all APIs
  // together (less for some creates); kept below that, as other tools share it.
  'apigatewayv2:api': { burst: 5, ratePerSecond: 5 },
};

const EC2_FAMILY_BY_OPERATION: Readonly<Record<string, OperationFamily>> = {
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

/** EC2 counts every read-only action (Describe*, Get*, List*, Search*) as non-mutating. */
const READ_ONLY = /^(Describe|Get|List|Search)/;

/**
 * The buckets one call draws a token from. ELBv2 calls draw from the whole-account bucket
 * and from their own category's; EC2 calls and ACM's DescribeCertificate from exactly one;
 * Route 53 and API Gateway calls from the account's one bucket of the service; other calls
 * from none.
 */
export function familiesFor(service: string, operation: string): OperationFamily[] {
  if (service === 'ec2') {
    return [
      EC2_FAMILY_BY_OPERATION[operation] ?? (READ_ONLY.test(operation) ? 'ec2:describe' : 'ec2:mutate'),
    ];
  }
  if (service === 'elbv2') return elbv2Families(operation);
  if (service === 'acm' && operation === 'DescribeCertificate') return ['acm:describe'];
  if (service === 'route53') return ['route53:api'];
  if (service === 'apigatewayv2') return ['apigatewayv2:api'];
  return [];
}

function elbv2Families(operation: string): OperationFamily[] {
  if (READ_ONLY.test(operation)) return ['elbv2:account', 'elbv2:describe'];
  if (operation === 'RegisterTargets' || operation === 'DeregisterTargets') {
    return ['elbv2:account', 'elbv2:targets'];
  }
  return ['elbv2:account', 'elbv2:mutate'];
}

/**
 * The controller's slice of a budget. Burst is rounded down but never below one token;
 * `refillScale` speeds refill up (only for tests and benchmarks against a time-scaled
 * throttling proxy).
 */
export function shareOf(budget: BucketBudget, share: number, refillScale = 1): BucketBudget {
  if (!(share > 0 && share <= 1)) throw new RangeError(`apiShare must be in (0, 1], got ${share}`);
  if (!(refillScale > 0)) throw new RangeError(`refillScale must be > 0, got ${refillScale}`);
  return {
    // The epsilon absorbs float error such as 100 * 0.07 = 7.000000000000001 or 0.29 * 100.
    burst: Math.max(1, Math.floor(budget.burst * share + 1e-9)),
    ratePerSecond: budget.ratePerSecond * share * refillScale,
  };
}

/**
 * One token bucket in GCRA form. `tat` (theoretical arrival time, ms) advances by one
 * emission interval per token taken; a request at `t` conforms when
 * `t >= tat - (burst - 1) * interval`. Tokens are only ever taken at the moment a call
 * is sent, never reserved ahead: a future reservation would lose the refill before it.
 */
export class TokenBucket {
  private readonly intervalMs: number;
  private readonly toleranceMs: number;
  private tat = Number.NEGATIVE_INFINITY;

  constructor(budget: BucketBudget) {
    this.intervalMs = 1000 / budget.ratePerSecond;
    this.toleranceMs = (budget.burst - 1) * this.intervalMs;
  }

  /** Earliest time (ms, ≥ `at`) at which one token is available. */
  earliest(at: number): number {
    return Math.max(at, this.tat - this.toleranceMs);
  }

  /** Takes one token at `at`, which must be ≥ `earliest(at)`. */
  take(at: number): void {
    this.tat = Math.max(this.tat, at) + this.intervalMs;
  }
}

/**
 * Takes one token from every bucket if all have one at `now` and returns `now`;
 * otherwise takes nothing and returns the earliest time worth trying again.
 */
export function tryTake(buckets: readonly TokenBucket[], now: number): number {
  let at = now;
  for (const bucket of buckets) at = Math.max(at, bucket.earliest(now));
  if (at > now) return at;
  for (const bucket of buckets) bucket.take(now);
  return now;
}

/** Options of a {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Share of each AWS bucket this controller may use, in (0, 1]. */
  apiShare: number;
  /** Multiplies every refill rate (tests/benchmarks against a time-scaled proxy). */
  refillScale?: number;
}

interface Waiter {
  enqueuedAt: number;
  resolve: (waitedSeconds: number) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * A FIFO of calls that draw from the same set of buckets. Only the head waits on a timer,
 * so a long queue costs one wake-up per token, and callers are served in arrival order.
 */
class Lane {
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly buckets: readonly TokenBucket[];

  constructor(buckets: readonly TokenBucket[]) {
    this.buckets = buckets;
  }

  async acquire(signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    const now = Date.now();
    if (this.waiters.length === 0 && tryTake(this.buckets, now) === now) return 0;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        enqueuedAt: now,
        resolve,
        signal,
        onAbort: () => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(signal?.reason as Error);
          this.schedule();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      this.schedule();
    });
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const now = Date.now();
    while (this.waiters.length > 0) {
      const next = tryTake(this.buckets, now);
      if (next > now) {
        this.timer = setTimeout(() => {
          this.schedule();
        }, next - now);
        return;
      }
      const head = this.waiters.shift();
      if (head) {
        head.signal?.removeEventListener('abort', head.onAbort);
        head.resolve((now - head.enqueuedAt) / 1000);
      }
    }
  }
}

/** Buckets per (scope, family); `scope` is an identity+region such as `default/us-east-1`. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly lanes = new Map<string, Lane>();
  private readonly opts: RateLimiterOptions;

  constructor(opts: RateLimiterOptions) {
    this.opts = opts;
    // Validate eagerly so a bad flag fails at start-up, not on the first call.
    shareOf(AWS_BUDGETS['ec2:describe'], opts.apiShare, opts.refillScale);
  }

  /**
   * Waits until one call of `operation` may be sent in `scope` and takes its tokens.
   * Resolves with the time waited (seconds); rejects with the signal's reason if aborted
   * first, having taken nothing.
   */
  acquire(scope: string, service: string, operation: string, signal?: AbortSignal): Promise<number> {
    const families = familiesFor(service, operation);
    if (families.length === 0) return Promise.resolve(0);
    const key = `${scope}|${families.join(',')}`;
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = new Lane(families.map((family) => this.bucket(scope, family)));
      this.lanes.set(key, lane);
    }
    return lane.acquire(signal);
  }

  private bucket(scope: string, family: OperationFamily): TokenBucket {
    const key = `${scope}|${family}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(shareOf(AWS_BUDGETS[family], this.opts.apiShare, this.opts.refillScale));
      this.buckets.set(key, bucket);
    }
    return bucket;
  }
}
