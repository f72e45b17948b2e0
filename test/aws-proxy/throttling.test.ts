/**
 * AWS's buckets through the proxy: over budget, calls fail with the real throttling errors
 * without reaching moto, and SDK v3 parses and retries them as throttling. Refill is slowed
 * (timeScale) so that the counts do not depend on how fast the machine is.
 */
import { jest } from '@jest/globals';
import {
  CreateVpcEndpointCommand,
  CreateVpcEndpointServiceConfigurationCommand,
  DeleteVpcEndpointsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  AddTagsCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { setTimeout as sleep } from 'node:timers/promises';
import { isThrottlingError } from '@smithy/core/retry';
import { newTestContext, type TestContext } from '../env/context.ts';
import type { AwsProxy } from '../env/aws-proxy/server.ts';
import { createNetwork, type Network } from '../moto/helpers.ts';
import { assumeThrough, clients, settle, startProxy, tally, type Clients } from './helpers.ts';

// Servers are shared with other test files running in parallel on a small machine.
jest.setTimeout(60_000);

/** 1/1000 of AWS's refill: a VpcEndpoint token every ~55 min, an ELBv2 account token every 100 s. */
const SLOW = 0.001;

let ctx: TestContext;
let proxy: AwsProxy;
let viaProxy: Clients;
let direct: { ec2: EC2Client; elbv2: ElasticLoadBalancingV2Client };
let network: Network;

beforeAll(async () => {
  ctx = await newTestContext('aws-proxy-throttling');
  proxy = await startProxy({ timeScale: SLOW });
  viaProxy = clients(await assumeThrough(proxy.url, ctx.accountId));
  // Set-up goes straight to moto so that it spends no tokens.
  direct = {
    ec2: new EC2Client(ctx.awsClientConfig),
    elbv2: new ElasticLoadBalancingV2Client(ctx.awsClientConfig),
  };
  network = await createNetwork(direct.ec2, 7);
});

afterAll(async () => {
  viaProxy.destroy();
  direct.ec2.destroy();
  direct.elbv2.destroy();
  await proxy.stop();
  await ctx.cleanup();
});

beforeEach(() => {
  proxy.resetBuckets();
  proxy.resetCalls();
});

describe('EC2 VpcEndpoint bucket (burst 4)', () => {
  it('lets 4 of 10 concurrent CreateVpcEndpoint calls through and answers the rest RequestLimitExceeded 503', async () => {
    const lb = await direct.elbv2.send(
      new CreateLoadBalancerCommand({
        Name: 'proxy-nlb',
        Type: 'network',
        Scheme: 'internal',
        Subnets: network.subnetIds,
      }),
    );
    const service = await direct.ec2.send(
      new CreateVpcEndpointServiceConfigurationCommand({
        NetworkLoadBalancerArns: [lb.LoadBalancers![0]!.LoadBalancerArn!],
        AcceptanceRequired: false,
      }),
    );
    const serviceName = service.ServiceConfiguration!.ServiceName!;

    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        settle(
          viaProxy.ec2.send(
            new CreateVpcEndpointCommand({
              VpcId: network.vpcId,
              ServiceName: serviceName,
              VpcEndpointType: 'Interface',
              SubnetIds: network.subnetIds,
            }),
          ),
        ),
      ),
    );

    expect(tally(results.map((r) => r.name))).toEqual({ ok: 4, RequestLimitExceeded: 6 });
    for (const r of results.filter((x) => x.name !== 'ok')) {
      expect(r.status).toBe(503);
      expect(isThrottlingError(r.error as Parameters<typeof isThrottlingError>[0])).toBe(true);
    }
    // The throttled six never reached moto.
    const endpoints = await direct.ec2.send(
      new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [network.vpcId] }] }),
    );
    expect(endpoints.VpcEndpoints).toHaveLength(4);
    expect(tally(proxy.calls().map((c) => `${c.operation}:${c.outcome}:${c.bucket ?? ''}`))).toEqual({
      'CreateVpcEndpoint:ok:': 4,
      'CreateVpcEndpoint:throttled:ec2:vpc-endpoint': 6,
    });
  });

  it('is per account: another account still has its full burst', async () => {
    const other = clients(await assumeThrough(proxy.url, (await ctx.otherAccount()).accountId));
    const drain = async (c: Clients) =>
      Promise.all(
        Array.from({ length: 6 }, () =>
          settle(
            c.ec2.send(
              new CreateVpcEndpointCommand({ VpcId: 'vpc-missing', ServiceName: 'com.example.none' }),
            ),
          ),
        ),
      );
    const mine = await drain(viaProxy);
    const theirs = await drain(other);
    other.destroy();
    // Forwarded calls fail in moto (no such VPC); the two not forwarded are throttled.
    expect(mine.filter((r) => r.name === 'RequestLimitExceeded')).toHaveLength(2);
    expect(theirs.filter((r) => r.name === 'RequestLimitExceeded')).toHaveLength(2);
  });
});

describe('timeScale', () => {
  it('speeds refill up: after 1/(0.3 × 100) s a drained VpcEndpoint bucket admits a call again', async () => {
    const fast = await startProxy({ timeScale: 100 });
    const c = clients(await assumeThrough(fast.url, ctx.accountId));
    const modify = () =>
      settle(c.ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: ['vpce-00000000000000000'] })));
    const drained = await Promise.all(Array.from({ length: 20 }, modify));
    expect(drained.filter((r) => r.name === 'RequestLimitExceeded').length).toBeGreaterThan(0);
    await sleep(1000 / (0.3 * 100) + 20);
    expect((await modify()).name).not.toBe('RequestLimitExceeded');
    c.destroy();
    await fast.stop();
  });
});

describe('ELBv2 buckets', () => {
  let targetGroupArn: string;

  beforeAll(async () => {
    const tg = await direct.elbv2.send(
      new CreateTargetGroupCommand({
        Name: 'proxy-tg',
        TargetType: 'ip',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: network.vpcId,
      }),
    );
    targetGroupArn = tg.TargetGroups![0]!.TargetGroupArn!;
  });

  const register = (i: number) =>
    viaProxy.elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: targetGroupArn,
        Targets: [{ Id: `10.7.1.${10 + i}`, Port: 80 }],
      }),
    );
  const addTag = (i: number) =>
    viaProxy.elbv2.send(
      new AddTagsCommand({ ResourceArns: [targetGroupArn], Tags: [{ Key: 'n', Value: String(i) }] }),
    );

  it('draws every call from the whole-account bucket (40) and answers Throttling 400 when it is empty', async () => {
    // 21 registrations: the targets bucket (20) refuses one, which takes no account token.
    const registered = await Promise.all(Array.from({ length: 21 }, (_, i) => settle(register(i))));
    expect(tally(registered.map((r) => r.name))).toEqual({ ok: 20, Throttling: 1 });
    // 20 other mutations empty the account bucket: 20 + 20 = 40.
    const tagged = await Promise.all(Array.from({ length: 20 }, (_, i) => settle(addTag(i))));
    expect(tally(tagged.map((r) => r.name))).toEqual({ ok: 20 });
    // The describe bucket is full, but the account bucket is not.
    const described = await settle(viaProxy.elbv2.send(new DescribeTargetGroupsCommand({})));
    expect(described).toMatchObject({ name: 'Throttling', status: 400 });
    expect(isThrottlingError(described.error as Parameters<typeof isThrottlingError>[0])).toBe(true);

    const throttled = proxy.calls().filter((c) => c.outcome === 'throttled');
    expect(throttled.map((c) => [c.operation, c.bucket, c.status, c.errorCode])).toEqual([
      ['RegisterTargets', 'elbv2:targets', 400, 'Throttling'],
      ['DescribeTargetGroups', 'elbv2:account', 400, 'Throttling'],
    ]);
  });

  it('SDK v3 retries a throttled ELBv2 call (HTTP 400) as throttling, not as a client error', async () => {
    const retrying = clients(await assumeThrough(proxy.url, ctx.accountId), 3);
    proxy.resetCalls();
    // Contrast: a client error (also HTTP 400) is not retried.
    const notFound = await settle(
      retrying.elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [`${targetGroupArn}0`] })),
    );
    expect(notFound).toMatchObject({ name: 'TargetGroupNotFoundException', status: 400, attempts: 1 });
    // Empty the account bucket (40 tokens, one spent above).
    await Promise.all(
      Array.from({ length: 39 }, () => settle(retrying.elbv2.send(new DescribeTargetGroupsCommand({})))),
    );
    const result = await settle(retrying.elbv2.send(new DescribeTargetGroupsCommand({})));
    retrying.destroy();
    expect(result).toMatchObject({ name: 'Throttling', attempts: 3 });
    expect(proxy.calls().filter((c) => c.outcome === 'throttled')).toHaveLength(3);
  });
});
