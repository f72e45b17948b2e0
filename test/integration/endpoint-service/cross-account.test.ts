/**
 * Cross-account consumers (seeds 001, 003): accounts allowed by the service create endpoints;
 * those listed in autoAccept are accepted, the others stay pending — or are rejected once
 * rejectOthers is set — and the Events say why.
 */
import { grantIdentity, removeIdentity } from '../grants.ts';
import { jest } from '@jest/globals';
import { newTestContext, type TestContext } from '../../env/context.ts';
import {
  account,
  applyEndpointService,
  condition,
  createEndpoint,
  createNetwork,
  createNlb,
  endpointState,
  eventually,
  patchSpec,
  servicesOwnedBy,
  startController,
  waitForEvent,
  waitForObject,
  type Account,
  type Network,
  type RunningController,
} from './harness.ts';

// The project-level testTimeout is not applied by jest (a global-only option).
jest.setTimeout(120_000);

let ctx: TestContext;
let provider: Account;
let listed: Account; // allowed and in autoAccept.principals
let unlisted: Account; // allowed, not in autoAccept.principals
let listedNet: Network;
let unlistedNet: Network;
let controller: RunningController;
let serviceName: string;

beforeAll(async () => {
  ctx = await newTestContext('eps-cross-account');
  provider = account(ctx.accountId, ctx.awsClientConfig);
  const b = await ctx.otherAccount();
  const c = await ctx.otherAccount();
  listed = account(b.accountId, b.awsClientConfig);
  unlisted = account(c.accountId, c.awsClientConfig);
  const appNetwork = await createNetwork(provider.ec2, 1);
  listedNet = await createNetwork(listed.ec2, 2);
  unlistedNet = await createNetwork(unlisted.ec2, 3);
  const nlbArn = await createNlb(provider.elbv2, appNetwork);
  controller = await startController(ctx);
  await applyEndpointService(ctx, 'shared', {
    networkLoadBalancerArns: [nlbArn],
    allowedPrincipals: [
      `arn:aws:iam::${listed.accountId}:root`,
      `arn:aws:iam::${unlisted.accountId}:role/consumer`,
    ],
    // A principal ARN stands for its account: the connection names only the owner account.
    autoAccept: { principals: [`arn:aws:iam::${listed.accountId}:root`], rejectOthers: false },
  });
  const obj = await waitForObject(ctx, 'shared', 'Ready', (o) => condition(o, 'Ready')?.[0] === 'True');
  serviceName = obj.status!.serviceName!;
});

afterAll(async () => {
  await controller.stop();
  for (const a of [provider, listed, unlisted]) a.destroy();
  await ctx.cleanup();
});

let listedEndpoint: string;
let unlistedEndpoint: string;

it('accepts an allowed and listed account’s endpoint', async () => {
  listedEndpoint = await createEndpoint(listed.ec2, listedNet, serviceName);
  await eventually(
    'listed endpoint available',
    async () => (await endpointState(listed.ec2, listedEndpoint)) === 'available',
  );
  const event = await waitForEvent(ctx, 'shared', 'ConnectionAccepted', listedEndpoint, listed.accountId);
  expect(event.message).toContain(`autoAccept principal "arn:aws:iam::${listed.accountId}:root"`);
});

it('leaves an allowed but unlisted account’s endpoint pending, and says so', async () => {
  unlistedEndpoint = await createEndpoint(unlisted.ec2, unlistedNet, serviceName);
  const obj = await waitForObject(ctx, 'shared', 'pending connection reported', (o) =>
    (o.status?.connections ?? []).some((c) => c.endpointId === unlistedEndpoint),
  );
  expect(obj.status?.connections).toEqual(
    expect.arrayContaining([
      { endpointId: listedEndpoint, owner: listed.accountId, state: 'available', decision: 'Accepted' },
      {
        endpointId: unlistedEndpoint,
        owner: unlisted.accountId,
        state: 'pendingAcceptance',
        decision: 'Pending',
      },
    ]),
  );
  expect(obj.status?.connectionCounts).toEqual({ total: 2, available: 1, pendingAcceptance: 1 });
  expect(condition(obj, 'ConnectionsReconciled')).toEqual(['True', 'AwaitingManualAcceptance']);
  expect(condition(obj, 'Ready')?.[0]).toBe('True');
  const event = await waitForEvent(ctx, 'shared', 'ConnectionPending', unlistedEndpoint, unlisted.accountId);
  expect(event.message).toContain('not in autoAccept.principals');
  // Several polls later it is still untouched.
  await new Promise((r) => setTimeout(r, 2_500));
  expect(await endpointState(unlisted.ec2, unlistedEndpoint)).toBe('pendingAcceptance');
});

it('rejects it once rejectOthers is set, and records why', async () => {
  await patchSpec(ctx, 'shared', {
    autoAccept: { principals: [`arn:aws:iam::${listed.accountId}:root`], rejectOthers: true },
  });
  await eventually(
    'unlisted endpoint rejected',
    async () => (await endpointState(unlisted.ec2, unlistedEndpoint)) === 'rejected',
  );
  const event = await waitForEvent(ctx, 'shared', 'ConnectionRejected', unlistedEndpoint, unlisted.accountId);
  expect(event.message).toContain('rejectOthers');
  const obj = await waitForObject(ctx, 'shared', 'rejection reported', (o) =>
    (o.status?.connections ?? []).some((c) => c.endpointId === unlistedEndpoint && c.state === 'rejected'),
  );
  expect(obj.status?.connections).toEqual(
    expect.arrayContaining([
      { endpointId: unlistedEndpoint, owner: unlisted.accountId, state: 'rejected', decision: 'Rejected' },
    ]),
  );
  // The accepted connection is left alone.
  expect(await endpointState(listed.ec2, listedEndpoint)).toBe('available');
});

it('serves a provider in another account through an AwsIdentity granted to the namespace', async () => {
  const other = await ctx.otherAccount();
  const remote = account(other.accountId, other.awsClientConfig);
  const identity = `${ctx.namespace}-remote`;
  await grantIdentity(ctx, identity, {
    roleArn: `arn:aws:iam::${other.accountId}:role/publisher`,
    allowedNamespaces: { names: [ctx.namespace] },
  });
  try {
    const nlbArn = await createNlb(remote.elbv2, await createNetwork(remote.ec2, 4));
    await applyEndpointService(ctx, 'remote', {
      aws: { region: 'us-east-1', identity },
      networkLoadBalancerArns: [nlbArn],
    });
    const obj = await waitForObject(ctx, 'remote', 'Ready', (o) => condition(o, 'Ready')?.[0] === 'True');
    const uid = obj.metadata!.uid!;
    expect((await servicesOwnedBy(remote.ec2, uid)).map((s) => s.ServiceId)).toEqual([obj.status!.serviceId]);
    expect(await servicesOwnedBy(provider.ec2, uid)).toEqual([]);
  } finally {
    remote.destroy();
    await removeIdentity(ctx, identity);
  }
});

it('moves the objects of an identity as soon as it is granted, well before a resync', async () => {
  // The controller here resyncs every 60 s: only the AwsIdentity watch can move it sooner.
  const identity = `${ctx.namespace}-late`;
  await grantIdentity(ctx, identity, { allowedNamespaces: { names: ['someone-else'] } });
  try {
    const nlbArn = await createNlb(provider.elbv2, await createNetwork(provider.ec2, 5));
    await applyEndpointService(ctx, 'late', { aws: { identity }, networkLoadBalancerArns: [nlbArn] });
    await waitForObject(
      ctx,
      'late',
      'IdentityNotPermitted',
      (o) => condition(o, 'Ready')?.[1] === 'IdentityNotPermitted',
    );
    const granted = Date.now();
    await grantIdentity(ctx, identity, { allowedNamespaces: { names: [ctx.namespace] } });
    await waitForObject(ctx, 'late', 'Ready', (o) => condition(o, 'Ready')?.[0] === 'True', 30_000);
    expect(Date.now() - granted).toBeLessThan(30_000);
  } finally {
    await removeIdentity(ctx, identity);
  }
});
