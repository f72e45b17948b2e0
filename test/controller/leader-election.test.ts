/**
 * Two controller processes against the real API server, as the chart's ServiceAccount on the
 * chart's Lease: exactly one reconciles; kill -9 of
 * the leader → the standby takes over within the lease duration (plus one retry period);
 * SIGTERM of the leader → it releases the lease and the standby takes over at once.
 */
import { jest } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startProcess, type ManagedProcess } from '../env/processes.ts';
import { newTestContext, type TestContext } from '../env/context.ts';
import { ENDPOINT_SERVICE } from '../../src/api/kinds.ts';
import { eventually, FreezableProxy, httpGet, kubectl, productObject } from './helpers.ts';

jest.setTimeout(180_000);

const LEASE_MS = 4000;
const RETRY_MS = 500;
/** A 2-core CI machine running other suites delays timers and process start-up by seconds. */
const SCHEDULING_SLACK_MS = 3000;
/**
 * For the SIGTERM hand-over: a lease so long that a take-over well within it can only come
 * from the released lease, never from expiry — whatever the machine's load.
 */
const LONG_LEASE_MS = 30_000;
const fixture = path.join(import.meta.dirname, 'fixtures', 'manager-process.ts');

interface Line {
  msg: string;
  identity: string;
  time: number;
  key?: string;
  pid?: number;
  port?: number;
}

interface Candidate {
  identity: string;
  proc: ManagedProcess;
  lines(): Line[];
}

let ctx: TestContext;
const procs: ManagedProcess[] = [];

/** A candidate running as the chart's ServiceAccount, on the one Lease the chart grants it. */
function launch(
  identity: string,
  kubeconfigPath = ctx.controllerKubeconfigPath,
  leaseMs = LEASE_MS,
): Candidate {
  const logFile = path.join(process.env.PLP_TEST_WORKDIR ?? '/tmp', `le-${ctx.namespace}-${identity}.log`);
  const proc = startProcess('manager-fixture', process.execPath, [fixture], {
    logFile,
    env: {
      ...process.env,
      KUBECONFIG: kubeconfigPath,
      FIXTURE_NAMESPACE: ctx.controllerLease.namespace,
      FIXTURE_IDENTITY: identity,
      FIXTURE_LEASE: ctx.controllerLease.name,
      FIXTURE_LEASE_MS: String(leaseMs),
      FIXTURE_RENEW_MS: '3000',
      FIXTURE_RETRY_MS: String(RETRY_MS),
    },
  });
  procs.push(proc);
  const lines = (): Line[] =>
    (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line);
  return { identity, proc, lines };
}

const has = (c: Candidate, msg: string): Line | undefined => c.lines().find((l) => l.msg === msg);
const reconciledKeys = (c: Candidate): string[] =>
  c.lines().flatMap((l) => (l.msg === 'reconciled' && l.key ? [l.key] : []));

async function createObjects(names: string[]): Promise<void> {
  for (const n of names)
    await kubectl(
      ctx.kubeconfigPath,
      ['apply', '-f', '-'],
      productObject(ENDPOINT_SERVICE, ctx.namespace, n),
    );
}

/** Starts two candidates and returns them as [leader, standby] once one leads. */
async function pair(prefix: string, leaseMs = LEASE_MS): Promise<[Candidate, Candidate]> {
  const a = launch(`${prefix}-a`, undefined, leaseMs);
  const b = launch(`${prefix}-b`, undefined, leaseMs);
  await eventually('both started', () => has(a, 'started') && has(b, 'started'), 60_000);
  const leader = await eventually('a leader', () => [a, b].find((c) => has(c, 'became leader')), 30_000);
  return leader === a ? [a, b] : [b, a];
}

beforeAll(async () => {
  ctx = await newTestContext('controller-leader');
});

// Every test uses the chart's one Lease: the survivors stop gracefully (releasing it) first.
afterEach(async () => {
  for (const p of procs.splice(0)) await p.stop(10_000);
});

afterAll(async () => {
  await ctx.cleanup();
});

test('exactly one of two processes reconciles; kill -9 of the leader → the standby takes over within the lease duration', async () => {
  const [leader, standby] = await pair('kill');
  // Both are ready: the leader because it leads, the standby because it is a healthy standby.
  for (const c of [leader, standby]) {
    const port = has(c, 'started')!.port!;
    await eventually(
      `${c.identity} ready`,
      async () => (await httpGet(port, '/readyz')).status === 200,
      5000,
    );
  }
  const metrics = async (c: Candidate): Promise<string> =>
    (await httpGet(has(c, 'started')!.port!, '/metrics')).body;
  const series = `leader_election_master_status{name="${ctx.controllerLease.name}"}`;
  expect(await metrics(standby)).toContain(`\n${series} 0\n`);
  expect(await metrics(leader)).toContain(`\n${series} 1\n`);

  await createObjects(['one', 'two', 'three']);
  await eventually('leader reconciled all three', () => reconciledKeys(leader).length >= 3);
  await new Promise((r) => setTimeout(r, 1000));
  expect(reconciledKeys(standby)).toEqual([]);

  const pid = has(leader, 'started')!.pid!;
  const killedAt = Date.now();
  process.kill(pid, 'SIGKILL');
  const took = await eventually('standby leads', () => has(standby, 'became leader'), 30_000, 50);
  const takeoverMs = took.time - killedAt;
  expect(takeoverMs).toBeLessThanOrEqual(LEASE_MS + 2 * RETRY_MS + SCHEDULING_SLACK_MS);
  // The new leader's caches are warm: it reconciles every existing object at once.
  await eventually('new leader reconciled all three', () => new Set(reconciledKeys(standby)).size >= 3);
  await createObjects(['four']);
  await eventually('new leader reconciles new objects', () =>
    reconciledKeys(standby).includes(`${ctx.namespace}/four`),
  );
});

test('SIGTERM of the leader releases the lease: the standby takes over at once and the leader exits 0', async () => {
  const [leader, standby] = await pair('term', LONG_LEASE_MS);
  const pid = has(leader, 'started')!.pid!;
  const termAt = Date.now();
  process.kill(pid, 'SIGTERM');
  const took = await eventually('standby leads', () => has(standby, 'became leader'), 30_000, 50);
  // Far sooner than the lease would expire: the released lease is taken on the next retry.
  expect(took.time - termAt).toBeLessThan(LONG_LEASE_MS / 2);
  await eventually('leader exited', () => leader.proc.exitStatus(), 10_000);
  expect(leader.proc.exitStatus()).toBe('0');
  expect(has(leader, 'lease released')).toBeDefined();
});

test('a leader cut off from the API server stops and exits 1; the standby takes over', async () => {
  const url = new URL(ctx.kc.getCurrentCluster()!.server);
  const proxy = new FreezableProxy(Number(url.port));
  await proxy.listen();
  try {
    // The would-be leader reaches the API server only through the proxy.
    const proxied = path.join(process.env.PLP_TEST_WORKDIR ?? '/tmp', `le-${ctx.namespace}-proxy.kubeconfig`);
    writeFileSync(
      proxied,
      readFileSync(ctx.controllerKubeconfigPath, 'utf8').replace(
        url.origin,
        `https://127.0.0.1:${proxy.port}`,
      ),
    );
    const leader = launch('cut-a', proxied);
    await eventually('proxied candidate leads', () => has(leader, 'became leader'), 60_000);
    const standby = launch('cut-b');
    await eventually('standby started', () => has(standby, 'started'), 60_000);

    const cutAt = Date.now();
    proxy.close();
    // Renewals fail for the renew deadline (3s): it must stop and exit non-zero.
    await eventually('cut-off leader exited', () => leader.proc.exitStatus(), 20_000);
    expect(leader.proc.exitStatus()).toBe('1');
    expect(has(leader, 'leadership lost: could not renew the lease in time')).toBeDefined();
    const took = await eventually('standby leads', () => has(standby, 'became leader'), 20_000, 50);
    expect(took.time - cutAt).toBeLessThanOrEqual(LEASE_MS + 2 * RETRY_MS + 1000 + SCHEDULING_SLACK_MS);
  } finally {
    proxy.close();
  }
});
