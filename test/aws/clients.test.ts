/**
 * The AWS access layer against the real emulator: STS-assumed identities land in the role's
 * account, credentials are fetched once per role, every request reaches the observer, and
 * the client-side rate limiter spaces a burst beyond its bucket.
 */
import {
  CreateVpcCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateHostedZoneCommand, ListHostedZonesCommand } from '@aws-sdk/client-route-53';
import {
  createAwsClientFactory,
  type AwsClientFactoryOptions,
  type ClosableAwsClientFactory,
} from '../../src/aws/clients.ts';
import type { AwsCallObserverCall } from '../../src/aws/types.ts';
import { newTestContext, randomAccountId, type TestContext } from '../env/context.ts';

/** Per-test timeout: the emulator shares two cores with other suites. */
const TIMEOUT_MS = 60_000;

let ctx: TestContext;
const factories: ClosableAwsClientFactory[] = [];

// These suites test the client factory itself, not the controller: they talk to moto directly
// so the run's recording proxy lists only the controller's actions (the IAM policy test reads
// that list). jest gives each test file its own process.env.
process.env.AWS_ENDPOINT_URL = process.env.PLP_MOTO_URL;

beforeAll(async () => {
  ctx = await newTestContext('aws-clients');
}, TIMEOUT_MS);
afterAll(async () => {
  for (const f of factories) f.destroy();
  await ctx.cleanup();
});

/** Calls as the observer saw them, with the time each request was sent (ms). */
type Recorded = AwsCallObserverCall & { sentAt: number };

/**
 * A factory with the environment's base identity, recording every call. No `endpoint`: the
 * SDK's own AWS_ENDPOINT_URL handling must route it to the emulator, as in production.
 */
function factory(opts: Partial<AwsClientFactoryOptions> = {}): {
  f: ClosableAwsClientFactory;
  calls: Recorded[];
} {
  const calls: Recorded[] = [];
  const f = createAwsClientFactory({
    defaultRegion: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    observer: (call) => calls.push({ ...call, sentAt: Date.now() - call.seconds * 1000 }),
    ...opts,
  });
  factories.push(f);
  return { f, calls };
}

const role = (account: string): string => `arn:aws:iam::${account}:role/privatelink-publisher`;

test(
  'an assumed role acts in the role ARN account, invisible to other roles',
  async () => {
    const { f } = factory();
    const a = f.clientsFor({ roleArn: role(ctx.accountId) });
    const otherAccount = randomAccountId();
    const b = f.clientsFor({ roleArn: role(otherAccount) });
    expect(a.scope).toBe(`${role(ctx.accountId)}/us-east-1`);

    const created = await a.ec2.send(new CreateVpcCommand({ CidrBlock: '10.42.0.0/16' }));
    const vpcId = created.Vpc?.VpcId;
    expect(created.Vpc?.OwnerId).toBe(ctx.accountId);

    const seenByA = await a.ec2.send(new DescribeVpcsCommand({}));
    expect(seenByA.Vpcs?.map((v) => v.VpcId)).toContain(vpcId);
    const seenByB = await b.ec2.send(new DescribeVpcsCommand({}));
    expect(seenByB.Vpcs?.map((v) => v.VpcId)).not.toContain(vpcId);
    expect(new Set(seenByB.Vpcs?.map((v) => v.OwnerId))).toEqual(new Set([otherAccount]));

    // The test context's own credentials (also STS-assumed) act in the same account.
    const direct = new EC2Client(ctx.awsClientConfig);
    const seenDirectly = await direct.send(new DescribeVpcsCommand({}));
    direct.destroy();
    expect(seenDirectly.Vpcs?.map((v) => v.VpcId)).toContain(vpcId);
  },
  TIMEOUT_MS,
);

test(
  "without explicit credentials the SDK's default chain is the base identity",
  async () => {
    // The environment sets AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, as IRSA/Pod Identity would set theirs.
    const calls: AwsCallObserverCall[] = [];
    const f = createAwsClientFactory({ defaultRegion: 'us-east-1', observer: (call) => calls.push(call) });
    factories.push(f);
    const own = await f.clientsFor(undefined).ec2.send(new DescribeVpcsCommand({}));
    expect(new Set(own.Vpcs?.map((v) => v.OwnerId))).toEqual(new Set(['123456789012']));
    const viaRole = await f
      .clientsFor({ roleArn: role(ctx.accountId) })
      .ec2.send(new DescribeVpcsCommand({}));
    expect(new Set(viaRole.Vpcs?.map((v) => v.OwnerId))).toEqual(new Set([ctx.accountId]));
    expect(calls.map((c) => c.operation)).toEqual(['DescribeVpcs', 'AssumeRole', 'DescribeVpcs']);
  },
  TIMEOUT_MS,
);

test(
  'Route 53 is built on first use, once, in us-east-1 whatever the region, in the role account',
  async () => {
    const { f, calls } = factory();
    const west = f.clientsFor({ roleArn: role(ctx.accountId), region: 'eu-west-1' });
    const route53 = west.route53;
    expect(west.route53).toBe(route53);
    expect(await route53.config.region()).toBe('us-east-1');
    await route53.send(
      new CreateHostedZoneCommand({ Name: 'clients.example.org', CallerReference: `clients-${Date.now()}` }),
    );
    const seen = await west.route53.send(new ListHostedZonesCommand({}));
    expect(seen.HostedZones?.map((z) => z.Name)).toContain('clients.example.org.');
    const other = await f
      .clientsFor({ roleArn: role(randomAccountId()) })
      .route53.send(new ListHostedZonesCommand({}));
    expect(other.HostedZones ?? []).toEqual([]);
    expect(calls.filter((c) => c.service === 'route53').map((c) => c.operation)).toEqual([
      'CreateHostedZone',
      'ListHostedZones',
      'ListHostedZones',
    ]);
  },
  TIMEOUT_MS,
);

test(
  'one AssumeRole per role serves every client, region and service of that role',
  async () => {
    const { f, calls } = factory();
    const target = { roleArn: role(ctx.accountId), externalId: 'ext-1' };
    const east = f.clientsFor(target);
    expect(f.clientsFor({ ...target })).toBe(east);
    const west = f.clientsFor({ ...target, region: 'us-west-2' });
    expect(west).not.toBe(east);
    expect(west.scope).toBe(`${role(ctx.accountId)}/us-west-2`);

    await Promise.all([
      ...[1, 2, 3].map(() => east.ec2.send(new DescribeVpcsCommand({}))),
      east.elbv2.send(new DescribeLoadBalancersCommand({})),
      west.ec2.send(new DescribeVpcsCommand({})),
      west.elbv2.send(new DescribeLoadBalancersCommand({})),
    ]);
    const assumeRoles = (): number =>
      calls.filter((c) => c.service === 'sts' && c.operation === 'AssumeRole').length;
    expect(assumeRoles()).toBe(1);
    expect(calls.filter((c) => c.service !== 'sts')).toHaveLength(6);

    // Another external id is another session; the default identity needs none.
    await f.clientsFor({ ...target, externalId: 'ext-2' }).ec2.send(new DescribeVpcsCommand({}));
    await f.clientsFor(undefined).ec2.send(new DescribeVpcsCommand({}));
    expect(assumeRoles()).toBe(2);
  },
  TIMEOUT_MS,
);

test(
  'each object a role acts for gets its own tagged session; one session serves that object',
  async () => {
    const { f, calls } = factory({ clusterId: 'it-clients' });
    const subject = (name: string) => ({ kind: 'SharedListener', namespace: 'dmz', name });
    const target = { roleArn: role(ctx.accountId), identity: 'dmz' };
    const a = f.clientsFor({ ...target, session: subject('a') });
    expect(f.clientsFor({ ...target, session: subject('a') })).toBe(a);
    const b = f.clientsFor({ ...target, session: subject('b') });
    expect(b).not.toBe(a);
    await Promise.all([a, a, b].map((c) => c.ec2.send(new DescribeVpcsCommand({}))));
    // Tagged sessions still land in the role's account (moto accepts the tags and SourceIdentity).
    const seen = await b.ec2.send(new DescribeVpcsCommand({}));
    expect(new Set(seen.Vpcs?.map((v) => v.OwnerId))).toEqual(new Set([ctx.accountId]));
    expect(calls.filter((c) => c.operation === 'AssumeRole')).toHaveLength(2);
    expect(calls.filter((c) => c.operation === 'AssumeRole').map((c) => c.result)).toEqual([
      'success',
      'success',
    ]);
  },
  TIMEOUT_MS,
);

test(
  'the observer sees every request with its operation, outcome and error code',
  async () => {
    const { f, calls } = factory();
    const { ec2, elbv2 } = f.clientsFor({ roleArn: role(ctx.accountId) });
    await ec2.send(new DescribeVpcsCommand({}));
    await elbv2.send(new DescribeLoadBalancersCommand({}));
    await expect(
      ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: ['vpce-0123456789abcdef0'] })),
    ).rejects.toMatchObject({ name: 'InvalidVpcEndpointId.NotFound' });

    expect(
      calls.map(({ service, operation, result, errorCode }) => ({ service, operation, result, errorCode })),
    ).toEqual([
      { service: 'sts', operation: 'AssumeRole', result: 'success', errorCode: undefined },
      { service: 'ec2', operation: 'DescribeVpcs', result: 'success', errorCode: undefined },
      { service: 'elbv2', operation: 'DescribeLoadBalancers', result: 'success', errorCode: undefined },
      {
        service: 'ec2',
        operation: 'DescribeVpcEndpoints',
        result: 'error',
        errorCode: 'InvalidVpcEndpointId.NotFound',
      },
    ]);
    for (const call of calls) {
      expect(call.seconds).toBeGreaterThan(0);
      expect(call.waitSeconds).toBe(0);
    }
  },
  TIMEOUT_MS,
);

test(
  'an observer that throws never fails the call',
  async () => {
    const { f } = factory({
      observer: () => {
        throw new Error('metrics broke');
      },
    });
    const out = await f.clientsFor({ roleArn: role(ctx.accountId) }).ec2.send(new DescribeVpcsCommand({}));
    expect(out.Vpcs).toBeDefined();
  },
  TIMEOUT_MS,
);

test(
  'the rate limiter spaces a burst beyond the bucket, per account',
  async () => {
    // ec2:describe at 2% of 100/20 is burst 2 and 0.4/s; refill ×2.5 makes it 1 per second.
    const { f, calls } = factory({ apiShare: 0.02, refillScale: 2.5 });
    const { ec2 } = f.clientsFor({ roleArn: role(ctx.accountId) });
    await Promise.all(Array.from({ length: 5 }, () => ec2.send(new DescribeVpcsCommand({}))));

    const sends = calls
      .filter((c) => c.operation === 'DescribeVpcs')
      .map((c) => c.sentAt)
      .sort((x, y) => x - y);
    expect(sends).toHaveLength(5);
    // The burst of 2 goes at once; the other 3 follow at least ~one refill interval apart.
    const gaps = sends.slice(1).map((t, i) => t - sends[i]!);
    expect(gaps.filter((gap) => gap >= 900)).toHaveLength(3);
    const waits = calls.filter((c) => c.operation === 'DescribeVpcs').map((c) => c.waitSeconds ?? 0);
    expect(waits.filter((w) => w > 0.5)).toHaveLength(3);

    // Another account has its own buckets: no wait there.
    const other = f.clientsFor({ roleArn: role(randomAccountId()) });
    const before = calls.length;
    await Promise.all([1, 2].map(() => other.ec2.send(new DescribeVpcsCommand({}))));
    expect(
      calls
        .slice(before)
        .filter((c) => c.service === 'ec2')
        .map((c) => c.waitSeconds),
    ).toEqual([0, 0]);
  },
  TIMEOUT_MS,
);

test(
  'a call waiting for a token is aborted by its signal and never sent',
  async () => {
    // ec2:describe at 1% is burst 1, 0.2/s: the second call would wait 5 s.
    const { f, calls } = factory({ apiShare: 0.01 });
    const { ec2 } = f.clientsFor({ roleArn: role(ctx.accountId) });
    await ec2.send(new DescribeVpcsCommand({}));
    const controller = new AbortController();
    const started = Date.now();
    const pending = ec2.send(new DescribeVpcsCommand({}), { abortSignal: controller.signal });
    setTimeout(() => {
      controller.abort();
    }, 100);
    await expect(pending).rejects.toThrow(/abort/i);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(calls.filter((c) => c.operation === 'DescribeVpcs')).toHaveLength(1);
  },
  TIMEOUT_MS,
);
