/**
 * Reliability, AWS faults (issue 8, suite 1). The controller talks to AWS only through the
 * fault proxy, which injects — seeded, so a run repeats — throttling, 500s, latency, dropped
 * connections and lost responses ("the create happened, the client saw an error") at 10–30 %.
 * Under those faults the blue/green world plus more apps must converge to Ready, with exactly
 * one endpoint, security group, target group and rule per app (retried creates leave no
 * duplicates) and every foreign resource unchanged. Prints a one-line JSON summary.
 */
import { jest } from '@jest/globals';
import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateSecurityGroupCommand } from '@aws-sdk/client-ec2';
import { summarizeCalls } from '../env/aws-proxy/call-summary.ts';
import type { FaultRule } from '../env/aws-proxy/faults.ts';
import { startAwsProxy, type AwsProxy } from '../env/aws-proxy/server.ts';
import type { PublishedApp } from '../../src/api/v1alpha1.ts';
import { newTestContext, type TestContext } from '../env/context.ts';
import {
  applyApp,
  awsClients,
  condition,
  eventually,
  getApp,
  startController,
  type Aws,
  type RunningController,
} from '../integration/published-app/harness.ts';
import { appSpec } from '../integration/published-app/specs.ts';
import { createWorld, type World } from '../integration/published-app/world.ts';
import { shareListener } from '../integration/grants.ts';
import { accountThroughProxy, foreignSnapshot, inventory, ownedCounts } from './inventory.ts';

jest.setTimeout(420_000);

/**
 * Apps beyond blue and green. The issue asks for 20: `PLP_REL_EXTRA_APPS=20` runs that (about
 * 4.5 min to converge on the shared 2-core machine); the default keeps `npm test` near 3 min.
 */
const EXTRA_APPS = Number(process.env.PLP_REL_EXTRA_APPS ?? 10);
const SEED = Number(process.env.PLP_REL_SEED ?? 8);

/** Every kind at 10–30 %; lost responses aimed at the creates, where they can cause duplicates. */
const FAULTS: FaultRule[] = [
  { kind: 'latency', rate: 0.1, latencyMs: 2_000 },
  { kind: 'throttle', rate: 0.1 },
  { kind: 'error500', rate: 0.1 },
  { kind: 'reset', rate: 0.1 },
  { kind: 'lostResponse', rate: 0.3, operation: '(Create|Register|Authorize|Modify).*' },
];

let ctx: TestContext;
let aws: Aws;
let world: World;
let proxy: AwsProxy;
let controller: RunningController;
let foreignBefore: string;

const apps: { name: string; provider: string; path: string }[] = [
  { name: 'blue', provider: 'blue', path: '/blue' },
  { name: 'green', provider: 'green', path: '/green' },
  ...Array.from({ length: EXTRA_APPS }, (_, i) => ({
    name: `app-${i}`,
    provider: i % 2 === 0 ? 'blue' : 'green',
    path: `/app-${i}`,
  })),
];

/** Foreign things next to ours: a rule on the shared listener, a target group with a target, an SG. */
async function seedForeign(): Promise<void> {
  const tg = await aws.elbv2.send(
    new CreateTargetGroupCommand({
      Name: 'legacy-web',
      Protocol: 'HTTP',
      Port: 8080,
      VpcId: world.dmz.vpcId,
      TargetType: 'ip',
    }),
  );
  const tgArn = tg.TargetGroups![0]!.TargetGroupArn!;
  await aws.elbv2.send(
    new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: '10.100.1.200', Port: 8080 }] }),
  );
  await aws.elbv2.send(
    new CreateRuleCommand({
      ListenerArn: world.dmz.listenerArn,
      Priority: 5,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/legacy*'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: tgArn }],
    }),
  );
  await aws.ec2.send(
    new CreateSecurityGroupCommand({
      VpcId: world.dmz.vpcId,
      GroupName: 'legacy-sg',
      Description: 'not ours',
    }),
  );
}

beforeAll(async () => {
  ctx = await newTestContext('rel-faults');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true });
  await shareListener(ctx, world.dmz.listenerArn);
  await seedForeign();
  foreignBefore = await foreignSnapshot(aws.ec2, aws.elbv2);
  proxy = await startAwsProxy({ upstream: process.env.AWS_ENDPOINT_URL!, throttling: false, seed: SEED });
  const viaProxy = await accountThroughProxy(proxy.url, ctx.accountId);
  controller = await startController({ ...ctx, awsClientConfig: viaProxy });
});

afterAll(async () => {
  await controller.stop();
  await proxy.stop();
  aws.destroy();
  await ctx.cleanup();
});

/** The invariants over AWS's state (read straight from moto): one of each per app, no strays, no foreign change. */
async function auditAws(): Promise<{ checks: number; violations: string[]; foreignAfter: string }> {
  const objs = (await Promise.all(apps.map((a) => getApp(ctx, a.name)))).filter(
    (o): o is PublishedApp => o !== undefined,
  );
  const violations: string[] = [];
  let checks = 0;
  const check = (ok: boolean, what: string): void => {
    checks++;
    if (!ok) violations.push(what);
  };
  check(objs.length === apps.length, `${apps.length - objs.length} apps missing`);
  const inv = await inventory(aws.ec2, aws.elbv2, world.dmz.listenerArn);
  for (const obj of objs) {
    const uid = obj.metadata!.uid!;
    const counts = ownedCounts(inv, uid);
    for (const [kind, n] of Object.entries(counts)) check(n === 1, `${obj.metadata!.name}: ${n} ${kind}`);
    const rule = inv.rules.find((r) => r.uid === uid);
    check(rule?.id === obj.status?.ruleArn, `${obj.metadata!.name}: rule is not the recorded one`);
    check(
      rule?.forward.length === 1 && rule.forward[0] === obj.status?.targetGroupArn,
      `${obj.metadata!.name}: rule does not forward to its target group`,
    );
  }
  const uids = new Set(objs.map((o) => o.metadata!.uid!));
  // Nothing of ours that belongs to no app, and nothing untagged that could be a lost create.
  for (const kind of ['endpoints', 'securityGroups', 'targetGroups', 'rules'] as const) {
    const stray = inv[kind].filter((x) => x.uid !== undefined && !uids.has(x.uid));
    check(stray.length === 0, `${stray.length} ${kind} tagged for no live app`);
  }
  const untaggedPlp = inv.targetGroups.filter((t) => t.uid === undefined && t.name.startsWith('plp-'));
  check(untaggedPlp.length === 0, `${untaggedPlp.length} untagged plp- target groups`);
  const untaggedEndpoints = inv.endpoints.filter((e) => e.uid === undefined);
  check(untaggedEndpoints.length === 0, `${untaggedEndpoints.length} untagged endpoints`);
  const untaggedRules = inv.rules.filter((r) => !r.isDefault && r.uid === undefined);
  check(untaggedRules.length === 1, `${untaggedRules.length} untagged rules (expected only the foreign one)`);

  const ourSgs = new Set(inv.securityGroups.filter((g) => g.uid !== undefined).map((g) => g.id));
  const foreignAfter = await foreignSnapshot(aws.ec2, aws.elbv2, ourSgs);
  check(foreignAfter === foreignBefore, 'a foreign resource changed');
  return { checks, violations, foreignAfter };
}

it('converges every app under injected faults, without duplicates or foreign changes', async () => {
  proxy.setFaults(FAULTS, SEED);
  const started = Date.now();
  for (const app of apps) await applyApp(ctx, app.name, appSpec(world, app.provider, app.path));

  // Under faults: every app must reach Ready at its generation at least once. Faults keep
  // hitting the resyncs afterwards, so Ready may flip back briefly; that is not a violation.
  const seenReady = new Set<string>();
  await eventually(
    'every app Ready under faults',
    async () => {
      for (const app of apps) {
        if (seenReady.has(app.name)) continue;
        const obj = await getApp(ctx, app.name);
        if (
          condition(obj, 'Ready')?.[0] === 'True' &&
          obj!.status?.observedGeneration === obj!.metadata?.generation
        )
          seenReady.add(app.name);
      }
      return seenReady.size === apps.length;
    },
    300_000,
  );
  const convergedMs = Date.now() - started;
  const faultCalls = proxy.calls().filter((c) => c.account === ctx.accountId);
  proxy.clearFaults();

  // Quiet again: a couple of resyncs find nothing to change, and every app is Ready.
  await eventually(
    'every app Ready with faults cleared',
    async () =>
      (await Promise.all(apps.map((a) => getApp(ctx, a.name)))).every(
        (o) => condition(o, 'Ready')?.[0] === 'True',
      ),
    60_000,
  );

  // Retried creates may leave a duplicate for a resync or two; what counts is what stays.
  let audit = await auditAws();
  const settleBy = Date.now() + 30_000;
  while (audit.violations.length > 0 && Date.now() < settleBy) {
    await new Promise((r) => setTimeout(r, 1_000));
    audit = await auditAws();
  }
  const { checks, violations, foreignAfter } = audit;

  const summary = summarizeCalls(faultCalls);
  console.log(
    JSON.stringify({
      suite: 'reliability/faults',
      seed: SEED,
      apps: apps.length,
      convergedUnderFaultsMs: convergedMs,
      calls: summary.total,
      faultsInjected: summary.faults,
      invariantChecks: checks,
      violations: violations.length,
      details: violations,
    }),
  );
  // Faults of every kind were really injected; otherwise the run proves nothing.
  for (const kind of ['throttle', 'error500', 'latency', 'reset', 'lostResponse'] as const)
    expect(summary.faults[kind]).toBeGreaterThan(0);
  expect(foreignAfter).toBe(foreignBefore); // on failure, jest shows the diff
  expect(violations).toEqual([]);
});
