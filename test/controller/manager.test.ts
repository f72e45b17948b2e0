/**
 * The Manager against the real API server, as the chart's ServiceAccount: readiness follows
 * cache sync, every change reaches the reconciler (deletions included), unchanged reconciles
 * write nothing, retry/terminal error handling, finalizers, aggregated events, and the
 * metrics series.
 */
import { jest } from '@jest/globals';
import { Manager } from '../../src/controller/manager.ts';
import { setCondition } from '../../src/controller/conditions.ts';
import { KubeClient, collectionPath, objectPath } from '../../src/controller/kube-client.ts';
import {
  TerminalError,
  type Condition,
  type KubeObject,
  type ObjectKey,
  type Reconciler,
  type ResourceKind,
  type RuntimeServices,
} from '../../src/controller/types.ts';
import { newTestContext, type TestContext } from '../env/context.ts';
import { canI, clusterRoleBindingsOf } from '../env/controller-identity.ts';
import { ENDPOINT_SERVICE } from '../../src/api/kinds.ts';
import { eventually, httpGet, kubectl, productObject, testLogger } from './helpers.ts';

/** Test objects are EndpointServices (the chart's RBAC grants only the product's kinds); no
 * product reconciler runs: the test's own decides what to do by these annotations. */
const MODE = 'test.plp.dev/mode';
const TIMES = 'test.plp.dev/times';

interface Probe extends KubeObject {
  metadata?: KubeObject['metadata'] & { annotations?: Record<string, string> };
  status?: Record<string, unknown>;
}

interface Call {
  key: string;
  found: boolean;
  at: number;
}

const FINALIZER = 'test.plp.dev/cleanup';

/** Behaviour chosen per object by its mode annotation, recording every call. */
class TestReconciler implements Reconciler {
  readonly calls: Call[] = [];
  readonly statusWrites = new Map<string, number>();
  private inFlight = new Set<string>();
  overlaps = 0;
  readonly services: RuntimeServices;
  private readonly kind: ResourceKind;

  constructor(services: RuntimeServices, kind: ResourceKind) {
    this.services = services;
    this.kind = kind;
  }

  count(name: string): number {
    return this.calls.filter((c) => c.key.endsWith(`/${name}`)).length;
  }

  async reconcile(key: ObjectKey): Promise<{ requeueAfterMs?: number } | undefined> {
    const k = `${key.namespace}/${key.name}`;
    if (this.inFlight.has(k)) this.overlaps++;
    this.inFlight.add(k);
    try {
      const obj = this.services.cache<Probe>(this.kind).get(key);
      this.calls.push({ key: k, found: obj !== undefined, at: Date.now() });
      await new Promise((r) => setTimeout(r, 5));
      if (!obj) return undefined;
      return await this.byMode(obj, this.count(key.name));
    } finally {
      this.inFlight.delete(k);
    }
  }

  private async writeStatus(obj: Probe): Promise<void> {
    const conditions = setCondition(
      obj.status?.conditions as Condition[] | undefined,
      { type: 'Ready', status: 'True', reason: 'Reconciled', message: 'all good' },
      obj.metadata?.generation,
      new Date(),
    );
    const wrote = await this.services.status.update(this.kind, obj, {
      serviceState: 'Available',
      conditions,
    });
    const name = obj.metadata?.name ?? '';
    if (wrote) this.statusWrites.set(name, (this.statusWrites.get(name) ?? 0) + 1);
  }

  private async byMode(obj: Probe, n: number): Promise<{ requeueAfterMs?: number } | undefined> {
    const mode = obj.metadata?.annotations?.[MODE] ?? 'ok';
    const times = Number(obj.metadata?.annotations?.[TIMES] ?? 0);
    switch (mode) {
      case 'fail':
        throw new Error('transient failure');
      case 'terminal':
        throw new TerminalError('BadSpec', 'this cannot work');
      case 'event':
        this.services.events.record(obj, {
          type: 'Normal',
          reason: 'Tick',
          action: 'Test',
          message: 'tick tock',
        });
        return n < times ? { requeueAfterMs: 30 } : undefined;
      case 'finalize':
        if (obj.metadata?.deletionTimestamp) await this.services.finalizers.remove(this.kind, obj, FINALIZER);
        else await this.services.finalizers.add(this.kind, obj, FINALIZER);
        return undefined;
      default:
        await this.writeStatus(obj);
        return n < times ? { requeueAfterMs: 50 } : undefined;
    }
  }
}

jest.setTimeout(60_000);

let ctx: TestContext;
const kind = ENDPOINT_SERVICE;
let manager: Manager;
let reconciler: TestReconciler;
let client: KubeClient;
let port: number;

const apply = (name: string, mode: string, times = 0, extra: Record<string, string> = {}): Promise<string> =>
  kubectl(
    ctx.kubeconfigPath,
    ['apply', '-f', '-'],
    productObject(kind, ctx.namespace, name, { [MODE]: mode, [TIMES]: String(times), ...extra }),
  );

async function getProbe(name: string): Promise<Probe> {
  return client.request<Probe>('GET', objectPath(kind, ctx.namespace, name));
}

beforeAll(async () => {
  ctx = await newTestContext('controller-manager');
  client = new KubeClient(ctx.kc);
});

afterAll(async () => {
  await manager.stop();
  await ctx.cleanup();
});

test('/readyz is 503 until the caches have synced, then 200; /healthz is always 200', async () => {
  // Without the chart's ClusterRoleBinding the informer may not list, so start() cannot finish.
  const [binding] = await clusterRoleBindingsOf(ctx.kubectl, ctx.controllerKc, ctx.namespace);
  const name = binding!.metadata!.name!;
  expect(await ctx.kubectl(['delete', 'clusterrolebinding', name])).toMatchObject({ code: 0 });
  const listWatch = { verb: 'watch', group: kind.group, resource: kind.plural, namespace: ctx.namespace };
  await eventually('the grant withdrawn', async () => !(await canI(ctx.controllerKc, listWatch)));
  manager = new Manager({
    kubeConfig: ctx.controllerKc,
    namespaces: [ctx.namespace],
    httpAddress: '127.0.0.1:0',
    logger: testLogger('manager-test'),
    clusterId: 'test',
    concurrency: 3,
    resyncPeriodMs: 3_600_000,
    rateLimit: { baseDelayMs: 100 },
    shutdownTimeoutMs: 5_000,
  });
  manager.register((services) => {
    reconciler = new TestReconciler(services, kind);
    return { name: 'test', kind, reconciler };
  });
  const started = manager.start();
  port = await eventually('HTTP server listening', () => manager.httpPort());
  const before = await httpGet(port, '/readyz');
  expect(before.status).toBe(503);
  expect(before.body).toContain('caches not synced');
  expect((await httpGet(port, '/healthz')).status).toBe(200);

  const { roleRef, subjects } = binding!;
  const restored = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef,
    subjects,
  };
  expect(await ctx.kubectl(['create', '-f', '-'], JSON.stringify(restored))).toMatchObject({ code: 0 });
  await started;
  expect(await httpGet(port, '/readyz')).toEqual({ status: 200, body: 'ok\n' });
});

test('creates, updates and deletes reach the reconciler; a deleted object is reconciled as not found', async () => {
  await apply('lifecycle', 'ok');
  await eventually('first reconcile', () => reconciler.count('lifecycle') >= 1);
  const afterCreate = reconciler.count('lifecycle');
  await apply('lifecycle', 'ok', 0, { 'test.plp.dev/changed': '1' });
  await eventually('reconcile after update', () => reconciler.count('lifecycle') > afterCreate);
  await kubectl(ctx.kubeconfigPath, ['delete', 'endpointservice', 'lifecycle', '-n', ctx.namespace]);
  const last = await eventually('reconcile after delete', () =>
    reconciler.calls.filter((c) => c.key.endsWith('/lifecycle')).find((c) => !c.found),
  );
  expect(last.key).toBe(`${ctx.namespace}/lifecycle`);
  expect(reconciler.overlaps).toBe(0);
});

test('reconciles that change nothing write no status and leave resourceVersion alone', async () => {
  await apply('steady', 'ok', 25);
  await eventually('5 reconciles', () => reconciler.count('steady') >= 5, 30_000);
  const early = await getProbe('steady');
  expect(early.status?.serviceState).toBe('Available');
  await eventually('25 reconciles', () => reconciler.count('steady') >= 25, 30_000);
  const late = await getProbe('steady');
  expect(reconciler.statusWrites.get('steady')).toBe(1);
  expect(late.metadata?.resourceVersion).toBe(early.metadata?.resourceVersion);
});

test('status.latest gives our own last write, not the copy a reconcile started from', async () => {
  await apply('latest', 'event');
  const stale = await eventually('cached', () =>
    reconciler.services.cache<Probe>(kind).get({ namespace: ctx.namespace, name: 'latest' }),
  );
  const status = { serviceState: 'Pending', conditions: [] };
  expect(await reconciler.services.status.update(kind, stale, status)).toBe(true);
  // Whether or not the watch has delivered the write yet, the write is what counts.
  expect(reconciler.services.status.latest(kind, stale)).toEqual(status);
  expect(stale.status?.serviceState).toBeUndefined();
});

test('the cache holds no managedFields; the server keeps them', async () => {
  await apply('fields', 'ok');
  const key = { namespace: ctx.namespace, name: 'fields' };
  await eventually('status written (a second field manager)', async () => (await getProbe('fields')).status);
  const served = await getProbe('fields');
  const managers = (served.metadata as { managedFields?: { manager?: string }[] }).managedFields ?? [];
  expect(managers.length).toBeGreaterThanOrEqual(2);
  const cached = await eventually('cached at the served version', () => {
    const obj = reconciler.services.cache<Probe>(kind).get(key);
    return obj?.metadata?.resourceVersion === served.metadata?.resourceVersion ? obj : undefined;
  });
  expect(Object.keys(cached.metadata!)).not.toContain('managedFields');
  expect(cached.status).toEqual(served.status);
});

test('a failing reconcile is retried with growing backoff; a terminal error is not retried', async () => {
  await apply('flaky', 'fail');
  await apply('doomed', 'terminal');
  await eventually('5 attempts of the failing object', () => reconciler.count('flaky') >= 5, 30_000);
  const at = reconciler.calls.filter((c) => c.key.endsWith('/flaky')).map((c) => c.at);
  const gaps = at.slice(1).map((t, i) => t - (at[i] ?? 0));
  // base 100ms doubling: 100, 200, 400, 800 (±10% jitter, plus reconcile time and scheduling noise)
  expect(gaps[0]!).toBeGreaterThanOrEqual(90);
  expect(gaps[3]!).toBeGreaterThanOrEqual(720);
  expect(gaps[3]!).toBeGreaterThan(gaps[0]! * 3);
  await new Promise((r) => setTimeout(r, 1500));
  expect(reconciler.count('doomed')).toBe(1);
  await kubectl(ctx.kubeconfigPath, [
    'delete',
    'endpointservice',
    'flaky',
    '-n',
    ctx.namespace,
    '--wait=false',
  ]);
});

test('finalizers are added with a patch and removed before the object goes away', async () => {
  await apply('guarded', 'finalize');
  await eventually('finalizer added', async () =>
    (await getProbe('guarded')).metadata?.finalizers?.includes(FINALIZER),
  );
  await kubectl(ctx.kubeconfigPath, [
    'delete',
    'endpointservice',
    'guarded',
    '-n',
    ctx.namespace,
    '--wait=true',
  ]);
  const list = await client.request<{ items: Probe[] }>('GET', collectionPath(kind, ctx.namespace));
  expect(list.items.map((w) => w.metadata?.name)).not.toContain('guarded');
});

test('the same event recorded many times becomes one Event with a count', async () => {
  await apply('chatty', 'event', 20);
  await eventually('20 reconciles', () => reconciler.count('chatty') >= 20, 30_000);
  const events = await eventually(
    'aggregated event count 20',
    async () => {
      const list = await client.request<{
        items: { reason: string; count: number; involvedObject: { name: string } }[];
      }>('GET', `/api/v1/namespaces/${ctx.namespace}/events`);
      const ticks = list.items.filter((e) => e.involvedObject.name === 'chatty' && e.reason === 'Tick');
      return ticks.length === 1 && ticks[0]?.count === 20 ? ticks : undefined;
    },
    20_000,
    500,
  );
  expect(events).toHaveLength(1);
});

test('/metrics exposes the controller-runtime and workqueue series', async () => {
  // Wait for quiet (no reconcile in flight) so counters and calls can be compared exactly.
  await eventually('no reconcile in flight', async () =>
    /^controller_runtime_active_workers\{controller="test"\} 0$/m.test(
      (await httpGet(port, '/metrics')).body,
    ),
  );
  const { status, body } = await httpGet(port, '/metrics');
  expect(status).toBe(200);
  for (const series of [
    'controller_runtime_reconcile_total{controller="test",result="success"}',
    'controller_runtime_reconcile_total{controller="test",result="error"}',
    'controller_runtime_reconcile_total{controller="test",result="requeue_after"}',
    'controller_runtime_reconcile_errors_total{controller="test"}',
    'controller_runtime_reconcile_time_seconds_bucket{le="0.005",controller="test"}',
    'controller_runtime_active_workers{controller="test"}',
    'workqueue_depth{name="test"}',
    'workqueue_adds_total{name="test"}',
    'workqueue_queue_duration_seconds_bucket{le="1e-8",name="test"}',
    'workqueue_work_duration_seconds_count{name="test"}',
    'workqueue_retries_total{name="test"}',
    'workqueue_unfinished_work_seconds{name="test"}',
    'workqueue_longest_running_processor_seconds{name="test"}',
    'memo_entries{memo="event_series"}',
    'memo_entries{memo="status_writes_pending"}',
  ]) {
    expect(body).toContain(series);
  }
  const value = (re: RegExp): number => Number(re.exec(body)?.[1]);
  const total = (result: string): number =>
    value(
      new RegExp(`^controller_runtime_reconcile_total\\{controller="test",result="${result}"\\} (\\d+)`, 'm'),
    );
  // Every reconcile call is counted once, under exactly one result.
  const sum = ['success', 'error', 'requeue', 'requeue_after'].map(total).reduce((a, b) => a + b, 0);
  expect(sum).toBe(reconciler.calls.length);
  expect(total('requeue_after')).toBeGreaterThanOrEqual(40); // steady 24 + chatty 19
  expect(total('error')).toBe(
    value(/^controller_runtime_reconcile_errors_total\{controller="test"\} (\d+)/m),
  );
  expect(total('error')).toBeGreaterThanOrEqual(6);
  expect(value(/^workqueue_retries_total\{name="test"\} (\d+)/m)).toBeGreaterThanOrEqual(5);
  // The recorder's live size: at least the chatty app's Tick series, still in its window.
  expect(value(/^memo_entries\{memo="event_series"\} (\d+)/m)).toBeGreaterThanOrEqual(1);
});
