/**
 * Each fault kind does what it says, through real SDK v3 clients against moto, and a seed
 * makes the injected faults repeatable. Buckets are off so only faults shape the outcomes.
 */
import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import {
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { isThrottlingError, isTransientError } from '@smithy/core/retry';
import { classifyAwsError } from '../../src/aws/errors.ts';
import { newTestContext, type TestContext } from '../env/context.ts';
import { FaultInjector, type FaultRule } from '../env/aws-proxy/faults.ts';
import type { AwsProxy } from '../env/aws-proxy/server.ts';
import { createNetwork, type Network } from '../moto/helpers.ts';
import { assumeThrough, clients, settle, startProxy, type Clients } from './helpers.ts';

// Servers are shared with other test files running in parallel on a small machine.
jest.setTimeout(60_000);

type SdkError = Parameters<typeof isTransientError>[0];

let ctx: TestContext;
let proxy: AwsProxy;
let viaProxy: Clients;
let direct: EC2Client;
let network: Network;

beforeAll(async () => {
  ctx = await newTestContext('aws-proxy-faults');
  proxy = await startProxy({ throttling: false });
  viaProxy = clients(await assumeThrough(proxy.url, ctx.accountId));
  direct = new EC2Client(ctx.awsClientConfig);
  network = await createNetwork(direct, 9);
});

afterAll(async () => {
  viaProxy.destroy();
  direct.destroy();
  await proxy.stop();
  await ctx.cleanup();
});

beforeEach(() => {
  proxy.clearFaults();
  proxy.resetCalls();
});

/** Security groups named `name` in the test VPC, asked of moto directly. */
async function groupsNamed(name: string): Promise<number> {
  const out = await direct.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [network.vpcId] },
        { Name: 'group-name', Values: [name] },
      ],
    }),
  );
  return out.SecurityGroups?.length ?? 0;
}

const createGroup = (name: string) =>
  viaProxy.ec2.send(
    new CreateSecurityGroupCommand({ VpcId: network.vpcId, GroupName: name, Description: 'fault test' }),
  );

describe('fault kinds', () => {
  it('throttle answers the service’s real throttling error for the matching operation only', async () => {
    proxy.setFaults([
      { kind: 'throttle', rate: 1, service: 'ec2', operation: 'DescribeVpcs' },
      { kind: 'throttle', rate: 1, service: 'elbv2' },
    ]);
    const ec2 = await settle(viaProxy.ec2.send(new DescribeVpcsCommand({})));
    const elbv2 = await settle(viaProxy.elbv2.send(new DescribeLoadBalancersCommand({})));
    const other = await settle(viaProxy.ec2.send(new DescribeSubnetsCommand({})));
    expect([ec2, elbv2, other].map((r) => [r.name, r.status])).toEqual([
      ['RequestLimitExceeded', 503],
      ['Throttling', 400],
      ['ok', undefined],
    ]);
    expect(isThrottlingError(ec2.error as SdkError)).toBe(true);
    expect(isThrottlingError(elbv2.error as SdkError)).toBe(true);
    expect(proxy.calls().map((c) => [c.operation, c.outcome, c.fault, c.status])).toEqual([
      ['DescribeVpcs', 'fault', 'throttle', 503],
      ['DescribeLoadBalancers', 'fault', 'throttle', 400],
      ['DescribeSubnets', 'ok', undefined, 200],
    ]);
  });

  it('error500 answers an internal error (HTTP 500) in the service’s shape, which the SDK retries', async () => {
    proxy.setFaults([{ kind: 'error500', rate: 1 }]);
    const ec2 = await settle(viaProxy.ec2.send(new DescribeVpcsCommand({})));
    const elbv2 = await settle(viaProxy.elbv2.send(new DescribeLoadBalancersCommand({})));
    expect([ec2, elbv2].map((r) => [r.name, r.status])).toEqual([
      ['InternalError', 500],
      ['InternalFailure', 500],
    ]);
    expect(isTransientError(ec2.error as SdkError)).toBe(true);
    expect(proxy.calls().map((c) => [c.outcome, c.fault, c.errorCode])).toEqual([
      ['fault', 'error500', 'InternalError'],
      ['fault', 'error500', 'InternalFailure'],
    ]);
  });

  it('accessDenied answers AWS’s 403 without forwarding: EC2 UnauthorizedOperation, ELBv2 AccessDenied', async () => {
    proxy.setFaults([
      { kind: 'accessDenied', rate: 1, service: 'ec2', operation: 'CreateSecurityGroup' },
      { kind: 'accessDenied', rate: 1, service: 'elbv2', operation: 'DescribeLoadBalancers' },
    ]);
    const name = `denied-${randomUUID()}`;
    const ec2 = await settle(createGroup(name));
    const elbv2 = await settle(viaProxy.elbv2.send(new DescribeLoadBalancersCommand({})));
    const other = await settle(viaProxy.ec2.send(new DescribeVpcsCommand({})));
    expect([ec2, elbv2, other].map((r) => [r.name, r.status])).toEqual([
      ['UnauthorizedOperation', 403],
      ['AccessDenied', 403],
      ['ok', undefined],
    ]);
    expect((ec2.error as Error).message).toContain('not authorized to perform: ec2:CreateSecurityGroup');
    expect((elbv2.error as Error).message).toContain(
      'not authorized to perform: elasticloadbalancing:DescribeLoadBalancers',
    );
    // The controller's classifier sees a permission problem, and the SDK does not retry it.
    expect([ec2, elbv2].map((r) => classifyAwsError(r.error).kind)).toEqual(['accessDenied', 'accessDenied']);
    expect(isTransientError(ec2.error as SdkError) || isThrottlingError(elbv2.error as SdkError)).toBe(false);
    expect(await groupsNamed(name)).toBe(0);
    expect(proxy.calls().map((c) => [c.operation, c.outcome, c.fault, c.errorCode])).toEqual([
      ['CreateSecurityGroup', 'fault', 'accessDenied', 'UnauthorizedOperation'],
      ['DescribeLoadBalancers', 'fault', 'accessDenied', 'AccessDenied'],
      ['DescribeVpcs', 'ok', undefined, undefined],
    ]);
  });

  it('latency delays the call, which then succeeds; the record shows the delay', async () => {
    proxy.setFaults([{ kind: 'latency', rate: 1, latencyMs: 400 }]);
    expect((await settle(viaProxy.ec2.send(new DescribeVpcsCommand({})))).name).toBe('ok');
    const [call] = proxy.calls();
    expect(call).toMatchObject({ operation: 'DescribeVpcs', outcome: 'ok', fault: 'latency', status: 200 });
    expect(call!.delayMs).toBeGreaterThan(0);
    expect(call!.delayMs).toBeLessThanOrEqual(400);
    expect(call!.latencyMs).toBeGreaterThanOrEqual(call!.delayMs! - 1);
  });

  it('reset drops the connection without forwarding: the client fails, moto never sees the create', async () => {
    proxy.setFaults([{ kind: 'reset', rate: 1, operation: 'CreateSecurityGroup' }]);
    const name = `reset-${randomUUID()}`;
    const result = await settle(createGroup(name));
    expect(result.name).not.toBe('ok');
    expect(result.status).toBeUndefined(); // no HTTP response at all
    expect(await groupsNamed(name)).toBe(0);
    expect(proxy.calls()).toMatchObject([
      { operation: 'CreateSecurityGroup', outcome: 'fault', fault: 'reset', status: 0 },
    ]);

    // The SDK counts a dropped connection as transient and retries it.
    const retrying = clients(await assumeThrough(proxy.url, ctx.accountId), 2);
    proxy.resetCalls();
    const retried = await settle(
      retrying.ec2.send(
        new CreateSecurityGroupCommand({ VpcId: network.vpcId, GroupName: name, Description: 'x' }),
      ),
    );
    retrying.destroy();
    expect(retried.attempts).toBe(2);
    expect(proxy.calls().map((c) => c.fault)).toEqual(['reset', 'reset']);
  });

  it('lostResponse forwards, then drops the answer: the client fails but the group exists in moto', async () => {
    proxy.setFaults([{ kind: 'lostResponse', rate: 1, operation: 'CreateSecurityGroup' }]);
    const name = `lost-${randomUUID()}`;
    const result = await settle(createGroup(name));
    expect(result.name).not.toBe('ok');
    // No HTTP response; with retries on, the SDK would send the create again (see the reset test).
    expect(result.status).toBeUndefined();
    expect(await groupsNamed(name)).toBe(1);
    expect(proxy.calls()).toMatchObject([
      { operation: 'CreateSecurityGroup', outcome: 'fault', fault: 'lostResponse', status: 200 },
    ]);
  });

  it('selects by account', async () => {
    const other = clients(await assumeThrough(proxy.url, (await ctx.otherAccount()).accountId));
    proxy.resetCalls();
    proxy.setFaults([{ kind: 'error500', rate: 1, account: ctx.accountId }]);
    const mine = await settle(viaProxy.ec2.send(new DescribeVpcsCommand({})));
    const theirs = await settle(other.ec2.send(new DescribeVpcsCommand({})));
    other.destroy();
    expect([mine.name, theirs.name]).toEqual(['InternalError', 'ok']);
  });
});

describe('determinism', () => {
  const rules: FaultRule[] = [{ kind: 'error500', rate: 0.5, operation: 'Describe(Vpcs|Subnets)' }];

  async function run(seed: number): Promise<string[]> {
    proxy.setFaults(rules, seed);
    const names: string[] = [];
    for (let i = 0; i < 16; i++) {
      const command = i % 2 === 0 ? new DescribeVpcsCommand({}) : new DescribeSubnetsCommand({});
      names.push((await settle(viaProxy.ec2.send(command))).name);
    }
    return names;
  }

  it('injects the same faults for the same seed and call order, as the injector predicts', async () => {
    const first = await run(42);
    const second = await run(42);
    expect(second).toEqual(first);
    expect(first).toContain('ok');
    expect(first).toContain('InternalError');

    const injector = new FaultInjector(rules, 42);
    const predicted = first.map((_, i) =>
      injector.plan({
        service: 'ec2',
        operation: i % 2 === 0 ? 'DescribeVpcs' : 'DescribeSubnets',
        account: ctx.accountId,
      }).terminal
        ? 'InternalError'
        : 'ok',
    );
    expect(first).toEqual(predicted);
  });
});
