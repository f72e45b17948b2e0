/**
 * Periodic resync re-reconciles unchanged objects (how AWS drift is found), and a secondary
 * `watches` kind enqueues the primary keys its map function names — status changes included.
 */
import { jest } from '@jest/globals';
import { Manager } from '../../src/controller/manager.ts';
import { KubeClient, MERGE_PATCH, objectPath } from '../../src/controller/kube-client.ts';
import type { ObjectKey } from '../../src/controller/types.ts';
import { ENDPOINT_SERVICE, PUBLISHED_APP } from '../../src/api/kinds.ts';
import { newTestContext, type TestContext } from '../env/context.ts';
import { eventually, kubectl, productObject, testLogger } from './helpers.ts';

jest.setTimeout(120_000);

// The product's kinds, so the Manager runs with the chart's RBAC (no product reconciler runs).
const primary = PUBLISHED_APP;
const secondary = ENDPOINT_SERVICE;
let ctx: TestContext;
let manager: Manager | undefined;
const calls: { name: string; at: number }[] = [];

async function startManager(resyncPeriodMs: number): Promise<void> {
  await manager?.stop();
  manager = new Manager({
    kubeConfig: ctx.controllerKc,
    namespaces: [ctx.namespace],
    logger: testLogger('resync-watches'),
    clusterId: 'test',
    resyncPeriodMs,
  });
  manager.register(() => ({
    name: 'widget',
    kind: primary,
    reconciler: {
      reconcile: (key: ObjectKey) => {
        calls.push({ name: key.name, at: Date.now() });
        return Promise.resolve(undefined);
      },
    },
    watches: [
      // A secondary object names its primary in its own name: "points-at-<name>".
      {
        kind: secondary,
        map: (obj) => [
          {
            namespace: obj.metadata?.namespace ?? '',
            name: (obj.metadata?.name ?? '').replace('points-at-', ''),
          },
        ],
      },
    ],
  }));
  await manager.start();
}

beforeAll(async () => {
  ctx = await newTestContext('controller-resync');
  for (const n of ['a', 'b']) {
    await kubectl(ctx.kubeconfigPath, ['apply', '-f', '-'], productObject(primary, ctx.namespace, n));
  }
  await kubectl(
    ctx.kubeconfigPath,
    ['apply', '-f', '-'],
    productObject(secondary, ctx.namespace, 'points-at-b'),
  );
});

afterAll(async () => {
  await manager?.stop();
  await ctx.cleanup();
});

const count = (name: string, since = 0): number =>
  calls.filter((c) => c.name === name && c.at >= since).length;

test('resync reconciles every object again although nothing changed', async () => {
  await startManager(1000);
  const since = Date.now();
  // 1s period jittered ±10%: at least 3 rounds in 4.5s.
  await new Promise((r) => setTimeout(r, 4500));
  expect(count('a', since)).toBeGreaterThanOrEqual(3);
  expect(count('b', since)).toBeGreaterThanOrEqual(3);
  expect(count('a', since)).toBeLessThanOrEqual(6);
});

test('a change of a watched secondary object (even status only) enqueues the mapped primary key', async () => {
  await startManager(3_600_000); // no resync: only the watch can explain a reconcile
  await eventually('initial reconcile of b', () => count('b', Date.now() - 60_000) > 0);
  await new Promise((r) => setTimeout(r, 300));
  const since = Date.now();
  const client = new KubeClient(ctx.kc);
  await client.request('PATCH', `${objectPath(secondary, ctx.namespace, 'points-at-b')}/status`, {
    body: { status: { serviceName: 'now-known' } },
    contentType: MERGE_PATCH,
  });
  const seenAt = await eventually('b reconciled after the secondary changed', () =>
    calls.find((c) => c.name === 'b' && c.at >= since),
  );
  expect(seenAt.at - since).toBeLessThan(5000);
  expect(calls.filter((c) => c.name === 'points-at-b')).toEqual([]);
});
