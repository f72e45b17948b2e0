/**
 * The proxy forwards EC2, ELBv2 and STS to moto, attributes each call to the right account
 * (moto header, access keys learnt from AssumeRole, moto's default) and records every call;
 * the control API drives the same state over HTTP.
 */
import { jest } from '@jest/globals';
import { randomInt } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import {
  CreateVpcCommand,
  DeleteVpcEndpointsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { newTestContext, type TestContext } from '../env/context.ts';
import { proxyControl } from '../env/aws-proxy/control-client.ts';
import type { AwsProxy, RecordedCall } from '../env/aws-proxy/server.ts';
import { freePort, startProcess, waitFor } from '../env/processes.ts';
import { DEFAULT_ACCOUNT } from '../env/aws-proxy/request-info.ts';
import { assumeThrough, clients, motoUrl, settle, startProxy, tally, type Clients } from './helpers.ts';

// Servers are shared with other test files running in parallel on a small machine.
jest.setTimeout(60_000);

let ctx: TestContext;
let proxy: AwsProxy;
let viaProxy: Clients;

beforeAll(async () => {
  ctx = await newTestContext('aws-proxy-forwarding');
  proxy = await startProxy();
  viaProxy = clients(await assumeThrough(proxy.url, ctx.accountId));
});

afterAll(async () => {
  viaProxy.destroy();
  await proxy.stop();
  await ctx.cleanup();
});

beforeEach(() => {
  proxy.resetCalls();
});

const summary = (calls: RecordedCall[]) =>
  calls.map(({ account, service, operation, outcome, status }) => ({
    account,
    service,
    operation,
    outcome,
    status,
  }));

describe('forwarding', () => {
  it('serves EC2, ELBv2 and STS in the account whose role was assumed through it, and records each call', async () => {
    const identity = await viaProxy.sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(ctx.accountId);

    const cidr = `10.${randomInt(0, 255)}.0.0/16`;
    const vpcId = (await viaProxy.ec2.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;
    // moto itself put the VPC in the same account: it is visible with that account's direct credentials.
    const direct = new EC2Client(ctx.awsClientConfig);
    const seen = await direct.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
    direct.destroy();
    expect(seen.Vpcs?.[0]?.CidrBlock).toBe(cidr);

    await viaProxy.elbv2.send(new DescribeLoadBalancersCommand({}));
    const missing = await settle(viaProxy.ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-00000000'] })));
    expect(missing.name).toBe('InvalidVpcID.NotFound');

    expect(summary(proxy.calls())).toEqual([
      { account: ctx.accountId, service: 'sts', operation: 'GetCallerIdentity', outcome: 'ok', status: 200 },
      { account: ctx.accountId, service: 'ec2', operation: 'CreateVpc', outcome: 'ok', status: 200 },
      {
        account: ctx.accountId,
        service: 'elbv2',
        operation: 'DescribeLoadBalancers',
        outcome: 'ok',
        status: 200,
      },
      { account: ctx.accountId, service: 'ec2', operation: 'DescribeVpcs', outcome: 'error', status: 400 },
    ]);
    expect(proxy.calls()[3]!.errorCode).toBe('InvalidVpcID.NotFound');
    for (const call of proxy.calls()) {
      expect(call.region).toBe('us-east-1');
      expect(call.latencyMs).toBeGreaterThanOrEqual(0);
      expect(call.fault).toBeUndefined();
    }
  });

  it('attributes calls to the x-moto-account-id header, else to moto’s default account', async () => {
    const headerAccount = String(randomInt(200_000_000_000, 999_999_999_999));
    const anonymous = clients({
      region: 'us-east-1',
      endpoint: proxy.url,
      credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' },
    });
    anonymous.ec2.middlewareStack.add(
      (next) => (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = headerAccount;
        return next(args);
      },
      { step: 'build' },
    );
    const viaHeader = await anonymous.sts.send(new GetCallerIdentityCommand({}));
    await anonymous.ec2.send(new DescribeVpcsCommand({}));
    anonymous.destroy();
    expect(viaHeader.Account).toBe(DEFAULT_ACCOUNT);
    expect(proxy.calls().map((c) => [c.operation, c.account])).toEqual([
      ['GetCallerIdentity', DEFAULT_ACCOUNT],
      ['DescribeVpcs', headerAccount],
    ]);
  });
});

describe('control API', () => {
  it('lists the recorded calls, sets and clears faults, resets the record', async () => {
    const control = proxyControl(proxy.url);
    await viaProxy.ec2.send(new DescribeVpcsCommand({}));
    const listed = await control.calls();
    expect(listed).toEqual(proxy.calls());
    expect(listed.map((c) => c.operation)).toEqual(['DescribeVpcs']);

    await control.setFaults([{ kind: 'error500', rate: 1, operation: 'DescribeVpcs' }]);
    expect(await control.status()).toMatchObject({
      upstream: `${motoUrl()}/`,
      timeScale: 1,
      throttling: true,
      record: true,
      faults: [{ kind: 'error500', rate: 1, operation: 'DescribeVpcs' }],
      calls: 1,
    });
    expect((await settle(viaProxy.ec2.send(new DescribeVpcsCommand({})))).name).toBe('InternalError');

    await control.clearFaults();
    expect((await settle(viaProxy.ec2.send(new DescribeVpcsCommand({})))).name).toBe('ok');

    await control.reset();
    expect(await control.calls()).toEqual([]);
  });

  it('rejects invalid rules with 400 and a message naming the field, keeping the old rules', async () => {
    const res = await fetch(`${proxy.url}/_proxy/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [{ kind: 'reset', rate: 2 }] }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/rules\[0\]\.rate/);
    expect((await fetch(`${proxy.url}/_proxy/nope`)).status).toBe(404);
    expect((await settle(viaProxy.ec2.send(new DescribeVpcsCommand({})))).name).toBe('ok');
  });
});

describe('as its own process (main.ts)', () => {
  it('serves and is driven through the control API; reset with buckets refills them', async () => {
    const port = await freePort();
    const child = startProcess(
      'aws-proxy',
      process.execPath,
      [
        path.join(import.meta.dirname, '../env/aws-proxy/main.ts'),
        ...['--upstream', motoUrl(), '--port', String(port), '--time-scale', '0.001', '--seed', '9'],
      ],
      { logFile: path.join(process.env.PLP_TEST_WORKDIR ?? os.tmpdir(), `aws-proxy-${port}.log`) },
    );
    try {
      const url = `http://127.0.0.1:${port}`;
      const control = proxyControl(url);
      await waitFor(
        'the proxy process',
        async () => (await control.status()).timeScale === 0.001,
        30_000,
        child,
      );
      const c = clients(await assumeThrough(url, ctx.accountId));
      const deleteEndpoint = () =>
        settle(c.ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: ['vpce-00000000000000000'] })));
      const drain = async () =>
        (await Promise.all(Array.from({ length: 6 }, deleteEndpoint))).map((r) => r.name);

      expect(tally(await drain())).toMatchObject({ RequestLimitExceeded: 2 });
      expect(await deleteEndpoint()).toMatchObject({ name: 'RequestLimitExceeded' });
      await control.reset({ buckets: true });
      expect(tally(await drain())).toMatchObject({ RequestLimitExceeded: 2 });
      c.destroy();
      const calls = await control.calls();
      expect(calls.map((x) => x.operation)).toEqual(Array(6).fill('DeleteVpcEndpoints'));
      expect(calls.every((x) => x.account === ctx.accountId)).toBe(true);
    } finally {
      await child.stop();
    }
  });
});
