/**
 * The one place SDK clients are built: cached per (region, roleArn, externalId), with
 * assumed-role credentials shared per role, standard-mode retries capped so a throttle is
 * retried once and then handed back to the work queue, client-side rate limits, and the
 * call observer on every request.
 */
import { ACMClient } from '@aws-sdk/client-acm';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { assumedRoleCredentials } from './credentials.ts';
import { installCallMiddleware } from './middleware.ts';
import { RateLimiter } from './rate-limit.ts';
import type { AwsCallObserver, AwsClientFactory, AwsClients, AwsTarget, SessionSubject } from './types.ts';

/** Options of {@link createAwsClientFactory}. */
export interface AwsClientFactoryOptions {
  /** Region for targets that name none, and for STS. */
  defaultRegion: string;
  /** Tagged on every assumed-role session (with the object it acts for). */
  clusterId?: string;
  /** The controller's own identity; default: the SDK's chain (env, IRSA, EKS Pod Identity, IMDS). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Endpoint for every service; default: the SDK's own `AWS_ENDPOINT_URL[_<SERVICE>]` handling. */
  endpoint?: string;
  observer?: AwsCallObserver;
  /** Share of AWS's documented per-account buckets this controller may use; default 0.5. */
  apiShare?: number;
  /** Multiplies refill rates; only for tests/benchmarks against a time-scaled throttling proxy. */
  refillScale?: number;
  /** SDK attempts per call; default 2: a throttle is retried once, then the caller requeues. */
  maxAttempts?: number;
}

/** A factory that can also release its clients' sockets (on shutdown, after tests). */
export interface ClosableAwsClientFactory extends AwsClientFactory {
  destroy(): void;
}

/** The account id inside a role ARN (`arn:aws:iam::<account>:role/...`). */
function accountOf(roleArn: string): string | undefined {
  return /^arn:[\w-]+:iam::(\d{12}):/.exec(roleArn)?.[1];
}

/** Whom a set of clients acts as, in what region: what clients and credentials are cached by. */
interface ClientIdentity {
  region: string;
  roleArn: string | undefined;
  externalId: string | undefined;
  /** The assumed-role session: the object acted for; '' for the controller's own identity. */
  session: string;
  subject: SessionSubject | undefined;
}

/** A target's identity, empty strings meaning "not set" as an omitted field would. */
function identityOf(target: AwsTarget | undefined, defaultRegion: string): ClientIdentity {
  const t: AwsTarget = target ?? {};
  const roleArn = t.roleArn || undefined;
  const subject = roleArn === undefined ? undefined : t.session;
  return {
    region: t.region || defaultRegion,
    roleArn,
    externalId: t.externalId || undefined,
    session: subject ? `${subject.kind}/${subject.namespace}/${subject.name}` : '',
    subject,
  };
}

/** `make()`'s value, made on the first call and kept. */
function lazily<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

/** Route 53 is global: one API region per partition (us-east-1 in the commercial one). */
function route53Region(region: string): string {
  if (region.startsWith('us-gov-')) return 'us-gov-west-1';
  if (region.startsWith('cn-')) return 'cn-northwest-1';
  return 'us-east-1';
}

/** The user-agent pair every controller AWS call carries. */
export const USER_AGENT_NAME = 'privatelink-publisher';
const USER_AGENT_VERSION = '0.1.0';

/**
 * Creates the factory reconcilers get their clients from. Clients and credentials are
 * built lazily and cached for the factory's lifetime.
 */
export function createAwsClientFactory(opts: AwsClientFactoryOptions): ClosableAwsClientFactory {
  const maxAttempts = opts.maxAttempts ?? 2;
  const common = {
    retryMode: 'standard',
    maxAttempts,
    // Identifies the controller's calls in CloudTrail (and in the test proxy's call record).
    customUserAgent: [[USER_AGENT_NAME, USER_AGENT_VERSION]] as [string, string][],
    ...(opts.endpoint === undefined ? {} : { endpoint: opts.endpoint }),
  };
  const limiter = new RateLimiter({ apiShare: opts.apiShare ?? 0.5, refillScale: opts.refillScale });
  const { observer } = opts;

  const sts = new STSClient({ ...common, region: opts.defaultRegion, credentials: opts.credentials });
  installCallMiddleware(sts.middlewareStack, { service: 'sts', scope: 'sts', observer });
  // The STS client's resolved provider is memoized: sharing it gives every default-identity
  // client one credential cache (one IRSA web-identity exchange, not one per client).
  const defaultCredentials = sts.config.credentials;

  const roleCredentials = new Map<string, AwsCredentialIdentityProvider>();
  // One session per (role, external id, object acted for): its tags name that object.
  const credentialsFor = ({ roleArn, externalId, session, subject }: ClientIdentity) => {
    if (roleArn === undefined) return defaultCredentials;
    const key = `${roleArn}|${externalId ?? ''}|${session}`;
    let provider = roleCredentials.get(key);
    if (!provider) {
      const tagged = subject && { clusterId: opts.clusterId ?? '', ...subject };
      provider = assumedRoleCredentials(sts, { roleArn, externalId, subject: tagged });
      roleCredentials.set(key, provider);
    }
    return provider;
  };

  const cache = new Map<string, AwsClients>();
  // Clients to destroy with the factory (ACM, Route 53 and API Gateway ones only once built).
  const built: { destroy(): void }[] = [];
  const build = (identity: ClientIdentity): AwsClients => {
    const { region, roleArn } = identity;
    // Caches of AWS reads are shared per role and region, whichever object's session reads.
    const scope = `${roleArn ?? 'default'}/${region}`;
    // AWS throttles per account: roles in one account share its buckets.
    const account = roleArn === undefined ? 'default' : (accountOf(roleArn) ?? roleArn);
    const limitScope = `${account}/${region}`;
    const config = { ...common, region, credentials: credentialsFor(identity) };
    const ec2 = new EC2Client(config);
    const elbv2 = new ElasticLoadBalancingV2Client(config);
    installCallMiddleware(ec2.middlewareStack, { service: 'ec2', scope: limitScope, limiter, observer });
    installCallMiddleware(elbv2.middlewareStack, { service: 'elbv2', scope: limitScope, limiter, observer });
    built.push(ec2, elbv2);
    // ACM is read only for apps that name a certificate: built on first use.
    const acm = lazily(() => {
      const client = new ACMClient(config);
      installCallMiddleware(client.middlewareStack, { service: 'acm', scope: limitScope, limiter, observer });
      built.push(client);
      return client;
    });
    // Route 53 throttles per account, whatever the region.
    const route53 = lazily(() => {
      const client = new Route53Client({ ...config, region: route53Region(region) });
      installCallMiddleware(client.middlewareStack, {
        service: 'route53',
        scope: `${account}/global`,
        limiter,
        observer,
      });
      built.push(client);
      return client;
    });
    // API Gateway only for listeners with the API front door: built on first use.
    const apigatewayv2 = lazily(() => {
      const client = new ApiGatewayV2Client(config);
      installCallMiddleware(client.middlewareStack, {
        service: 'apigatewayv2',
        scope: limitScope,
        limiter,
        observer,
      });
      built.push(client);
      return client;
    });
    return {
      region,
      scope,
      ec2,
      elbv2,
      get apigatewayv2() {
        return apigatewayv2();
      },
      get acm() {
        return acm();
      },
      get route53() {
        return route53();
      },
    };
  };

  return {
    clientsFor(target: AwsTarget | undefined): AwsClients {
      const identity = identityOf(target, opts.defaultRegion);
      const { region, roleArn, externalId, session } = identity;
      const key = `${region}|${roleArn ?? ''}|${externalId ?? ''}|${session}`;
      let clients = cache.get(key);
      if (!clients) {
        clients = build(identity);
        cache.set(key, clients);
      }
      return clients;
    },
    destroy(): void {
      for (const client of built.splice(0)) client.destroy();
      cache.clear();
      sts.destroy();
    },
  };
}
