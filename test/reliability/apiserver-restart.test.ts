/**
 * Reliability, API-server restarts mid-convergence (issue 8, item 3). On a private control
 * plane (stopping the shared kube-apiserver would disturb every other suite), the controller
 * (src/main.ts as the chart's ServiceAccount, AWS through the recording proxy) publishes the
 * blue/green world plus six apps. Three times — while the apps are first being created, with
 * about half of them Ready, and in the steady state — kube-apiserver is stopped for several
 * seconds, while the controller keeps working on AWS, then started again; at once, while the
 * controller's watches are still reconnecting, an app is created, another's path is changed
 * and a third is deleted. What must hold: none of those changes is missed — every app Ready
 * with one endpoint, security group, target group and rule, routing the patched paths, targets
 * = its ENI IPs, nothing left of the deleted apps. Prints a one-line JSON summary.
 */
import { jest } from '@jest/globals';
import path from 'node:path';
import type { PublishedApp } from '../../src/api/v1alpha1.ts';
import { API_GROUP } from '../../src/api/kinds.ts';
import { newTestContext, type TestContext } from '../env/context.ts';
import { installDefaultIdentity } from '../env/global-setup.ts';
import { installCrds, startControlPlane, type ControlPlane } from '../env/control-plane.ts';
import {
  applyApp,
  awsClients,
  condition,
  deleteApp,
  eventually,
  getApp,
  patchApp,
  type Aws,
} from '../integration/published-app/harness.ts';
import { appSpec } from '../integration/published-app/specs.ts';
import { createWorld, type World } from '../integration/published-app/world.ts';
import { shareListener } from '../integration/grants.ts';
import { startReplica, type Replica } from './controller-replica.ts';
import { Audit, auditConverged } from './converged-audit.ts';

jest.setTimeout(300_000);

const root = path.resolve(import.meta.dirname, '../..');

/** One restart: when it happens (a state of the apps) and how long the API server stays down. */
interface Round {
  moment: string;
  reached: (apps: readonly (PublishedApp | undefined)[]) => boolean;
  downMs: number;
}

const isReady = (o: PublishedApp | undefined): boolean =>
  condition(o, 'Ready')?.[0] === 'True' && o?.status?.observedGeneration === o?.metadata?.generation;

const ROUNDS: Round[] = [
  {
    // The controller has seen every app (its finalizer is on) and is creating their resources.
    moment: 'every app seen',
    reached: (apps) => apps.every((o) => (o?.metadata?.finalizers ?? []).length > 0),
    downMs: 6_000,
  },
  {
    moment: 'about half the apps Ready',
    reached: (apps) => apps.filter(isReady).length >= apps.length / 2,
    downMs: 9_000,
  },
  { moment: 'every app Ready', reached: (apps) => apps.every(isReady), downMs: 5_000 },
];

let cp: ControlPlane;
let ctx: TestContext;
let aws: Aws;
let world: World;
let controller: Replica | undefined;

/** name → the path it must be published at; the apps deleted, by UID. */
const wanted = new Map<string, { provider: string; path: string }>([
  ['blue', { provider: 'blue', path: '/blue' }],
  ['green', { provider: 'green', path: '/green' }],
  ...Array.from({ length: 6 }, (_, i): [string, { provider: string; path: string }] => [
    `app-${i}`,
    { provider: i % 2 === 0 ? 'blue' : 'green', path: `/app-${i}` },
  ]),
]);
const deleted: string[] = [];

/** Retries `change` while the restarted API server settles (its first requests may still fail). */
function settled(what: string, change: () => Promise<void>): Promise<boolean> {
  return eventually(
    what,
    async () => {
      await change();
      return true;
    },
    30_000,
  );
}

beforeAll(async () => {
  const assetsDir = process.env.PLP_KUBEBUILDER_ASSETS;
  if (!assetsDir) throw new Error('PLP_KUBEBUILDER_ASSETS not set: run in the jest "integration" project');
  const workDir = path.join(process.env.PLP_TEST_WORKDIR ?? '/tmp', `apiserver-restart-${process.pid}`);
  cp = await startControlPlane({ assetsDir, workDir });
  await installCrds(cp.kubectlPath, cp.kubeconfigPath, path.join(root, 'crds'));
  await installDefaultIdentity(cp.kubectlPath, cp.kubeconfigPath);
  // newTestContext sets a suite up on the API server KUBECONFIG names: point it at ours.
  const shared = process.env.KUBECONFIG;
  process.env.KUBECONFIG = cp.kubeconfigPath;
  try {
    ctx = await newTestContext('rel-apiserver-restart');
  } finally {
    process.env.KUBECONFIG = shared;
  }
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true });
  await shareListener(ctx, world.dmz.listenerArn);
});

afterAll(async () => {
  await controller?.stop();
  aws.destroy();
  await cp.stop();
});

it(`misses no change made right after ${ROUNDS.length} API-server restarts`, async () => {
  controller = await startReplica({
    name: 'controller',
    kubeconfigPath: ctx.controllerKubeconfigPath,
    namespace: ctx.namespace,
    accountId: ctx.accountId,
    clusterId: 'it-apiserver-restart',
  });
  for (const [name, app] of wanted) await applyApp(ctx, name, appSpec(world, app.provider, app.path));

  const rounds: { moment: string; downMs: number; awsCallsWhileDown: number }[] = [];
  let changes = 0;
  for (const [i, round] of ROUNDS.entries()) {
    await eventually(
      round.moment,
      async () => round.reached(await Promise.all([...wanted.keys()].map((n) => getApp(ctx, n)))),
      150_000,
    );
    const downAt = Date.now();
    await cp.stopApiServer();
    await new Promise((r) => setTimeout(r, round.downMs));
    const upAt = Date.now();
    await cp.startApiServer();
    // Every change at once, while the controller's informers still wait out their backoff.
    const born = `late-${i}`;
    const bornApp = { provider: i % 2 === 0 ? 'blue' : 'green', path: `/late-${i}` };
    await settled(`create ${born}`, () =>
      applyApp(ctx, born, appSpec(world, bornApp.provider, bornApp.path)),
    );
    const moved = `app-${2 * i}`;
    const movedPath = `/app-${2 * i}-v2`;
    await settled(`patch ${moved}`, () =>
      patchApp(ctx, moved, { routing: { pathPatterns: [movedPath, `${movedPath}/*`] } }),
    );
    const doomed = `app-${2 * i + 1}`;
    const uid = (await getApp(ctx, doomed))?.metadata?.uid;
    if (!uid) throw new Error(`${doomed} is missing before its deletion`);
    await settled(`delete ${doomed}`, () => deleteApp(ctx, doomed));
    changes += 3;
    wanted.set(born, bornApp);
    wanted.set(moved, { ...wanted.get(moved)!, path: movedPath });
    wanted.delete(doomed);
    deleted.push(uid);

    const calls = controller.calls().filter((c) => c.time >= downAt && c.time <= upAt);
    rounds.push({ moment: round.moment, downMs: round.downMs, awsCallsWhileDown: calls.length });
  }

  const objs = await eventually(
    'every app Ready and every deleted app gone',
    async () => {
      const listed = await ctx.kubectl(['get', 'publishedapp', '-n', ctx.namespace, '-o', 'name']);
      const names = listed.stdout.split('\n').filter((l) => l !== '');
      const onlyWanted =
        names.sort().join() ===
        [...wanted.keys()]
          .map((n) => `publishedapp.${API_GROUP}/${n}`)
          .sort()
          .join();
      const live = await Promise.all([...wanted.keys()].map((n) => getApp(ctx, n)));
      return onlyWanted && live.every(isReady) ? (live as PublishedApp[]) : undefined;
    },
    150_000,
  );

  const audit = new Audit();
  for (const obj of objs) {
    const want = wanted.get(obj.metadata!.name!)!;
    audit.check(
      obj.spec.routing.pathPatterns.join() === `${want.path},${want.path}/*`,
      `${obj.metadata!.name}: spec paths ${obj.spec.routing.pathPatterns.join()}`,
    );
  }
  await auditConverged(audit, aws, world.dmz.listenerArn, objs, deleted);
  // The controller worked on AWS while the API server was away (each round's window).
  const whileDown = rounds.reduce((n, r) => n + r.awsCallsWhileDown, 0);
  audit.check(whileDown > 0, 'no AWS call while the API server was down');

  console.log(
    JSON.stringify({
      suite: 'reliability/apiserver-restart',
      restarts: rounds.length,
      rounds,
      changesAfterRestarts: changes,
      appsAtEnd: objs.length,
      deletedApps: deleted.length,
      controllerAwsCalls: controller.calls().length,
      invariantChecks: audit.checks,
      violations: audit.violations.length,
      details: audit.violations,
    }),
  );
  expect(audit.violations).toEqual([]);
});
