/**
 * The access layer behind the AWS proxy (AWS's real throttling buckets and fault injection in
 * front of moto): a throttle is retried by the SDK exactly once and then handed back to the
 * caller, every attempt reaches the observer, and the client-side buckets keep a burst
 * under the account's budget where an unlimited client gets throttled.
 */
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointServiceConfigurationCommand,
  DescribeVpcsCommand,
  ModifyVpcEndpointServicePermissionsCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateLoadBalancerCommand,
  DescribeLoadBalancersCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  createAwsClientFactory,
  type AwsClientFactoryOptions,
  type ClosableAwsClientFactory,
} from '../../src/aws/clients.ts';
import { classifyAwsError } from '../../src/aws/errors.ts';
import type { AwsCallObserverCall, AwsClients } from '../../src/aws/types.ts';
import { startAwsProxy, type AwsProxy } from '../env/aws-proxy/server.ts';
import { newTestContext, type TestContext } from '../env/context.ts';

const TIMEOUT_MS = 120_000;

let ctx: TestContext;
const factories: ClosableAwsClientFactory[] = [];
const proxies: AwsProxy[] = [];

// These suites test the client factory itself, not the controller: they talk to moto directly
// so the run's recording proxy lists only the controller's actions (the IAM policy test reads
// that list). jest gives each test file its own process.env.
process.env.AWS_ENDPOINT_URL = process.env.PLP_MOTO_URL;

beforeAll(async () => {
  ctx = await newTestContext('aws-throttling');
}, TIMEOUT_MS);
afterAll(async () => {
  for (const f of factories) f.destroy();
  for (const p of proxies) await p.stop();
  await ctx.cleanup();
});

async function proxy(opts: { throttling: boolean; timeScale?: number }): Promise<AwsProxy> {
  const p = await startAwsProxy({ upstream: process.env.AWS_ENDPOINT_URL!, ...opts });
  proxies.push(p);
  return p;
}

/** Clients for the test account through `p`, recording every attempt. */
function clientsVia(p: AwsProxy, opts: Partial<AwsClientFactoryOptions> = {}) {
  const calls: AwsCallObserverCall[] = [];
  const f = createAwsClientFactory({
    defaultRegion: 'us-east-1',
    endpoint: p.url,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    observer: (call) => calls.push(call),
    ...opts,
  });
  factories.push(f);
  const aws = f.clientsFor({ roleArn: `arn:aws:iam::${ctx.accountId}:role/privatelink-publisher` });
  return { aws, calls };
}

const attempts = (calls: AwsCallObserverCall[], operation: string) =>
  calls.filter((c) => c.operation === operation).map(({ result, errorCode }) => ({ result, errorCode }));

test(
  'a throttle is retried once by the SDK, then surfaces as throttled',
  async () => {
    const p = await proxy({ throttling: false });
    const { aws, calls } = clientsVia(p);
    p.setFaults([
      { operation: 'DescribeVpcs', kind: 'throttle', rate: 1 },
      { operation: 'DescribeLoadBalancers', kind: 'throttle', rate: 1 },
    ]);

    const ec2Err = await aws.ec2.send(new DescribeVpcsCommand({})).catch((e: unknown) => e);
    expect(classifyAwsError(ec2Err)).toMatchObject({ kind: 'throttled', code: 'RequestLimitExceeded' });
    expect(attempts(calls, 'DescribeVpcs')).toEqual([
      { result: 'throttled', errorCode: 'RequestLimitExceeded' },
      { result: 'throttled', errorCode: 'RequestLimitExceeded' },
    ]);

    const elbErr = await aws.elbv2.send(new DescribeLoadBalancersCommand({})).catch((e: unknown) => e);
    expect(classifyAwsError(elbErr)).toMatchObject({ kind: 'throttled', code: 'Throttling' });
    expect(attempts(calls, 'DescribeLoadBalancers')).toHaveLength(2);

    // What the observer reported is what reached AWS.
    const seen = p.calls().filter((c) => c.account === ctx.accountId && c.service !== 'sts');
    expect(seen.map((c) => [c.operation, c.outcome])).toEqual([
      ['DescribeVpcs', 'fault'],
      ['DescribeVpcs', 'fault'],
      ['DescribeLoadBalancers', 'fault'],
      ['DescribeLoadBalancers', 'fault'],
    ]);
  },
  TIMEOUT_MS,
);

test(
  'a 5xx is retried once and classified transient; a success after it is reported as such',
  async () => {
    const p = await proxy({ throttling: false });
    const { aws, calls } = clientsVia(p);
    p.setFaults([{ operation: 'DescribeVpcs', kind: 'error500', rate: 1 }]);
    const err = await aws.ec2.send(new DescribeVpcsCommand({})).catch((e: unknown) => e);
    expect(classifyAwsError(err).kind).toBe('transient');
    expect(attempts(calls, 'DescribeVpcs').map((a) => a.result)).toEqual(['error', 'error']);

    p.clearFaults();
    await aws.ec2.send(new DescribeVpcsCommand({}));
    expect(attempts(calls, 'DescribeVpcs').map((a) => a.result)).toEqual(['error', 'error', 'success']);
  },
  TIMEOUT_MS,
);

test(
  "client-side buckets keep a burst inside the account's budget",
  async () => {
    // The endpoint-service bucket: AWS allows 10 burst, 1 per second (×10 here, on both sides).
    const timeScale = 10;
    const p = await proxy({ throttling: true, timeScale });
    const setup = clientsVia(p, { apiShare: 1, refillScale: timeScale }).aws;
    const serviceId = await endpointService(setup);
    p.resetBuckets();
    p.resetCalls();

    const burst = async (aws: AwsClients, n: number) =>
      Promise.allSettled(
        Array.from({ length: n }, (_, i) =>
          aws.ec2.send(
            new ModifyVpcEndpointServicePermissionsCommand({
              ServiceId: serviceId,
              AddAllowedPrincipals: [`arn:aws:iam::${String(100_000_000_000 + i)}:root`],
            }),
          ),
        ),
      );
    const throttledAtAws = () =>
      p
        .calls()
        .filter((c) => c.operation === 'ModifyVpcEndpointServicePermissions' && c.outcome === 'throttled')
        .length;

    // At half the budget: a burst of 5, then 5 per second; 20 calls take ~3 s and none is throttled.
    const polite = clientsVia(p, { apiShare: 0.5, refillScale: timeScale });
    const results = await burst(polite.aws, 20);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(throttledAtAws()).toBe(0);
    expect(attempts(polite.calls, 'ModifyVpcEndpointServicePermissions')).toHaveLength(20);

    // A client whose buckets allow far more than AWS does gets throttled: the check above can fail.
    p.resetBuckets();
    const greedy = clientsVia(p, { apiShare: 1, refillScale: 1000 });
    await burst(greedy.aws, 40);
    expect(throttledAtAws()).toBeGreaterThan(0);
    expect(greedy.calls.filter((c) => c.result === 'throttled').length).toBe(throttledAtAws());
  },
  TIMEOUT_MS,
);

/** An NLB-backed endpoint service in the test account. */
async function endpointService(aws: AwsClients): Promise<string> {
  const vpc = await aws.ec2.send(new CreateVpcCommand({ CidrBlock: '10.60.0.0/16' }));
  const subnet = await aws.ec2.send(
    new CreateSubnetCommand({
      VpcId: vpc.Vpc!.VpcId!,
      CidrBlock: '10.60.0.0/24',
      AvailabilityZone: 'us-east-1a',
    }),
  );
  const nlb = await aws.elbv2.send(
    new CreateLoadBalancerCommand({
      Name: 'throttle-nlb',
      Type: 'network',
      Scheme: 'internal',
      Subnets: [subnet.Subnet!.SubnetId!],
    }),
  );
  const svc = await aws.ec2.send(
    new CreateVpcEndpointServiceConfigurationCommand({
      NetworkLoadBalancerArns: [nlb.LoadBalancers![0]!.LoadBalancerArn!],
    }),
  );
  return svc.ServiceConfiguration!.ServiceId!;
}
