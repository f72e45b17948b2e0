/**
 * The scale benchmark (issue 7): for each N, a fresh kube-apiserver + extended moto behind
 * the throttling proxy, N PublishedApps reconciled by the controller running as its own
 * process, and the numbers of the issue — each divided by a bound or baseline measured or
 * computed in the same run. Prints a table, writes bench/results/<timestamp>.json.
 * Not a test: it asserts nothing, it measures. `npm run bench -- --help` for the flags.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { USER_AGENT_NAME } from '../src/aws/clients.ts';
import { parseDockerfile, stageEnv } from '../test/packaging/dockerfile.ts';
import { startAwsProxy, type AwsProxy, type RecordedCall } from '../test/env/aws-proxy/server.ts';
import { installCrds, startControlPlane, type ControlPlane } from '../test/env/control-plane.ts';
import { readToolPaths } from '../test/env/global-setup.ts';
import { startMoto, type MotoServer } from '../test/env/moto/server.ts';
import { freePort, startProcess, waitFor, type ManagedProcess } from '../test/env/processes.ts';
import {
  callsByOperation,
  coldStartBound,
  latencySummary,
  throttleSummary,
  type ColdStartBound,
  type LatencySummary,
  type ThrottleSummary,
} from './bounds.ts';
import {
  benchAppSpec,
  createApps,
  describeEndpointsMs,
  randomAccountId,
  shareBenchWorld,
  timeEniChanges,
  waitAllReady,
} from './measure.ts';
import { controllerArtefact } from './artefact.ts';
import { parseBenchOptions, USAGE, type BenchOptions } from './options.ts';
import { childPids, cpuSeconds, rssBytes, RssSampler } from './proc-stats.ts';
import { formatTable } from './table.ts';
import { amortisedWalkCallsPerSecond, callsPerWalk, lastReconcileCallAt, metricSum } from './walks.ts';
import { buildWorld } from './world.ts';

const root = path.resolve(import.meta.dirname, '..');
export const REGION = 'us-east-1';
export const NAMESPACE = 'bench';
const MB = 1024 * 1024;

/**
 * The environment the image runs the controller in (its final stage's ENV: Node flags,
 * malloc settings), so that what is measured is what is deployed.
 */
const IMAGE_ENV = imageEnv();

/**
 * The image's environment with PLP_BENCH_NODE_OPTIONS (diagnosis only, e.g.
 * `--heapsnapshot-signal=SIGUSR2`) appended to its NODE_OPTIONS.
 */
function controllerEnv(): Record<string, string> {
  const extra = process.env.PLP_BENCH_NODE_OPTIONS;
  if (!extra) return IMAGE_ENV;
  return { ...IMAGE_ENV, NODE_OPTIONS: `${IMAGE_ENV.NODE_OPTIONS ?? ''} ${extra}`.trim() };
}

/** Everything measured for one N. */
export interface SizeResult {
  apps: number;
  world: { albs: number; nlbs: number; setupSeconds: number };
  coldStart: {
    seconds: number | undefined;
    readyApps: number;
    bound: ColdStartBound;
    /** seconds / bound.seconds: goal ≤ 1.15. */
    ratio: number | undefined;
    calls: number;
    /** Sum of the controller's call latencies over the cold start's wall time: calls in flight on average. */
    awsCallsInFlight: number;
    controllerCpuSeconds: number;
    /** Seconds from all Ready until the last AWS call of a reconcile was SETTLE_QUIET_MS old. */
    settleSeconds: number;
    /** False when the wait hit its cap: the steady window then still holds convergence work. */
    settled: boolean;
    byOperation: Record<string, number>;
  };
  steady: {
    windowSeconds: number;
    calls: number;
    callsPerMinute: number;
    /** Goal at N = 1,000: ≤ 1 call/s. */
    callsPerSecond: number;
    byOperation: Record<string, number>;
    /** Controller CPU over the window, in % of one core. */
    cpuPercent: number;
    /** The window's rate plus the full walks amortised over the full-recheck period. */
    withWalksCallsPerSecond: number;
  };
  /** What one full walk of an unchanged app costs, measured by a restarted controller (see probeFullWalks). */
  fullWalk: FullWalkProbe & {
    /** AWS calls per walk, the observation's own rate taken out. */
    perWalk: number;
    /** apps × perWalk ÷ the full-recheck period. */
    amortisedCallsPerSecond: number;
  };
  eniChange: LatencySummary;
  /** The controller SIGKILLed at steady state and a new one started at once (see measureFailover). */
  failover: FailoverResult;
  throttled: ThrottleSummary;
  /**
   * rssDepsMB: a process that only loads the controller's dependencies (the floor). heap*MB,
   * externalMB and memoryReductions: the controller's /metrics when the steady RSS was sampled.
   */
  controller: {
    rssDepsMB: number;
    rssIdleMB: number;
    rssPeakMB: number;
    rssSteadyMB: number;
    heapUsedMB: number;
    heapTotalMB: number;
    externalMB: number;
    /** Memory-reducing GCs the controller had run by then (src/controller/memory-reducer.ts). */
    memoryReductions: number;
  };
  moto: { directMsPerCall: number; proxyMsPerCall: number; endpoints: number };
}

/** Full-walk probe: checkpoints due after 8–12 s, resyncs 54–66 s apart, so every resync walks. */
const PROBE = { fullRecheckSeconds: 10, resyncSeconds: 60, windowSeconds: 120 };
/** The cold start has settled when no reconcile has called AWS for this long… */
const SETTLE_QUIET_MS = 20_000;
/**
 * …or after this long at most: the verification passes run after every queued app, so this
 * grows with N (at N=1,000 on 2 cores they took ≈ 12 min; a 600 s cap put them in the window).
 */
const settleMaxMs = (apps: number): number => Math.max(600_000, apps * 1_500);

const isController = (c: RecordedCall): boolean => c.userAgent?.includes(USER_AGENT_NAME) ?? false;
const within = (calls: readonly RecordedCall[], from: number, to: number): RecordedCall[] =>
  calls.filter((c) => c.time >= from && c.time < to);

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** Credentials for `account` from STS AssumeRole at `endpoint` (moto directly, or the proxy). */
export async function assumeRole(endpoint: string, account: string) {
  const sts = new STSClient({
    region: REGION,
    endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  try {
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/bench`, RoleSessionName: 'bench' }),
    );
    const c = out.Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken };
  } finally {
    sts.destroy();
  }
}

/** The environment one size runs in; `stop` tears it all down. */
export interface Env {
  controlPlane: ControlPlane;
  moto: MotoServer;
  proxy: AwsProxy;
  kc: KubeConfig;
  workDir: string;
}

export async function startEnv(opts: BenchOptions, apps: number): Promise<Env> {
  const tools = readToolPaths();
  const workDir = path.join(root, '.cache', `bench-${process.pid}-${apps}`);
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const [controlPlane, moto] = await Promise.all([
    startControlPlane({ assetsDir: tools.kubebuilderAssets, workDir }),
    startMoto({ python: tools.python, logFile: path.join(workDir, 'moto.log') }),
  ]);
  await installCrds(controlPlane.kubectlPath, controlPlane.kubeconfigPath, path.join(root, 'crds'));
  const proxy = await startAwsProxy({
    upstream: moto.url,
    timeScale: opts.timeScale,
    throttling: true,
    record: true,
  });
  const kc = new KubeConfig();
  kc.loadFromFile(controlPlane.kubeconfigPath);
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
  return { controlPlane, moto, proxy, kc, workDir };
}

/** A running controller process; `metrics` fetches its /metrics text. */
export interface BenchController {
  proc: ManagedProcess;
  pid: number;
  metrics: () => Promise<string>;
}

/**
 * Starts the controller with the bench's flags; `periods` overrides the resync and
 * full-recheck periods (the full-walk probe does).
 */
export async function startController(
  env: Env,
  opts: BenchOptions,
  periods: { resyncSeconds?: number; fullRecheckSeconds?: number } = {},
): Promise<BenchController> {
  const port = await freePort();
  const { runModule } = await controllerArtefact(opts.controllerRev, opts.bundled);
  const proc = startProcess(
    'controller',
    process.execPath,
    [
      path.join(import.meta.dirname, 'controller-main.ts'),
      runModule,
      '--kubeconfig',
      env.controlPlane.kubeconfigPath,
      '--cluster-id',
      'bench',
      '--region',
      REGION,
      '--namespaces',
      NAMESPACE,
      '--http-address',
      `127.0.0.1:${port}`,
      '--resync-period',
      `${periods.resyncSeconds ?? opts.resyncSeconds}s`,
      '--observe-period',
      `${opts.observeSeconds}s`,
      '--full-recheck-period',
      `${periods.fullRecheckSeconds ?? opts.fullRecheckSeconds}s`,
      '--concurrency',
      String(opts.concurrency),
      '--aws-api-share',
      String(opts.share),
      '--log-level',
      // Diagnosis: PLP_BENCH_LOG_LEVEL=debug logs every reconcile and observation round.
      process.env.PLP_BENCH_LOG_LEVEL ?? 'warn',
    ],
    {
      logFile: path.join(env.workDir, 'controller.log'),
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: env.proxy.url,
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        PLP_BENCH_REFILL_SCALE: String(opts.timeScale),
        ...controllerEnv(),
      },
    },
  );
  await waitFor(
    'controller /readyz',
    async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok,
    60_000,
    proc,
  );
  // The reaper runs node as its child; that child is what is measured.
  const pid = childPids(proc.pid)[0];
  if (pid === undefined) throw new Error('controller process not found under its reaper');
  const metrics = async (): Promise<string> => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return { proc, pid, metrics };
}

/**
 * Waits until no reconcile has made an AWS call for SETTLE_QUIET_MS (at most `maxMs`): the
 * cold start's late writes and the verification passes they queued are over.
 * @returns the seconds waited, and whether it settled (else the steady window is not steady).
 */
async function settle(
  env: Env,
  since: number,
  maxMs: number,
): Promise<{ seconds: number; settled: boolean }> {
  const t0 = Date.now();
  while (Date.now() - t0 < maxMs) {
    const last =
      lastReconcileCallAt(within(env.proxy.calls(), since, Date.now()).filter(isController)) ?? since;
    if (Date.now() - last >= SETTLE_QUIET_MS) return { seconds: (Date.now() - t0) / 1000, settled: true };
    await sleep(2_000);
  }
  return { seconds: (Date.now() - t0) / 1000, settled: false };
}

/** What the full-walk probe measured. */
export interface FullWalkProbe {
  /** The restarted controller's catch-up: seconds until it had reconciled every app once, and its calls. */
  restart: { seconds: number | undefined; calls: number; byOperation: Record<string, number> };
  windowSeconds: number;
  calls: number;
  /** PublishedApp reconciles completed in the window: each a full walk. */
  walks: number;
  byOperation: Record<string, number>;
}

/** A kill at steady state: the new controller's catch-up, and ENI changes made as it starts. */
export interface FailoverResult {
  /** Seconds from the new controller's start until it had reconciled every app once (queue empty). */
  catchUpSeconds: number | undefined;
  /** Its AWS calls in that time. */
  calls: number;
  byOperation: Record<string, number>;
  /** ENI changes made right after the kill, each timed until the target group follows. */
  eniChange: LatencySummary;
}

/**
 * Waits until `controller` has completed at least `apps` PublishedApp reconciles and its
 * queue is empty: every app looked at once since it started.
 * @returns when that was (epoch ms), undefined at the limit.
 */
async function caughtUpAt(
  controller: BenchController,
  apps: number,
  t0: number,
): Promise<number | undefined> {
  const limit = Math.max(180_000, apps * 2_000);
  while (Date.now() - t0 < limit) {
    const text = await controller.metrics();
    const done = metricSum(text, 'controller_runtime_reconcile_total', { controller: 'publishedapp' });
    if (done >= apps && metricSum(text, 'workqueue_depth', { name: 'publishedapp' }) === 0) return Date.now();
    await sleep(1_000);
  }
  return undefined;
}

/**
 * Fail-over: the controller is SIGKILLed as a leader would be (no shutdown, nothing
 * flushed) and a new one started at once with the same settings (the bench runs without
 * leader election; with it a hand-over adds up to the lease duration), while ENIs are
 * changed from the moment of the kill. The new controller remembers nothing but what the
 * status holds.
 */
async function measureFailover(
  env: Env,
  opts: BenchOptions,
  apps: number,
  killed: BenchController,
  aws: { ec2: EC2Client; elbv2: ElasticLoadBalancingV2Client },
): Promise<{ controller: BenchController; failover: FailoverResult }> {
  process.kill(killed.pid, 'SIGKILL');
  await killed.proc.stop();
  const t0 = Date.now();
  const changes = timeEniChanges(env.kc, NAMESPACE, aws.ec2, aws.elbv2, {
    count: Math.min(opts.eniChanges, apps),
    perChangeTimeoutMs: 120_000,
    totalMs: 900_000,
  });
  const controller = await startController(env, opts);
  const caughtUp = await caughtUpAt(controller, apps, t0);
  const eniChange = latencySummary((await changes).map((c) => c.ms));
  const calls = within(env.proxy.calls(), t0, caughtUp ?? Date.now()).filter(isController);
  log(
    `N=${apps}: caught up after the kill in ${caughtUp === undefined ? 'n/a' : (caughtUp - t0) / 1000} s, ${calls.length} calls`,
  );
  return {
    controller,
    failover: {
      catchUpSeconds: caughtUp === undefined ? undefined : (caughtUp - t0) / 1000,
      calls: calls.length,
      byOperation: callsByOperation(calls),
      eniChange,
    },
  };
}

const reconciles = async (c: BenchController): Promise<number> =>
  metricSum(await c.metrics(), 'controller_runtime_reconcile_total', { controller: 'publishedapp' });

/**
 * One full walk's cost, measured. Checkpoints live in the controller's memory, so after the
 * cold start the first full walks are 48–72 min away: the probe restarts the controller with
 * a 10 s full-recheck and a 60 s resync (every resync then finds the checkpoint due, so every
 * reconcile is a full walk), waits until it has reconciled every app once (the restart's
 * catch-up walks, which start with nothing remembered, are reported separately), then counts
 * AWS calls and reconciles over a window.
 */
async function probeFullWalks(
  env: Env,
  opts: BenchOptions,
  apps: number,
): Promise<{ controller: BenchController; probe: FullWalkProbe }> {
  const t0 = Date.now();
  const controller = await startController(env, opts, PROBE);
  const caughtUp = await caughtUpAt(controller, apps, t0);
  const restartCalls = within(env.proxy.calls(), t0, caughtUp ?? Date.now()).filter(isController);
  // Let the catch-up's checkpoints come due before counting.
  await sleep(PROBE.fullRecheckSeconds * 1000);
  const from = Date.now();
  const r0 = await reconciles(controller);
  await sleep(PROBE.windowSeconds * 1000);
  const r1 = await reconciles(controller);
  const to = Date.now();
  const calls = within(env.proxy.calls(), from, to).filter(isController);
  return {
    controller,
    probe: {
      restart: {
        seconds: caughtUp === undefined ? undefined : (caughtUp - t0) / 1000,
        calls: restartCalls.length,
        byOperation: callsByOperation(restartCalls),
      },
      windowSeconds: (to - from) / 1000,
      calls: calls.length,
      walks: r1 - r0,
      byOperation: callsByOperation(calls),
    },
  };
}

async function runSize(opts: BenchOptions, apps: number): Promise<SizeResult> {
  log(`N=${apps}: starting kube-apiserver, moto, proxy (time scale ${opts.timeScale})`);
  const env = await startEnv(opts, apps);
  let controller: BenchController | undefined;
  try {
    const account = randomAccountId();
    const roleArn = `arn:aws:iam::${account}:role/bench`;
    const direct = {
      region: REGION,
      endpoint: env.moto.url,
      credentials: await assumeRole(env.moto.url, account),
    };
    const ec2 = new EC2Client(direct);
    const elbv2 = new ElasticLoadBalancingV2Client(direct);

    const setupStart = Date.now();
    const world = await buildWorld(ec2, elbv2, apps, opts);
    const setupSeconds = (Date.now() - setupStart) / 1000;
    log(
      `N=${apps}: world built in ${setupSeconds.toFixed(0)} s (${world.dmzs.length} ALBs, ${world.nlbCount} NLBs)`,
    );

    await shareBenchWorld(env.kc, NAMESPACE, world, roleArn);
    controller = await startController(env, opts);
    const pid = controller.pid;
    const rss = new RssSampler(pid);
    const rssIdle = rssBytes(pid) ?? 0;

    // 1. Cold start.
    const cpu0 = cpuSeconds(pid) ?? 0;
    const coldFrom = Date.now();
    const specs = Array.from({ length: apps }, (_, i) => benchAppSpec(world, i, opts.rulesPerListener));
    await createApps(env.kc, NAMESPACE, specs);
    let lastLog = 0;
    const cold = await waitAllReady(
      env.kc,
      NAMESPACE,
      apps,
      coldFrom,
      opts.coldStartTimeoutSeconds * 1000,
      (ready) => {
        if (Date.now() - lastLog > 15_000) {
          lastLog = Date.now();
          log(`N=${apps}: ${ready}/${apps} Ready after ${((Date.now() - coldFrom) / 1000).toFixed(0)} s`);
        }
      },
    );
    const coldTo = Date.now();
    const cpu1 = cpuSeconds(pid) ?? 0;
    const coldCalls = within(env.proxy.calls(), coldFrom, coldTo).filter(isController);
    const bound = coldStartBound(coldCalls, opts.share, opts.timeScale);
    const coldSeconds = cold.ms === undefined ? undefined : cold.ms / 1000;
    log(
      `N=${apps}: cold start ${coldSeconds?.toFixed(1) ?? 'timed out'} s, bound ${bound.seconds.toFixed(1)} s (${bound.bucket})`,
    );

    // 2. Steady state: once the cold start has settled, count calls over the window. Every
    // app's checkpoint was recorded during the cold start, so the window holds no full walk;
    // those are measured by the probe (5.) and amortised.
    const { seconds: settleSeconds, settled } = await settle(env, coldFrom, settleMaxMs(apps));
    log(
      settled
        ? `N=${apps}: settled ${settleSeconds.toFixed(0)} s after all Ready`
        : `N=${apps}: NOT settled after ${settleSeconds.toFixed(0)} s: the steady window holds convergence work`,
    );
    const steadyFrom = Date.now();
    const cpu2 = cpuSeconds(pid) ?? 0;
    await sleep(opts.steadySeconds * 1000);
    const steadyTo = Date.now();
    const cpu3 = cpuSeconds(pid) ?? 0;
    const rssSteady = rssBytes(pid) ?? 0;
    const heap = await heapAccount(controller);
    const steadyCalls = within(env.proxy.calls(), steadyFrom, steadyTo).filter(isController);
    const windowSeconds = (steadyTo - steadyFrom) / 1000;
    log(`N=${apps}: steady ${steadyCalls.length} calls in ${windowSeconds.toFixed(0)} s`);

    // Moto's own speed with N endpoints present: direct, and through the proxy. The key was
    // assumed at moto, not through the proxy, so the proxy charges these calls to moto's
    // default account: they spend none of the bench account's budget.
    const viaProxy = new EC2Client({
      region: REGION,
      endpoint: env.proxy.url,
      credentials: direct.credentials,
    });
    const directMs = await describeEndpointsMs(ec2, 20);
    const proxyMs = await describeEndpointsMs(viaProxy, 20);
    viaProxy.destroy();

    // 3. ENI-IP changes.
    const changes = await timeEniChanges(env.kc, NAMESPACE, ec2, elbv2, {
      count: Math.min(opts.eniChanges, apps),
      perChangeTimeoutMs: 120_000,
      totalMs: 900_000,
    });
    const eniTo = Date.now();
    const eniChange = latencySummary(changes.map((c) => c.ms));
    log(`N=${apps}: ${changes.length} ENI changes, p50 ${eniChange.p50Seconds.toFixed(1)} s`);

    // 4. Throttling over the whole run (cold start, steady state, ENI changes).
    const allCalls = within(env.proxy.calls(), coldFrom, eniTo).filter(isController);
    rss.stop();

    // 5. Fail-over at steady state: kill, restart at once, ENIs changed meanwhile.
    log(`N=${apps}: fail-over (controller SIGKILLed, a new one started, ENIs changed)`);
    const failed = await measureFailover(env, opts, apps, controller, { ec2, elbv2 });
    controller = failed.controller;

    // 6. One full walk's cost, from a restarted controller.
    await controller.proc.stop();
    log(`N=${apps}: full-walk probe (controller restarted with full recheck ${PROBE.fullRecheckSeconds} s)`);
    const probed = await probeFullWalks(env, opts, apps);
    controller = probed.controller;
    const { probe } = probed;
    const observationCallsPerSecond = steadyCalls.length / windowSeconds;
    const perWalk = callsPerWalk({ ...probe, seconds: probe.windowSeconds, observationCallsPerSecond });
    const amortised = amortisedWalkCallsPerSecond(apps, perWalk, opts.fullRecheckSeconds);
    log(`N=${apps}: ${probe.walks} walks, ${probe.calls} calls in ${probe.windowSeconds.toFixed(0)} s`);

    const result: SizeResult = {
      apps,
      world: { albs: world.dmzs.length, nlbs: world.nlbCount, setupSeconds },
      coldStart: {
        seconds: coldSeconds,
        readyApps: cold.ready,
        bound,
        ratio: coldSeconds === undefined || bound.seconds === 0 ? undefined : coldSeconds / bound.seconds,
        calls: coldCalls.length,
        awsCallsInFlight: coldCalls.reduce((s, c) => s + c.latencyMs, 0) / (coldTo - coldFrom),
        controllerCpuSeconds: cpu1 - cpu0,
        settleSeconds,
        settled,
        byOperation: callsByOperation(coldCalls),
      },
      steady: {
        windowSeconds,
        calls: steadyCalls.length,
        callsPerMinute: (steadyCalls.length / windowSeconds) * 60,
        callsPerSecond: steadyCalls.length / windowSeconds,
        byOperation: callsByOperation(steadyCalls),
        cpuPercent: ((cpu3 - cpu2) / windowSeconds) * 100,
        withWalksCallsPerSecond: observationCallsPerSecond + amortised,
      },
      fullWalk: { ...probe, perWalk, amortisedCallsPerSecond: amortised },
      eniChange,
      failover: failed.failover,
      throttled: throttleSummary(allCalls),
      controller: {
        rssDepsMB: dependencyRss((await controllerArtefact(opts.controllerRev, opts.bundled)).depsRss) / MB,
        rssIdleMB: rssIdle / MB,
        rssPeakMB: rss.peakBytes() / MB,
        rssSteadyMB: rssSteady / MB,
        ...heap,
      },
      moto: { directMsPerCall: directMs, proxyMsPerCall: proxyMs, endpoints: apps },
    };
    ec2.destroy();
    elbv2.destroy();
    return result;
  } finally {
    await controller?.proc.stop();
    await env.proxy.stop();
    await env.moto.process.stop();
    await env.controlPlane.stop();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const opts = parseBenchOptions(argv);
  const startedAt = new Date();
  const dir = path.join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  const results: SizeResult[] = [];
  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    command: `npm run bench -- ${argv.join(' ')}`.trim(),
    options: opts,
    machine: machine(),
    source: sourceVersion(opts.controllerRev),
    results,
  };
  for (const n of opts.sizes) {
    results.push(await runSize(opts, n));
    // Written after every size, so a long run that is cut short keeps what it measured.
    report.finishedAt = new Date().toISOString();
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    log(`N=${n} done:\n${formatTable(report)}`);
  }
  process.stdout.write(`${formatTable(report)}\n\nwritten: ${path.relative(root, file)}\n`);
}

function imageEnv(): Record<string, string> {
  const final = parseDockerfile(readFileSync(path.join(root, 'Dockerfile'), 'utf8')).at(-1);
  return final ? stageEnv(final) : {};
}

/** V8's heap and external memory in MB (prom-client's defaults) and the memory reductions run, from /metrics. */
async function heapAccount(
  controller: BenchController,
): Promise<{ heapUsedMB: number; heapTotalMB: number; externalMB: number; memoryReductions: number }> {
  const text = await controller.metrics();
  return {
    heapUsedMB: metricSum(text, 'nodejs_heap_size_used_bytes') / MB,
    heapTotalMB: metricSum(text, 'nodejs_heap_size_total_bytes') / MB,
    externalMB: metricSum(text, 'nodejs_external_memory_bytes') / MB,
    memoryReductions: metricSum(text, 'memory_reductions_total'),
  };
}

/** RSS in bytes of a Node process that has loaded only the controller's dependencies. */
function dependencyRss(script: string): number {
  return Number(
    execFileSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { ...process.env, ...IMAGE_ENV },
    }),
  );
}

/**
 * The commit measured, and whether the controller ran uncommitted src/ changes (never with
 * `--controller-rev`, which runs that commit's src/ exactly).
 */
function sourceVersion(rev: string | undefined): { commit: string; srcDirty: boolean } {
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  return {
    commit: git('rev-parse', '--short', rev ?? 'HEAD'),
    srcDirty: rev === undefined && git('status', '--porcelain', '--', 'src').length > 0,
  };
}

function machine(): { cpus: number; memoryGiB: number; node: string; loadAverage: number[] } {
  return {
    cpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

// Also imported (by soak/) for its environment: run only as the entry point.
if (import.meta.main) await main();
