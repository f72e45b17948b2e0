/** The test environment itself: real API server with RBAC, CRDs, moto with per-file accounts. */
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  RbacAuthorizationV1Api,
  type V1PolicyRule,
  type V1ResourceAttributes,
} from '@kubernetes/client-node';
import { canI, clusterRoleBindingsOf } from './controller-identity.ts';
import { newTestContext, type TestContext } from './context.ts';
import { eventually } from './poll.ts';

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

test('ClusterRole aggregation runs: an aggregate-to-edit role lands in the built-in edit, and leaves it', async () => {
  const rbac = ctx.kc.makeApiClient(RbacAuthorizationV1Api);
  const name = `plp-env-probe-${ctx.namespace}`;
  // A group nothing else grants, so the rule found in `edit` can only have come from here.
  const rule: V1PolicyRule = { apiGroups: ['probe.plp.test'], resources: [ctx.namespace], verbs: ['get'] };
  const hasRule = async (): Promise<boolean> =>
    ((await rbac.readClusterRole({ name: 'edit' })).rules ?? []).some(
      (r) => r.apiGroups?.[0] === 'probe.plp.test' && r.resources?.[0] === ctx.namespace,
    );
  await rbac.createClusterRole({
    body: {
      metadata: { name, labels: { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' } },
      rules: [rule],
    },
  });
  try {
    await eventually('edit to include the probe rule', hasRule);
    const edit = await rbac.readClusterRole({ name: 'edit' });
    expect(edit.rules).toContainEqual(expect.objectContaining(rule));
    // The tenant case: a user holding only `edit` through a RoleBinding gets the new rule.
    await rbac.createNamespacedRoleBinding({
      namespace: ctx.namespace,
      body: {
        metadata: { name: 'probe-tenant-edit' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'probe-tenant' }],
      },
    });
    const sar = ctx.kc.makeApiClient(AuthorizationV1Api);
    await eventually('probe-tenant to be allowed the probe rule', async () => {
      const review = await sar.createSubjectAccessReview({
        body: {
          spec: {
            user: 'probe-tenant',
            resourceAttributes: {
              verb: 'get',
              group: 'probe.plp.test',
              resource: ctx.namespace,
              namespace: ctx.namespace,
            },
          },
        },
      });
      return review.status?.allowed === true;
    });
  } finally {
    await rbac.deleteClusterRole({ name });
  }
  await eventually('edit to drop the probe rule', async () => !(await hasRule()));
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

test("the controller's identity is the chart's ServiceAccount: granted what the chart grants, nothing more", async () => {
  const { controllerKc: kc, namespace, controllerLease: lease } = ctx;
  const review = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
  expect(review.status?.userInfo?.username).toBe(
    `system:serviceaccount:${namespace}:${kc.getCurrentUser()?.name ?? ''}`,
  );
  expect(review.status?.userInfo?.groups).not.toContain('system:masters');
  const plp = 'publisher.privatelink.dev';
  const cases: [V1ResourceAttributes, boolean][] = [
    [{ verb: 'watch', group: plp, resource: 'publishedapps' }, true],
    [{ verb: 'patch', group: plp, resource: 'publishedapps', subresource: 'status', namespace }, true],
    [{ verb: 'patch', group: plp, resource: 'endpointservices', namespace: 'elsewhere' }, true],
    [{ verb: 'create', group: '', resource: 'events', namespace }, true],
    [{ verb: 'update', group: 'coordination.k8s.io', resource: 'leases', ...lease }, true],
    // Not in the chart, so denied:
    [{ verb: 'create', group: plp, resource: 'publishedapps', namespace }, false],
    [{ verb: 'delete', group: plp, resource: 'endpointservices', namespace }, false],
    [{ verb: 'list', group: '', resource: 'secrets', namespace }, false],
    [{ verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace, name: 'another' }, false],
    [{ verb: 'create', group: 'coordination.k8s.io', resource: 'leases', namespace: 'default' }, false],
    [{ verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' }, false],
  ];
  const got = await Promise.all(cases.map(async ([attrs]) => [attrs, await canI(kc, attrs)]));
  expect(got).toEqual(cases);
  // The RBAC is the chart's, rendered for this namespace's release, not a copy kept by the tests.
  const bindings = await clusterRoleBindingsOf(ctx.kubectl, kc, namespace);
  expect(bindings.map((b) => b.metadata?.labels?.['helm.sh/chart'])).toEqual([
    expect.stringMatching(/^privatelink-publisher-/),
  ]);
});
