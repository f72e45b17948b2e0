/**
 * Informer recovery on a private control plane (so stopping kube-apiserver disturbs no other
 * test): objects changed, created and deleted right after an API-server restart — while the
 * informer is still disconnected — all reach the reconciler; and a watch that goes silent
 * without closing (a frozen TCP path) is detected by the watchdog and re-established.
 */
import { jest } from '@jest/globals';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { Manager } from '../../src/controller/manager.ts';
import type { KubeObject, ObjectKey, ResourceKind, RuntimeServices } from '../../src/controller/types.ts';
import { kubeconfigYaml, startControlPlane, type ControlPlane } from '../env/control-plane.ts';
import {
  eventually,
  FreezableProxy,
  installWidgetCrd,
  kubectl,
  testLogger,
  uniqueGroup,
  widget,
} from './helpers.ts';

jest.setTimeout(180_000);

interface Widget extends KubeObject {
  spec?: { v?: number };
}

/** Records what the reconciler saw per key: the spec version, or 'gone'. */
class Recorder {
  readonly seen: { key: string; v: number | 'gone' }[] = [];
  private services: RuntimeServices | undefined;

  factory(kind: ResourceKind) {
    return (services: RuntimeServices) => {
      this.services = services;
      return {
        name: 'widget',
        kind,
        reconciler: {
          reconcile: (key: ObjectKey) => {
            const obj = this.services?.cache<Widget>(kind).get(key);
            this.seen.push({ key: key.name, v: obj ? (obj.spec?.v ?? 0) : 'gone' });
            return Promise.resolve(undefined);
          },
        },
      };
    };
  }

  saw(name: string, v: number | 'gone'): boolean {
    return this.seen.some((s) => s.key === name && s.v === v);
  }
}

let cp: ControlPlane;
let group: string;
let kind: ResourceKind;
let kc: KubeConfig;
const managers: Manager[] = [];

const apply = (name: string, v: number): Promise<string> =>
  kubectl(cp.kubeconfigPath, ['apply', '-f', '-'], widget(group, 'default', name, { v }));

function newManager(kubeConfig: KubeConfig, recorder: Recorder, name: string, watchdogMs?: number): Manager {
  const m = new Manager({
    kubeConfig,
    namespaces: ['default'],
    logger: testLogger(name),
    clusterId: 'test',
    resyncPeriodMs: 3_600_000,
    watchdogMs,
  });
  m.register(recorder.factory(kind));
  managers.push(m);
  return m;
}

beforeAll(async () => {
  const assetsDir = process.env.PLP_KUBEBUILDER_ASSETS;
  if (!assetsDir) throw new Error('PLP_KUBEBUILDER_ASSETS not set: run in the jest "integration" project');
  const workDir = path.join(process.env.PLP_TEST_WORKDIR ?? '/tmp', `informer-recovery-${process.pid}`);
  cp = await startControlPlane({ assetsDir, workDir });
  group = uniqueGroup('rec');
  kind = await installWidgetCrd(cp.kubeconfigPath, group);
  kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
});

afterAll(async () => {
  for (const m of managers) await m.stop();
  await cp.stop();
});

test('changes made right after an API-server restart, while the informer is disconnected, are all reconciled', async () => {
  await apply('kept', 1);
  await apply('doomed', 1);
  const recorder = new Recorder();
  await newManager(kc, recorder, 'informer-restart').start();
  await eventually('initial reconciles', () => recorder.saw('kept', 1) && recorder.saw('doomed', 1));

  await cp.stopApiServer();
  // Let the informer notice and back off a few times.
  await new Promise((r) => setTimeout(r, 4000));
  await cp.startApiServer();
  // Change the world at once: the informer is still waiting out its backoff.
  await apply('kept', 2);
  await apply('born', 1);
  await kubectl(cp.kubeconfigPath, ['delete', `widgets.${group}`, 'doomed', '-n', 'default']);

  await eventually(
    'update, create and delete all reconciled',
    () => recorder.saw('kept', 2) && recorder.saw('born', 1) && recorder.saw('doomed', 'gone'),
    90_000,
  );
});

test('a watch that goes silent without closing is restarted by the watchdog', async () => {
  const port = Number(new URL(cp.url).port);
  const proxy = new FreezableProxy(port);
  await proxy.listen();
  try {
    const proxied = path.join(path.dirname(cp.kubeconfigPath), 'kubeconfig-proxy');
    writeFileSync(
      proxied,
      kubeconfigYaml({
        url: `https://127.0.0.1:${proxy.port}`,
        caData: cp.caData,
        token: cp.adminToken,
        user: 'admin',
      }),
    );
    const pkc = new KubeConfig();
    pkc.loadFromFile(proxied);
    await apply('quiet', 1);
    const recorder = new Recorder();
    await newManager(pkc, recorder, 'informer-watchdog', 5000).start();
    await eventually('initial reconcile', () => recorder.saw('quiet', 1));
    // An event resets the watchdog: freeze right after one, so its full period must pass.
    await apply('quiet', 2);
    await eventually('second version', () => recorder.saw('quiet', 2), 10_000, 5);
    const lastEventAt = Date.now();
    proxy.freeze(); // the established watch now hears nothing, and its socket stays open
    await apply('quiet', 3); // through the direct kubeconfig
    await eventually(
      'change seen after the watchdog restarted the watch',
      () => recorder.saw('quiet', 3),
      30_000,
    );
    // Only the watchdog could have brought it: not before its period, not much after.
    const waited = Date.now() - lastEventAt;
    expect(waited).toBeGreaterThanOrEqual(4500);
    expect(waited).toBeLessThan(15_000);
  } finally {
    proxy.close();
  }
});
