/**
 * Informer recovery on a private control plane (so stopping kube-apiserver disturbs no other
 * test): objects changed, created and deleted right after an API-server restart — while the
 * informer is still disconnected — all reach the reconciler; and a watch that goes silent
 * without closing (a frozen TCP path) is detected by the watchdog and re-established.
 */
import { jest } from '@jest/globals';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { readFileSync, writeFileSync } from 'node:fs';
import { ENDPOINT_SERVICE } from '../../src/api/kinds.ts';
import { Manager } from '../../src/controller/manager.ts';
import type { KubeObject, ObjectKey, ResourceKind, RuntimeServices } from '../../src/controller/types.ts';
import { runKubectl } from '../env/context.ts';
import { createControllerIdentity, type ControllerIdentity } from '../env/controller-identity.ts';
import { installCrds, startControlPlane, type ControlPlane } from '../env/control-plane.ts';
import { eventually, FreezableProxy, kubectl, productObject, testLogger } from './helpers.ts';

jest.setTimeout(180_000);

/** The version a test object carries. */
const VERSION = 'test.plp.dev/v';

interface Versioned extends KubeObject {
  metadata?: KubeObject['metadata'] & { annotations?: Record<string, string> };
}

/** Records what the reconciler saw per key: the spec version, or 'gone'. */
class Recorder {
  readonly seen: { key: string; v: number | 'gone' }[] = [];
  private services: RuntimeServices | undefined;

  factory(kind: ResourceKind) {
    return (services: RuntimeServices) => {
      this.services = services;
      return {
        name: 'recorder',
        kind,
        reconciler: {
          reconcile: (key: ObjectKey) => {
            const obj = this.services?.cache<Versioned>(kind).get(key);
            this.seen.push({ key: key.name, v: obj ? Number(obj.metadata?.annotations?.[VERSION]) : 'gone' });
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
const kind = ENDPOINT_SERVICE;
let identity: ControllerIdentity;
const managers: Manager[] = [];

const apply = (name: string, v: number): Promise<string> =>
  kubectl(
    cp.kubeconfigPath,
    ['apply', '-f', '-'],
    productObject(kind, 'default', name, { [VERSION]: String(v) }),
  );

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
  await installCrds(cp.kubectlPath, cp.kubeconfigPath, path.resolve(import.meta.dirname, '../../crds'));
  const adminKc = new KubeConfig();
  adminKc.loadFromFile(cp.kubeconfigPath);
  // The managers run as the chart's ServiceAccount, like in every other suite.
  identity = await createControllerIdentity({
    adminKc,
    kubectl: (args, stdin) => runKubectl(cp.kubeconfigPath, args, stdin),
    namespace: 'default',
    release: 'informer-recovery',
    dir: workDir,
  });
});

afterAll(async () => {
  for (const m of managers) await m.stop();
  await cp.stop();
});

test('changes made right after an API-server restart, while the informer is disconnected, are all reconciled', async () => {
  await apply('kept', 1);
  await apply('doomed', 1);
  const recorder = new Recorder();
  await newManager(identity.kc, recorder, 'informer-restart').start();
  await eventually('initial reconciles', () => recorder.saw('kept', 1) && recorder.saw('doomed', 1));

  await cp.stopApiServer();
  // Let the informer notice and back off a few times.
  await new Promise((r) => setTimeout(r, 4000));
  await cp.startApiServer();
  // Change the world at once: the informer is still waiting out its backoff.
  await apply('kept', 2);
  await apply('born', 1);
  await kubectl(cp.kubeconfigPath, ['delete', 'endpointservice', 'doomed', '-n', 'default']);

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
      readFileSync(identity.kubeconfigPath, 'utf8').replace(cp.url, `https://127.0.0.1:${proxy.port}`),
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
