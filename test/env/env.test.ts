/** The test environment itself: real API server with RBAC, CRDs, moto with per-file accounts. */
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AuthorizationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { newTestContext, type TestContext } from './context.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await newTestContext('env');
});
afterAll(async () => {
  await ctx.cleanup();
});

test('the API server is real: namespace exists and RBAC denies an unknown user', async () => {
  const ns = await ctx.kc.makeApiClient(CoreV1Api).readNamespace({ name: ctx.namespace });
  expect(ns.metadata?.name).toBe(ctx.namespace);
  const review = await ctx.kc.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
    body: {
      spec: {
        user: 'nobody',
        resourceAttributes: { verb: 'list', resource: 'secrets', namespace: ctx.namespace },
      },
    },
  });
  expect(review.status?.allowed).toBe(false);
});

test('kubectl talks to it', async () => {
  const out = await ctx.kubectl(['get', 'namespace', ctx.namespace, '-o', 'name']);
  expect(out).toMatchObject({ code: 0, stdout: `namespace/${ctx.namespace}\n` });
});

test('each test context acts in its own AWS account', async () => {
  const other = await ctx.otherAccount();
  const mine = new EC2Client(ctx.awsClientConfig);
  const theirs = new EC2Client(other.awsClientConfig);
  const [a, b] = await Promise.all([
    mine.send(new DescribeVpcsCommand({})),
    theirs.send(new DescribeVpcsCommand({})),
  ]);
  mine.destroy();
  theirs.destroy();
  expect(a.Vpcs?.map((v) => v.OwnerId)).toEqual([ctx.accountId]);
  expect(b.Vpcs?.map((v) => v.OwnerId)).toEqual([other.accountId]);
  expect(other.accountId).not.toBe(ctx.accountId);
});
