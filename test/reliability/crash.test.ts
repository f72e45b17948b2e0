/**
 * Reliability, controller crashes (issue 8, item 2). The controller runs as a real process
 * (src/main.ts, as the chart's ServiceAccount, with a call recorder of its own chained in front
 * of the global setup's AWS proxy — see controller-replica.ts) and is SIGKILLed at seeded random points — some time into its work, some right
 * after a mutating AWS call (the create happened, the process never recorded it) — and
 * restarted, over and over, first while the blue/green world plus more apps converge, then
 * while they are all deleted. What must hold: every app Ready with exactly one endpoint,
 * security group, target group and rule, targets = the endpoint's ENI IPs; after deletion no
 * AWS resource of the apps and no object left; foreign resources unchanged throughout.
 * Prints a one-line JSON summary.
 */
import { jest } from '@jest/globals';
import {
  CreateVpcEndpointCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { PublishedApp } from '../../src/api/v1alpha1.ts';
import { newTestContext, type TestContext } from '../env/context.ts';
import {
  applyApp,
  awsClients,
  condition,
  deleteApp,
  endpointIps,
  eventually,
  getApp,
  targetIps,
  type Aws,
} from '../integration/published-app/harness.ts';
import { appSpec } from '../integration/published-app/specs.ts';
import { createWorld, type World } from '../integration/published-app/world.ts';
import { shareListener } from '../integration/grants.ts';
import { crashAt, killedAfter, planCrashes, type Crash, type KillPoint } from './crash-loop.ts';
import { startReplica, type Replica } from './controller-replica.ts';
import { foreignSnapshot, inventory, ownedCounts, type Inventory } from './inventory.ts';
import { expectCheapTakeOver, takeOverAtSteadyState } from './steady-take-over.ts';

jest.setTimeout(420_000);

const EXTRA_APPS = Number(process.env.PLP_REL_CRASH_EXTRA_APPS ?? 10);
const SEED = Number(process.env.PLP_REL_SEED ?? 8);
/** Planned crashes; a phase that finishes first ends its crashes (see crashThrough). */
const CRASHES = { convergence: 14, deletion: 12 };

let ctx: TestContext;
let aws: Aws;
let world: World;
/** Starts a controller process with `--concurrency=<concurrency>`, resolving once it is ready. */
let startProcess: (concurrency: number) => Promise<Replica>;
let starts = 0;
let controller: Replica | undefined;
let foreignBefore: string;
const plan = planCrashes(SEED, CRASHES);
const crashes: { convergence: Crash[]; deletion: Crash[] } = { convergence: [], deletion: [] };
const audit = { checks: 0, violations: [] as string[] };
const uids: string[] = [];
/** From the last (unkilled) start to every app Ready, and to every app gone. */
const settledMs = { convergence: 0, deletion: 0 };

const apps = [
  { name: 'blue', provider: 'blue', path: '/blue' },
  { name: 'green', provider: 'green', path: '/green' },
  ...Array.from({ length: EXTRA_APPS }, (_, i) => ({
    name: `app-${i}`,
    provider: i % 2 === 0 ? 'blue' : 'green',
    path: `/app-${i}`,
  })),
];

/** Records a check; a failed one is a violation named by `what`. */
function check(ok: boolean, what: string): void {
  audit.checks++;
  if (!ok) audit.violations.push(what);
}

/**
 * Foreign things the controller could mistake for its own: an untagged interface endpoint to
 * blue's service in the DMZ, a fixed-response rule on the shared listener, a target group with
 * a target, and a security group that admits the ALB's.
 */
async function seedForeign(): Promise<void> {
  await aws.ec2.send(
    new CreateVpcEndpointCommand({
      VpcEndpointType: 'Interface',
      VpcId: world.dmz.vpcId,
      ServiceName: world.providers.blue!.serviceName!,
      SubnetIds: [world.dmz.subnetIds[2]!],
      TagSpecifications: [{ ResourceType: 'vpc-endpoint', Tags: [{ Key: 'team', Value: 'legacy' }] }],
    }),
  );
  await aws.elbv2.send(
    new CreateRuleCommand({
      ListenerArn: world.dmz.listenerArn,
      Priority: 7,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/maintenance*'] } }],
      Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503' } }],
    }),
  );
  const { TargetGroups } = await aws.elbv2.send(
    new CreateTargetGroupCommand({
      Name: 'legacy-api',
      Protocol: 'HTTP',
      Port: 9000,
      VpcId: world.dmz.vpcId,
      TargetType: 'ip',
    }),
  );
  const TargetGroupArn = TargetGroups![0]!.TargetGroupArn!;
  await aws.elbv2.send(
    new RegisterTargetsCommand({ TargetGroupArn, Targets: [{ Id: '10.100.3.50', Port: 9000 }] }),
  );
  const sg = await aws.ec2.send(
    new CreateSecurityGroupCommand({
      VpcId: world.dmz.vpcId,
      GroupName: 'legacy-clients',
      Description: 'not ours',
    }),
  );
  await aws.ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: sg.GroupId!,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 8443,
          ToPort: 8443,
          UserIdGroupPairs: [{ GroupId: world.dmz.albSecurityGroupId }],
        },
      ],
    }),
  );
}

beforeAll(async () => {
  ctx = await newTestContext('rel-crash');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true });
  await shareListener(ctx, world.dmz.listenerArn);
  await seedForeign();
  foreignBefore = await foreignSnapshot(aws.ec2, aws.elbv2);
  // The chart's ServiceAccount and ClusterRole, never the admin; each process gets a recorder of its own.
  const base = {
    kubeconfigPath: ctx.controllerKubeconfigPath,
    namespace: ctx.namespace,
    accountId: ctx.accountId,
    clusterId: 'it-crash',
  };
  startProcess = (concurrency) =>
    startReplica({
      ...base,
      name: `crash-${++starts}`,
      args: ['--resync-period=10s', '--log-level=warn', `--concurrency=${concurrency}`],
    });
});

afterAll(async () => {
  await controller?.stop();
  aws.destroy();
  await ctx.cleanup();
});

/**
 * Starts, crashes and restarts the controller at each point in turn, while `unfinished` (a
 * crash once nothing is left to do proves nothing and costs the wait for a point that never comes).
 */
async function crashThrough(
  points: readonly KillPoint[],
  into: Crash[],
  concurrency: number,
  unfinished: () => Promise<boolean>,
): Promise<void> {
  for (const point of points) {
    if (!(await unfinished())) return;
    into.push(await crashAt(() => startProcess(concurrency), point));
  }
}

/** The apps as they are now (undefined: gone). */
const currentApps = (): Promise<(PublishedApp | undefined)[]> =>
  Promise.all(apps.map((a) => getApp(ctx, a.name)));

/** Nothing of ours outside `live` apps, and no untagged resource of the kinds we create but the foreign ones. */
function checkStrays(inv: Inventory, live: ReadonlySet<string>): void {
  for (const kind of ['endpoints', 'securityGroups', 'targetGroups', 'rules'] as const) {
    const stray = inv[kind].filter((x) => x.uid !== undefined && !live.has(x.uid));
    check(
      stray.length === 0,
      `${stray.length} ${kind} tagged for no live app: ${stray.map((x) => x.id).join(', ')}`,
    );
  }
  const untagged = {
    endpoints: inv.endpoints.filter((e) => e.uid === undefined).length,
    'plp- target groups': inv.targetGroups.filter((t) => t.uid === undefined && t.name.startsWith('plp-'))
      .length,
    rules: inv.rules.filter((r) => !r.isDefault && r.uid === undefined).length,
  };
  // The foreign endpoint and the foreign rule are the only untagged ones there may be.
  check(
    JSON.stringify(untagged) === JSON.stringify({ endpoints: 1, 'plp- target groups': 0, rules: 1 }),
    `untagged resources: ${JSON.stringify(untagged)}`,
  );
}

/** Every app's AWS resources: one of each, the ones its status records, targets = its ENI IPs. */
async function checkConverged(objs: readonly PublishedApp[]): Promise<void> {
  const inv = await inventory(aws.ec2, aws.elbv2, world.dmz.listenerArn);
  for (const obj of objs) {
    const { name, uid } = obj.metadata as { name: string; uid: string };
    const status = obj.status ?? {};
    for (const [kind, n] of Object.entries(ownedCounts(inv, uid))) check(n === 1, `${name}: ${n} ${kind}`);
    check(
      inv.endpoints.some((e) => e.uid === uid && e.id === status.endpointId),
      `${name}: endpoint is not the recorded one`,
    );
    check(
      inv.securityGroups.some((g) => g.uid === uid && g.id === status.securityGroupId),
      `${name}: security group is not the recorded one`,
    );
    const rule = inv.rules.find((r) => r.uid === uid);
    check(rule?.id === status.ruleArn, `${name}: rule is not the recorded one`);
    check(
      rule?.forward.join() === status.targetGroupArn,
      `${name}: rule does not forward to its target group`,
    );
    const [targets, enis] = await Promise.all([
      targetIps(aws.elbv2, status.targetGroupArn ?? ''),
      endpointIps(aws.ec2, status.endpointId ?? ''),
    ]);
    check(
      enis.length === 2 && targets.join() === enis.join(),
      `${name}: targets ${targets.join()} ≠ ENI IPs ${enis.join()}`,
    );
  }
  checkStrays(inv, new Set(objs.map((o) => o.metadata!.uid!)));
  const ours = new Set(inv.securityGroups.filter((g) => g.uid !== undefined).map((g) => g.id));
  check((await foreignSnapshot(aws.ec2, aws.elbv2, ours)) === foreignBefore, 'a foreign resource changed');
}

/**
 * Waits (up to 2 min) until `done` holds for the apps after the last, unkilled start, and
 * records how long that took. Not settling is a violation naming each app's state, and the
 * audit goes on: what was left is the interesting part.
 */
async function settle(
  phase: keyof typeof settledMs,
  done: (all: (PublishedApp | undefined)[]) => boolean,
): Promise<(PublishedApp | undefined)[]> {
  const from = Date.now();
  const all = await eventually(
    `${phase} settled after the crashes`,
    async () => {
      const now = await currentApps();
      return done(now) ? now : undefined;
    },
    120_000,
  ).catch(() => undefined);
  settledMs[phase] = Date.now() - from;
  const now = all ?? (await currentApps());
  const states = now.flatMap((o) =>
    o
      ? [
          `${o.metadata!.name}: ${o.metadata!.deletionTimestamp ? 'deleting, ' : ''}${condition(o, 'Ready')?.[1]}`,
        ]
      : [],
  );
  check(all !== undefined, `${phase} did not settle in 2 min: ${states.join('; ')}`);
  return now;
}

const isReady = (o: PublishedApp | undefined): boolean =>
  condition(o, 'Ready')?.[0] === 'True' && o?.status?.observedGeneration === o?.metadata?.generation;

it(`converges through up to ${CRASHES.convergence} crashes without duplicates or foreign changes`, async () => {
  const before = audit.violations.length;
  for (const app of apps) await applyApp(ctx, app.name, appSpec(world, app.provider, app.path));
  await crashThrough(
    plan.convergence,
    crashes.convergence,
    4,
    async () => !(await currentApps()).every(isReady),
  );

  controller = await startProcess(4);
  const objs = (await settle('convergence', (all) => all.every(isReady))).filter(
    (o): o is PublishedApp => o !== undefined,
  );
  uids.push(...objs.map((o) => o.metadata!.uid!));
  await checkConverged(objs);
  expect(audit.violations.slice(before)).toEqual([]);
});

/** A crash at steady state (issue 17): the restarted process resumes; see steady-take-over.ts. */
it('restarts at steady state without walking every app, and follows an ENI changed meanwhile', async () => {
  const scene = { ctx, aws, world, apps: apps.map((a) => a.name) };
  const { next, followedMs } = await takeOverAtSteadyState(scene, {
    kill: async () => {
      await controller?.kill();
      await controller?.stop();
    },
    next: async () => (controller = await startProcess(4)),
  });
  // The restart + an observation round (10 s) + the walk.
  expectCheapTakeOver('reliability/crash (steady restart)', next.calls(), {
    apps: apps.length,
    followedMs,
    followBoundMs: 45_000,
  });
});

it(`deletes through up to ${CRASHES.deletion} crashes, leaving nothing behind`, async () => {
  const before = audit.violations.length;
  await controller?.kill();
  await controller?.stop();
  controller = undefined;
  for (const app of apps) await deleteApp(ctx, app.name);
  // One worker: deleting takes a few calls per app, and four workers finish it within three crashes.
  await crashThrough(plan.deletion, crashes.deletion, 1, async () =>
    (await currentApps()).some((o) => o !== undefined),
  );

  controller = await startProcess(4);
  await settle('deletion', (all) => all.every((o) => o === undefined));
  const inv = await inventory(aws.ec2, aws.elbv2, world.dmz.listenerArn);
  for (const uid of uids) {
    const left = Object.entries(ownedCounts(inv, uid)).filter(([, n]) => n > 0);
    check(left.length === 0, `app ${uid} left ${JSON.stringify(Object.fromEntries(left))}`);
  }
  checkStrays(inv, new Set());
  // Now without hiding pairs to our groups: the ALB group's egress to them must be gone too.
  const foreignAfter = await foreignSnapshot(aws.ec2, aws.elbv2);
  check(foreignAfter === foreignBefore, 'a foreign resource changed (after deletion)');

  console.log(
    JSON.stringify({
      suite: 'reliability/crash',
      seed: SEED,
      apps: apps.length,
      crashes: { convergence: crashes.convergence.length, deletion: crashes.deletion.length },
      pointsNotReached: [...crashes.convergence, ...crashes.deletion].filter((c) => c.timedOut).length,
      killedAfter: killedAfter([...crashes.convergence, ...crashes.deletion]),
      settledAfterCrashesMs: settledMs,
      invariantChecks: audit.checks,
      violations: audit.violations.length,
      details: audit.violations,
      // Where each crash hit, to replay a failure's seed by eye.
      ...(audit.violations.length > 0 && { crashLog: crashes }),
    }),
  );
  // Crashes after mutating calls really happened in both phases; else the run proves nothing.
  for (const phase of [crashes.convergence, crashes.deletion])
    expect(phase.filter((c) => c.lastMutation !== undefined).length).toBeGreaterThan(0);
  expect(foreignAfter).toBe(foreignBefore); // on failure, jest shows the diff
  expect(audit.violations.slice(before)).toEqual([]);
});
