/**
 * The real entry point as a process: flags are validated (exit 2 with every problem), both
 * controllers come up against the real API server with leader election on, and SIGTERM stops
 * it gracefully — lease released, exit 0.
 */
import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { KubeClient } from '../../src/controller/kube-client.ts';
import { startProcess, type ManagedProcess } from '../env/processes.ts';
import { newTestContext, type TestContext } from '../env/context.ts';
import { eventually, httpGet } from './helpers.ts';

jest.setTimeout(120_000);

const main = path.resolve(import.meta.dirname, '../../src/main.ts');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [main, ...args],
      { env: { ...process.env, PLP_REGION: '', AWS_REGION: '', AWS_DEFAULT_REGION: '', PLP_CLUSTER_ID: '' } },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

let ctx: TestContext;
let proc: ManagedProcess | undefined;

beforeAll(async () => {
  ctx = await newTestContext('controller-main');
});

afterAll(async () => {
  await proc?.stop(2000);
  await ctx.cleanup();
});

test('--help prints the flags and exits 0', async () => {
  const r = await run(['--help']);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('--leader-election-namespace');
});

test('invalid configuration exits 2 and lists every problem', async () => {
  const r = await run(['--concurrency', 'many']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('region is required');
  expect(r.stderr).toContain('cluster id is required');
  expect(r.stderr).toContain('--concurrency: want an integer 1-64');
});

test('runs both controllers, is ready, and on SIGTERM releases its lease and exits 0', async () => {
  const logFile = path.join(process.env.PLP_TEST_WORKDIR ?? '/tmp', `main-${ctx.namespace}.log`);
  proc = startProcess(
    'controller-main',
    process.execPath,
    [
      main,
      // The chart's ServiceAccount and RBAC, and the one Lease they grant.
      `--kubeconfig=${ctx.controllerKubeconfigPath}`,
      `--namespaces=${ctx.namespace}`,
      '--region=us-east-1',
      '--cluster-id=main-test',
      '--http-address=127.0.0.1:0',
      '--leader-elect',
      `--leader-election-namespace=${ctx.controllerLease.namespace}`,
      `--leader-election-id=${ctx.controllerLease.name}`,
    ],
    { logFile },
  );
  const lines = (): { msg?: string; httpPort?: number; pid?: number }[] =>
    (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg?: string });
  const started = await eventually('started', () => lines().find((l) => l.msg === 'started'), 60_000);
  const port = started.httpPort!;
  await eventually('ready', async () => (await httpGet(port, '/readyz')).status === 200, 30_000);
  await eventually('leading', () => lines().some((l) => l.msg === 'became leader'), 30_000);
  const metrics = (await httpGet(port, '/metrics')).body;
  expect(metrics).toContain(
    'controller_runtime_reconcile_total{controller="endpointservice",result="success"}',
  );
  expect(metrics).toContain('controller_runtime_reconcile_total{controller="publishedapp",result="success"}');
  expect(metrics).toContain('process_cpu_seconds_total');

  process.kill(started.pid!, 'SIGTERM');
  await eventually('exited', () => proc!.exitStatus(), 30_000);
  expect(proc.exitStatus()).toBe('0');
  const lease = await new KubeClient(ctx.kc).request<{ spec: { holderIdentity?: string } }>(
    'GET',
    `/apis/coordination.k8s.io/v1/namespaces/${ctx.controllerLease.namespace}/leases/${ctx.controllerLease.name}`,
  );
  expect(lease.spec.holderIdentity ?? '').toBe('');
  // RBAC answers 403 to anything the chart did not grant.
  expect(readFileSync(logFile, 'utf8').match(/.*(forbidden|\b403\b).*/gi) ?? []).toEqual([]);
});
