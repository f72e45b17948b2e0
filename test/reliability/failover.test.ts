/**
 * Reliability, leader fail-over under load (issue 8, item 4). Two controller processes
 * (src/main.ts, leader election on the chart's Lease, the chart's RBAC) share the work of
 * 15 apps; the leader — found as the Lease's holder — is SIGKILLed at different points of
 * the convergence, five times, and a fresh replica is started each time so two run again.
 * What must hold: no double actions — in the global proxy's record of the suite's account one
 * successful CreateRule, CreateSecurityGroup and CreateTargetGroup per app, CreateVpcEndpoint
 * repeats only as idempotent retries (no endpoint beyond one per app, nothing ever deleted);
 * each replica's calls (its own recording proxy) fall inside its own leadership, and no two
 * leaderships overlap; every app Ready with one endpoint, security group, target group and
 * rule. Prints a one-line JSON summary.
 *
 * The lease is shortened through the controller's flags (10 s instead of 15 s; renew deadline
 * 7 s, retry 1 s), so a kill costs up to ~11 s of hand-over; the Lease object must carry the
 * flag's duration, which checks the flags reach the elector.
 */
import { jest } from '@jest/globals';
import type { PublishedApp } from '../../src/api/v1alpha1.ts';
import { proxyControl } from '../env/aws-proxy/control-client.ts';
import type { RecordedCall } from '../env/aws-proxy/server.ts';
import { newTestContext, type TestContext } from '../env/context.ts';
import {
  applyApp,
  awsClients,
  condition,
  eventually,
  getApp,
  type Aws,
} from '../integration/published-app/harness.ts';
import { appSpec } from '../integration/published-app/specs.ts';
import { createWorld, type World } from '../integration/published-app/world.ts';
import { shareListener } from '../integration/grants.ts';
import { startReplica, type Replica } from './controller-replica.ts';
import { Audit, auditConverged } from './converged-audit.ts';
import { expectCheapTakeOver, takeOverAtSteadyState } from './steady-take-over.ts';

jest.setTimeout(300_000);

const APPS = Number(process.env.PLP_REL_FAILOVER_APPS ?? 15);
/** How long each leader works before it is killed: early creates, mid-convergence, steady. */
const LEAD_BEFORE_KILL_MS = [1_500, 4_000, 500, 7_000, 2_500];
/** Creates with no idempotency at all (a repeat that succeeds is a second resource). */
const ONE_PER_APP = ['CreateRule', 'CreateSecurityGroup', 'CreateTargetGroup'];
/** Idempotent by ClientToken: a repeat may succeed, answered with the same endpoint. */
const IDEMPOTENT = 'CreateVpcEndpoint';
/** Nothing is deleted in this suite: a delete means a duplicate was cleaned up. */
const DELETES = ['DeleteVpcEndpoints', 'DeleteSecurityGroup', 'DeleteTargetGroup', 'DeleteRule'];

let ctx: TestContext;
let aws: Aws;
let world: World;
const replicas: Replica[] = [];
const audit = new Audit();

const apps = Array.from({ length: APPS }, (_, i) => ({
  name: `app-${i}`,
  provider: i % 2 === 0 ? 'blue' : 'green',
  path: `/app-${i}`,
}));

let replicasStarted = 0;

async function addReplica(): Promise<void> {
  replicas.push(
    await startReplica({
      name: `r${replicasStarted++}`,
      kubeconfigPath: ctx.controllerKubeconfigPath,
      namespace: ctx.namespace,
      accountId: ctx.accountId,
      clusterId: 'it-failover',
      lease: ctx.controllerLease,
      args: LEASE_FLAGS,
    }),
  );
}

const LEASE_SECONDS = 10;
const LEASE_FLAGS = [
  `--leader-elect-lease-duration=${LEASE_SECONDS}s`,
  '--leader-elect-renew-deadline=7s',
  '--leader-elect-retry-period=1s',
];

/** Every spec.leaseDurationSeconds the Lease was seen with. */
const leaseSeconds = new Set<number>();

/** The live replica holding the Lease, once there is one. */
function currentLeader(): Promise<Replica> {
  const { name, namespace } = ctx.controllerLease;
  return eventually(
    'a live replica holding the lease',
    async () => {
      const out = await ctx.kubectl([
        'get',
        'lease',
        name,
        '-n',
        namespace,
        '-o',
        'jsonpath={.spec.holderIdentity} {.spec.leaseDurationSeconds}',
      ]);
      const [holder, seconds] = out.stdout.trim().split(' ');
      leaseSeconds.add(Number(seconds));
      return replicas.find((r) => r.killedAt() === undefined && r.leadership()?.identity === holder);
    },
    60_000,
  );
}

const isReady = (o: PublishedApp | undefined): boolean =>
  condition(o, 'Ready')?.[0] === 'True' && o?.status?.observedGeneration === o?.metadata?.generation;

/** Per operation, the successful calls. */
function okCounts(calls: readonly RecordedCall[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) if (c.outcome === 'ok') out[c.operation] = (out[c.operation] ?? 0) + 1;
  return out;
}

/**
 * Every call of each replica inside its own leadership; leaderships one after another.
 * @returns the calls checked and the hand-overs seen (leaderships after the first).
 */
function checkLeaderships(): { calls: number; handovers: number } {
  let checked = 0;
  for (const r of replicas) {
    const calls = r.calls();
    checked += calls.length;
    const lead = r.leadership();
    if (!lead) {
      audit.check(calls.length === 0, `${r.name} never led but made ${calls.length} AWS calls`);
      continue;
    }
    const end = r.killedAt() ?? Infinity;
    const outside = calls.filter((c) => c.time < lead.at || c.time > end);
    audit.check(outside.length === 0, `${r.name}: ${outside.length} calls outside its leadership`);
  }
  const led = replicas
    .flatMap((r) => {
      const lead = r.leadership();
      return lead ? [{ name: r.name, from: lead.at, to: r.killedAt() ?? Infinity }] : [];
    })
    .sort((a, b) => a.from - b.from);
  for (const [i, next] of led.entries()) {
    const prev = led[i - 1];
    if (prev)
      audit.check(
        prev.to < next.from,
        `${next.name} led from ${next.from}, before ${prev.name} died at ${prev.to}`,
      );
  }
  return { calls: checked, handovers: led.length - 1 };
}

beforeAll(async () => {
  ctx = await newTestContext('rel-failover');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true });
  await shareListener(ctx, world.dmz.listenerArn);
});

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  aws.destroy();
  await ctx.cleanup();
});

it(`converges through ${LEAD_BEFORE_KILL_MS.length} leader kills with no double action`, async () => {
  const started = Date.now();
  await Promise.all([addReplica(), addReplica()]);
  for (const app of apps) await applyApp(ctx, app.name, appSpec(world, app.provider, app.path));

  for (const workMs of LEAD_BEFORE_KILL_MS) {
    const leader = await currentLeader();
    const lead = leader.leadership()!;
    await new Promise((r) => setTimeout(r, Math.max(0, lead.at + workMs - Date.now())));
    await leader.kill();
    await addReplica();
  }
  // The last kill's hand-over, too (the apps may all be Ready before it happens).
  await currentLeader();

  const objs = await eventually(
    'every app Ready after the kills',
    async () => {
      const all = await Promise.all(apps.map((a) => getApp(ctx, a.name)));
      return all.every(isReady) ? (all as PublishedApp[]) : undefined;
    },
    150_000,
  );
  const convergedMs = Date.now() - started;

  const shared = (await proxyControl(process.env.AWS_ENDPOINT_URL!).calls()).filter(
    (c) => c.account === ctx.accountId && c.time >= started,
  );
  const ok = okCounts(shared);
  const byReplicas = okCounts(replicas.flatMap((r) => r.calls()));
  for (const op of ONE_PER_APP)
    audit.check((ok[op] ?? 0) === APPS, `${ok[op] ?? 0} successful ${op} for ${APPS} apps`);
  audit.check(
    (ok[IDEMPOTENT] ?? 0) >= APPS,
    `${ok[IDEMPOTENT] ?? 0} successful ${IDEMPOTENT} for ${APPS} apps`,
  );
  for (const op of DELETES)
    audit.check((ok[op] ?? 0) === 0, `${ok[op] ?? 0} successful ${op}: a duplicate was removed`);
  // The replicas' own records account for every create of the shared one: nobody else acted.
  for (const op of [...ONE_PER_APP, IDEMPOTENT])
    audit.check(
      byReplicas[op] === ok[op],
      `${op}: replicas made ${byReplicas[op]}, the account saw ${ok[op]}`,
    );
  const { calls, handovers } = checkLeaderships();
  const duplicates =
    ONE_PER_APP.reduce((n, op) => n + Math.max(0, (ok[op] ?? 0) - APPS), 0) +
    DELETES.reduce((n, op) => n + (ok[op] ?? 0), 0);
  await auditConverged(audit, aws, world.dmz.listenerArn, objs);

  console.log(
    JSON.stringify({
      suite: 'reliability/failover',
      apps: APPS,
      kills: LEAD_BEFORE_KILL_MS.length,
      handovers,
      replicas: replicas.length,
      // AWS calls of each leader, in order: the kills hit it mid-work, not idle.
      callsPerLeader: replicas
        .filter((r) => r.leadership())
        .sort((a, b) => a.leadership()!.at - b.leadership()!.at)
        .map((r) => r.calls().length),
      convergedMs,
      callsChecked: calls + shared.length,
      creates: Object.fromEntries([...ONE_PER_APP, IDEMPOTENT].map((op) => [op, ok[op] ?? 0])),
      idempotentEndpointRepeats: (ok[IDEMPOTENT] ?? 0) - APPS,
      duplicates,
      invariantChecks: audit.checks,
      violations: audit.violations.length,
      details: audit.violations,
    }),
  );
  expect([...leaseSeconds]).toEqual([LEASE_SECONDS]);
  expect(handovers).toBe(LEAD_BEFORE_KILL_MS.length);
  expect(audit.violations).toEqual([]);
});

/** A hand-over at steady state (issue 17): see steady-take-over.ts. */
it('hands over at steady state without walking every app, and follows an ENI changed meanwhile', async () => {
  const scene = { ctx, aws, world, apps: apps.map((a) => a.name) };
  const { next, followedMs } = await takeOverAtSteadyState(scene, {
    kill: async () => (await currentLeader()).kill(),
    next: currentLeader,
  });
  const calls = next.calls().filter((c) => c.time >= next.leadership()!.at);
  // Lease (10 s) + the new leader's start + an observation round (10 s) + the walk.
  expectCheapTakeOver('reliability/failover (steady hand-over)', calls, {
    apps: APPS,
    followedMs,
    followBoundMs: 60_000,
  });
});
