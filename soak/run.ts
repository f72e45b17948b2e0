/**
 * The long soak (issue 8, item 8): for `--minutes`, random spec edits, deletes and re-creates,
 * out-of-band drift straight to moto and fault episodes on the proxy, against `--apps`
 * PublishedApps reconciled by the controller running as its own process; every
 * `--check-every` minutes the faults are quieted, the run waits (bounded) for convergence and
 * checks the invariants (invariants.ts). Ends by deleting every app. Prints progress lines
 * and a summary, writes soak/results/<timestamp>.json. Not a test (outside jest): a run that
 * finds violations exits 1. `npm run soak -- --help` for the flags.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GROUP_VERSION, PUBLISHED_APP } from '../src/api/kinds.ts';
import type { PublishedApp, PublishedAppSpec } from '../src/api/v1alpha1.ts';
import { USER_AGENT_NAME } from '../src/aws/clients.ts';
import { collectionPath, JSON_PATCH, KubeClient, objectPath } from '../src/controller/kube-client.ts';
import { summarizeCalls } from '../test/env/aws-proxy/call-summary.ts';
import type { FaultKind } from '../test/env/aws-proxy/faults.ts';
import { seededRandom } from '../test/env/aws-proxy/faults.ts';
import { foreignSnapshot } from '../test/reliability/inventory.ts';
import { benchAppSpec, benchListener, shareBenchWorld } from '../bench/measure.ts';
import { parseBenchOptions } from '../bench/options.ts';
import { assumeRole, NAMESPACE, startController, startEnv, type Env } from '../bench/run.ts';
import { buildWorld, mapLimit, type BenchWorld } from '../bench/world.ts';
import { applyDrift } from './drift.ts';
import { seedForeign } from './foreign.ts';
import { checkInvariants, type Baseline, type ExpectedApp, type Violation } from './invariants.ts';
import { listApps, observe } from './observe.ts';
import { parseSoakOptions, USAGE, type SoakOptions } from './options.ts';
import {
  appPaths,
  DRIFTS,
  editSpec,
  faultEpisode,
  nextAction,
  SPEC_EDITS,
  type ActionKind,
  type Drift,
  type Random,
  type SpecEdit,
} from './plan.ts';

/**
 * Apps per ALB listener. moto answers DescribeRules 50 rules a page and the inventory reads one
 * page: 40 apps + 2 foreign rules + the default (+ a few being replaced) stay within it.
 */
const RULES_PER_LISTENER = 40;

function log(msg: string): void {
  process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** One app as the soak drives it. */
interface AppState {
  index: number;
  /** Spec edits and re-creates so far: fresh paths for each. */
  version: number;
  spec: PublishedAppSpec;
  /** Undefined while deleted. */
  uid: string | undefined;
}

/** The outcome of one check. */
interface CheckResult {
  label: string;
  at: string;
  liveApps: number;
  deletedUids: number;
  /** Seconds from quieting the faults to all invariants holding; undefined when they never did. */
  convergedSeconds: number | undefined;
  observations: number;
  violations: Violation[];
}

/** Everything the run drives and counts. */
interface Run {
  opts: SoakOptions;
  env: Env;
  kube: KubeClient;
  aws: { ec2: EC2Client; elbv2: ElasticLoadBalancingV2Client };
  world: BenchWorld;
  base: Baseline;
  listeners: string[];
  random: Random;
  apps: Map<string, AppState>;
  deletedUids: string[];
  faultsOn: boolean;
  faultEpisodes: number;
  actions: Record<string, { done: number; skipped: number }>;
  faultsInjected: Partial<Record<FaultKind, number>>;
  controllerCalls: { total: number; ok: number; error: number; throttled: number; fault: number };
  checks: CheckResult[];
  trail: {
    at: string;
    kind: ActionKind;
    app: string | undefined;
    done: boolean;
    detail: string | undefined;
  }[];
}

const isReadyAtGeneration = (a: PublishedApp): boolean =>
  (a.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false) &&
  a.status?.observedGeneration === a.metadata?.generation;

/** The spec of app `index` at `version`: bench's, with a health check, tags and (even apps) an explicit priority. */
function initialSpec(run: Pick<Run, 'world'>, index: number, version: number): PublishedAppSpec {
  const spec = benchAppSpec(run.world, index, RULES_PER_LISTENER);
  spec.routing.pathPatterns = appPaths(index, version);
  if (index % 2 === 0) spec.routing.priority = 2000 + index;
  spec.target.healthCheck = { path: '/health' };
  spec.tags = { team: 'red' };
  return spec;
}

async function createApp(run: Run, name: string, state: AppState): Promise<void> {
  const created = await run.kube.request<PublishedApp>('POST', collectionPath(PUBLISHED_APP, NAMESPACE), {
    body: { apiVersion: GROUP_VERSION, kind: 'PublishedApp', metadata: { name }, spec: state.spec },
  });
  state.uid = created.metadata!.uid!;
}

/** Counts an action and appends it to the trail (for tracing a violation back to its cause). */
function count(run: Run, kind: ActionKind, done: boolean, app?: string, detail?: string): void {
  run.trail.push({ at: new Date().toISOString().slice(11, 19), kind, app, done, detail });
  const c = (run.actions[kind] ??= { done: 0, skipped: 0 });
  if (done) c.done++;
  else c.skipped++;
}

/** Plans and performs one action; failures of the action itself count as skipped. */
async function act(run: Run): Promise<void> {
  const present = [...run.apps].filter(([, a]) => a.uid !== undefined).map(([n]) => n);
  const absent = [...run.apps].filter(([, a]) => a.uid === undefined).map(([n]) => n);
  const action = nextAction(run.random, { present, absent, faultsOn: run.faultsOn });
  const { kind } = action;
  if (kind === 'faultsOn') {
    run.faultEpisodes++;
    const rules = faultEpisode(run.random, run.opts.faultRate);
    run.env.proxy.setFaults(rules, run.opts.seed + run.faultEpisodes);
    run.faultsOn = true;
    count(run, kind, true, undefined, rules.map((r) => `${r.kind} ${r.rate}`).join(', '));
    log(`faults on: ${rules.map((r) => `${r.kind} ${Math.round(r.rate * 100)}%`).join(', ')}`);
    return;
  }
  if (kind === 'faultsOff') {
    run.env.proxy.clearFaults();
    run.faultsOn = false;
    count(run, kind, true);
    return;
  }
  const name = action.app!;
  const state = run.apps.get(name)!;
  const where = objectPath(PUBLISHED_APP, NAMESPACE, name);
  try {
    if ((SPEC_EDITS as readonly string[]).includes(kind)) {
      const dmz = run.world.dmzs[Math.floor(state.index / RULES_PER_LISTENER)]!;
      const spec = editSpec(run.random, kind as SpecEdit, state.spec, {
        index: state.index,
        version: state.version,
        dmzSubnetIds: dmz.subnetIds,
      });
      await run.kube.request('PATCH', where, {
        body: [{ op: 'replace', path: '/spec', value: spec }],
        contentType: JSON_PATCH,
      });
      state.spec = spec;
      state.version++;
    } else if ((DRIFTS as readonly string[]).includes(kind)) {
      const app = await run.kube.request<PublishedApp>('GET', where);
      const alb = run.base.albSecurityGroup.get(state.spec.listenerRef!.name)!;
      const out = await applyDrift(run.random, kind as Drift, app, alb, run.aws);
      count(run, kind, out.applied, name, out.detail);
      return;
    } else if (kind === 'delete') {
      await run.kube.request('DELETE', where);
      run.deletedUids.push(state.uid!);
      state.uid = undefined;
    } else {
      // recreate: refused (409) while the old object is still being finalized.
      state.version++;
      state.spec = initialSpec(run, state.index, state.version);
      await createApp(run, name, state);
    }
    count(run, kind, true, name);
  } catch (err) {
    count(run, kind, false, name, (err as Error).message.slice(0, 200));
    log(`${kind} ${name}: ${(err as Error).message.slice(0, 200)}`);
  }
}

/** Adds the controller's calls recorded since the last harvest to the totals, and forgets them. */
function harvestCalls(run: Run): void {
  const calls = run.env.proxy.calls().filter((c) => c.userAgent?.includes(USER_AGENT_NAME) ?? false);
  run.env.proxy.resetCalls();
  const s = summarizeCalls(calls);
  run.controllerCalls.total += s.total;
  for (const k of ['ok', 'error', 'throttled', 'fault'] as const) run.controllerCalls[k] += s.outcomes[k];
  for (const [k, n] of Object.entries(s.faults) as [FaultKind, number][]) {
    run.faultsInjected[k] = (run.faultsInjected[k] ?? 0) + n;
  }
}

/**
 * Quiets the faults, waits for every live app to be Ready at its generation and every deleted
 * one gone, then observes until the invariants hold or `convergeTimeoutSeconds` pass; what
 * still fails then is a violation.
 */
async function check(
  run: Run,
  label: string,
  timeoutSeconds = run.opts.convergeTimeoutSeconds,
): Promise<CheckResult> {
  run.env.proxy.clearFaults();
  run.faultsOn = false;
  const from = Date.now();
  const deadline = from + timeoutSeconds * 1000;
  const live = [...run.apps].flatMap(([name, a]): ExpectedApp[] =>
    a.uid === undefined ? [] : [{ name, uid: a.uid, spec: a.spec }],
  );
  const liveNames = new Set(live.map((a) => a.name));
  while (Date.now() < deadline) {
    const apps = await listApps(run.kube, NAMESPACE);
    const settled =
      live.every((a) => {
        const o = apps.get(a.name);
        return o !== undefined && o.metadata?.uid === a.uid && isReadyAtGeneration(o);
      }) && [...apps.keys()].every((n) => liveNames.has(n));
    if (settled) break;
    await sleep(5_000);
  }
  let violations: Violation[];
  let observations = 0;
  let convergedSeconds: number | undefined;
  let stableKey = '';
  let stableSince = 0;
  for (;;) {
    const obs = await observe(run.kube, NAMESPACE, run.aws.ec2, run.aws.elbv2, run.listeners);
    observations++;
    violations = checkInvariants(live, run.deletedUids, obs, run.base);
    if (violations.length === 0) {
      convergedSeconds = (Date.now() - from) / 1000;
      break;
    }
    if (Date.now() >= deadline) break;
    // The same violations through three resyncs and full walks, every app Ready: the
    // controller has settled on them.
    const key = JSON.stringify(violations);
    const settleMs = 3 * Math.max(run.opts.resyncSeconds, run.opts.fullRecheckSeconds) * 1000;
    if (key !== stableKey) [stableKey, stableSince] = [key, Date.now()];
    else if (Date.now() - stableSince >= settleMs) break;
    // Drift is seen by the observation, or at the app's next full walk (targets).
    await sleep(Math.min(15_000, Math.max(0, deadline - Date.now())));
  }
  harvestCalls(run);
  const result: CheckResult = {
    label,
    at: new Date().toISOString(),
    liveApps: live.length,
    deletedUids: run.deletedUids.length,
    convergedSeconds,
    observations,
    violations,
  };
  log(
    `check ${label}: ${live.length} live apps, ${run.deletedUids.length} deleted UIDs, ` +
      (convergedSeconds === undefined
        ? `NOT converged after ${((Date.now() - from) / 1000).toFixed(0)} s: ${violations.length} violations`
        : `all invariants hold after ${convergedSeconds.toFixed(0)} s (${observations} observations)`),
  );
  for (const v of violations.slice(0, 20)) log(`  ${v.invariant} ${v.app ?? ''}: ${v.detail}`);
  run.checks.push(result);
  return result;
}

/** Deletes every live app and checks nothing of theirs is left and every foreign thing is as it was, unfiltered. */
async function teardown(run: Run): Promise<CheckResult> {
  for (const [name, a] of run.apps) {
    if (a.uid === undefined) continue;
    await run.kube.request('DELETE', objectPath(PUBLISHED_APP, NAMESPACE, name));
    run.deletedUids.push(a.uid);
    a.uid = undefined;
  }
  const result = await check(run, 'teardown');
  // With no app left, not even the controller's egress rules on an ALB SG may remain.
  const after = await foreignSnapshot(run.aws.ec2, run.aws.elbv2);
  if (after !== run.base.foreign) {
    result.violations.push({
      invariant: 'foreignUnchangedUnfiltered',
      detail: 'foreign snapshot differs after teardown',
    });
  }
  return result;
}

function summary(run: Run, startedAt: number): Record<string, unknown> {
  const violations = run.checks.flatMap((c) => c.violations.map((v) => ({ check: c.label, ...v })));
  const byInvariant: Record<string, number> = {};
  for (const v of violations) byInvariant[v.invariant] = (byInvariant[v.invariant] ?? 0) + 1;
  return {
    minutes: (Date.now() - startedAt) / 60_000,
    actions: run.actions,
    actionsTotal: Object.values(run.actions).reduce((s, c) => s + c.done, 0),
    faultEpisodes: run.faultEpisodes,
    faultsInjected: run.faultsInjected,
    controllerCalls: run.controllerCalls,
    checks: run.checks.length,
    checksConverged: run.checks.filter((c) => c.convergedSeconds !== undefined).length,
    maxConvergedSeconds: Math.max(0, ...run.checks.map((c) => c.convergedSeconds ?? 0)),
    violations: violations.length,
    /** The same violation found again by a later check counts once here. */
    distinctViolations: new Set(violations.map((v) => `${v.invariant} ${v.app ?? ''} ${v.detail}`)).size,
    violationsByInvariant: byInvariant,
    violationDetails: violations,
    trail: run.trail,
  };
}

async function soak(opts: SoakOptions, report: Record<string, unknown>, save: () => void): Promise<number> {
  const benchOpts = {
    ...parseBenchOptions([]),
    timeScale: opts.timeScale,
    resyncSeconds: opts.resyncSeconds,
    fullRecheckSeconds: opts.fullRecheckSeconds,
    rulesPerListener: RULES_PER_LISTENER,
  };
  log(`starting kube-apiserver, moto, proxy (time scale ${opts.timeScale})`);
  const env = await startEnv(benchOpts, opts.apps);
  let controller: Awaited<ReturnType<typeof startController>> | undefined;
  const startedAt = Date.now();
  try {
    const account = String(300_000_000_000 + opts.seed);
    const direct = {
      region: 'us-east-1',
      endpoint: env.moto.url,
      credentials: await assumeRole(env.moto.url, account),
    };
    const aws = { ec2: new EC2Client(direct), elbv2: new ElasticLoadBalancingV2Client(direct) };
    const world = await buildWorld(aws.ec2, aws.elbv2, opts.apps, benchOpts);
    let foreignCount = 0;
    for (const [k, dmz] of world.dmzs.entries())
      foreignCount += await seedForeign(aws.ec2, aws.elbv2, dmz, k);
    const base: Baseline = {
      foreign: await foreignSnapshot(aws.ec2, aws.elbv2),
      albSecurityGroup: new Map(world.dmzs.map((d, k) => [benchListener(k), d.albSecurityGroupId])),
    };
    log(
      `world: ${world.dmzs.length} ALBs, ${opts.apps} endpoint services, ${foreignCount} foreign resources`,
    );
    await shareBenchWorld(env.kc, NAMESPACE, world, `arn:aws:iam::${account}:role/bench`);
    controller = await startController(env, benchOpts);
    const run: Run = {
      opts,
      env,
      kube: new KubeClient(env.kc),
      aws,
      world,
      base,
      listeners: world.dmzs.map((d) => d.listenerArn),
      random: seededRandom(opts.seed),
      apps: new Map(),
      deletedUids: [],
      faultsOn: false,
      faultEpisodes: 0,
      actions: {},
      faultsInjected: {},
      controllerCalls: { total: 0, ok: 0, error: 0, throttled: 0, fault: 0 },
      checks: [],
      trail: [],
    };
    const states = Array.from({ length: opts.apps }, (_, index) => ({
      index,
      version: 0,
      spec: initialSpec(run, index, 0),
      uid: undefined as string | undefined,
    }));
    for (const s of states) run.apps.set(`app-${s.index}`, s);
    await mapLimit(states, 8, (s) => createApp(run, `app-${s.index}`, s));
    report.summary = () => summary(run, startedAt);
    // Cold start: the bound scales with the apps (bench: ~2.5 s an app on 2 cores).
    await check(run, 'cold start', Math.max(opts.convergeTimeoutSeconds, opts.apps * 6));
    save();
    const end = startedAt + opts.minutes * 60_000;
    let nextCheck = Date.now() + opts.checkEveryMinutes * 60_000;
    let lastProgress = Date.now();
    while (Date.now() < end) {
      if (controller.proc.exitStatus() !== undefined)
        throw new Error(`controller exited: ${controller.proc.exitStatus()}`);
      await act(run);
      if (Date.now() - lastProgress > 60_000) {
        lastProgress = Date.now();
        const done = Object.values(run.actions).reduce((s, c) => s + c.done, 0);
        log(
          `${((Date.now() - startedAt) / 60_000).toFixed(1)} min: ${done} actions, ${run.faultEpisodes} fault episodes (faults ${run.faultsOn ? 'on' : 'off'}), ${run.checks.length} checks, ${run.checks.reduce((s, c) => s + c.violations.length, 0)} violations`,
        );
      }
      if (Date.now() >= nextCheck) {
        await check(run, `#${run.checks.length}`);
        save();
        nextCheck = Date.now() + opts.checkEveryMinutes * 60_000;
      } else {
        await sleep(opts.actionEverySeconds * 1000);
      }
    }
    await check(run, 'final');
    await teardown(run);
    report.summary = summary(run, startedAt);
    save();
    aws.ec2.destroy();
    aws.elbv2.destroy();
    return run.checks.some((c) => c.violations.length > 0) ? 1 : 0;
  } finally {
    await controller?.proc.stop();
    await env.proxy.stop();
    await env.moto.process.stop();
    await env.controlPlane.stop();
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const opts = parseSoakOptions(argv);
  const startedAt = new Date();
  const dir = path.join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  const report: Record<string, unknown> = {
    startedAt: startedAt.toISOString(),
    command: `npm run soak -- ${argv.join(' ')}`.trim(),
    options: opts,
  };
  // Written after every check, so a run cut short keeps what it found.
  const save = (): void => {
    const s = report.summary;
    writeFileSync(
      file,
      `${JSON.stringify({ ...report, finishedAt: new Date().toISOString(), summary: typeof s === 'function' ? (s as () => unknown)() : s }, null, 2)}\n`,
    );
  };
  const code = await soak(opts, report, save);
  const s = report.summary as ReturnType<typeof summary>;
  process.stdout.write(
    `${JSON.stringify({ ...s, violationDetails: undefined }, null, 2)}\n\nwritten: ${path.relative(process.cwd(), file)}\n`,
  );
  return code;
}

process.exitCode = await main();
