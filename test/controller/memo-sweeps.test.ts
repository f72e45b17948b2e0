/**
 * What the runtime remembers between reconciles is let go even when the controller goes quiet
 * (a steady state records no events and writes no status): an event series past its window,
 * and our own status write once the watch has delivered it. Against the real API server.
 */
import { jest } from '@jest/globals';
import { ENDPOINT_SERVICE } from '../../src/api/kinds.ts';
import { AggregatingEventRecorder } from '../../src/controller/events.ts';
import { Informer } from '../../src/controller/informer.ts';
import { KubeClient } from '../../src/controller/kube-client.ts';
import { CachedStatusWriter } from '../../src/controller/status.ts';
import type { KubeObject } from '../../src/controller/types.ts';
import { newTestContext, type TestContext } from '../env/context.ts';
import { eventually, kubectl, productObject, testLogger } from './helpers.ts';

jest.setTimeout(60_000);

let ctx: TestContext;
let client: KubeClient;
const kind = ENDPOINT_SERVICE;
const names = ['quiet-a', 'quiet-b', 'quiet-c'];

beforeAll(async () => {
  ctx = await newTestContext('memo-sweeps');
  client = new KubeClient(ctx.kc);
  for (const name of names)
    await kubectl(ctx.kubeconfigPath, ['apply', '-f', '-'], productObject(kind, ctx.namespace, name, {}));
});
afterAll(async () => {
  await ctx.cleanup();
});

test('event series are forgotten after their window though no new event comes', async () => {
  const recorder = new AggregatingEventRecorder({
    client,
    log: testLogger('memo-sweeps-events'),
    component: 'memo-sweeps-test',
    instance: 'test',
    windowMs: 1_500,
    minPatchIntervalMs: 100,
  });
  const obj = {
    apiVersion: `${kind.group}/${kind.version}`,
    kind: kind.kind,
    metadata: { namespace: ctx.namespace, name: 'quiet-a' },
  };
  for (const reason of ['One', 'Two', 'Three'])
    recorder.record(obj, { type: 'Normal', reason, action: 'Test', message: `${reason} happened` });
  recorder.record(obj, { type: 'Normal', reason: 'One', action: 'Test', message: 'One happened' });
  expect(recorder.seriesCount).toBe(3);
  const written = async (): Promise<string> => {
    const listed = JSON.parse(
      await kubectl(ctx.kubeconfigPath, ['get', 'events', '-n', ctx.namespace, '-o', 'json']),
    ) as { items: { reason: string; count: number; source?: { component?: string } }[] };
    const ours = listed.items.filter((e) => e.source?.component === 'memo-sweeps-test');
    return ours
      .map((e) => `${e.reason}×${e.count}`)
      .sort()
      .join(' ');
  };
  await eventually('events written', async () => (await written()) === 'One×2 Three×1 Two×1', 10_000);
  await eventually('series forgotten', () => recorder.seriesCount === 0, 10_000);
});

test('a status write is forgotten once the cache holds it; latest() still gives it', async () => {
  const informer = new Informer<KubeObject & { status?: object }>({
    client,
    kind,
    namespace: ctx.namespace,
    log: testLogger('memo-sweeps-status'),
  });
  informer.start();
  try {
    await informer.waitForSync();
    const writer = new CachedStatusWriter(client, () => informer, testLogger('memo-sweeps-status'), 300);
    for (const name of names) {
      const obj = informer.get({ namespace: ctx.namespace, name })!;
      expect(await writer.update(kind, obj, { serviceState: `written-${name}` })).toBe(true);
    }
    expect(writer.pendingWrites).toBe(3);
    await eventually('writes forgotten', () => writer.pendingWrites === 0, 10_000);
    for (const name of names) {
      const obj = informer.get({ namespace: ctx.namespace, name })!;
      expect(writer.latest(kind, obj)).toEqual({ serviceState: `written-${name}` });
    }
  } finally {
    await informer.stop();
  }
});
