/**
 * jest globalSetup for the integration project: one etcd + kube-apiserver (CRDs installed) and
 * one extended moto for the whole run. Test files isolate themselves by namespace and AWS
 * account (see context.ts). Children are tied to this jest process by reaper.sh, so an
 * interrupted run leaves no servers behind.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { installCrds, startControlPlane, type ControlPlane } from './control-plane.ts';
import { startAwsProxy, type AwsProxy } from './aws-proxy/server.ts';
import { startMoto, type MotoServer } from './moto/server.ts';

const root = path.resolve(import.meta.dirname, '../..');
const execFileAsync = promisify(execFile);

/** Paths written by test/env/prepare.sh. */
export interface ToolPaths {
  kubebuilderAssets: string;
  helm: string;
  python: string;
}

/** Reads .cache/test-env.json, with a clear message when prepare.sh has not run. */
export function readToolPaths(): ToolPaths {
  const file = path.join(root, '.cache', 'test-env.json');
  try {
    const tools = JSON.parse(readFileSync(file, 'utf8')) as ToolPaths;
    if (process.env.KUBEBUILDER_ASSETS) tools.kubebuilderAssets = process.env.KUBEBUILDER_ASSETS;
    return tools;
  } catch (err) {
    throw new Error(`${file} missing: run \`bash test/env/prepare.sh\` (npm test does) first`, {
      cause: err,
    });
  }
}

declare global {
  var __PLP_ENV__:
    | { controlPlane: ControlPlane; moto: MotoServer; proxy: AwsProxy; workDir: string; fullRun: boolean }
    | undefined;
}

/**
 * The test environment's `default` AwsIdentity (default-identity.yaml): the controller's own
 * credentials, granted to every namespace newTestContext makes.
 */
export async function installDefaultIdentity(kubectl: string, kubeconfigPath: string): Promise<void> {
  await execFileAsync(kubectl, ['apply', '-f', path.join(import.meta.dirname, 'default-identity.yaml')], {
    env: { ...process.env, KUBECONFIG: kubeconfigPath },
  });
}

/** The parts of jest's global config this setup reads. */
interface JestGlobalConfig {
  nonFlagArgs?: string[];
  testNamePattern?: string;
  testPathPatterns?: { patterns?: string[] };
}

export default async function globalSetup(globalConfig: JestGlobalConfig = {}): Promise<void> {
  const tools = readToolPaths();
  const workDir = path.join(root, '.cache', `run-${process.pid}`);
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });

  const [controlPlane, moto] = await Promise.all([
    startControlPlane({ assetsDir: tools.kubebuilderAssets, workDir }),
    startMoto({ python: tools.python, logFile: path.join(workDir, 'moto.log') }),
  ]);
  await installCrds(controlPlane.kubectlPath, controlPlane.kubeconfigPath, path.join(root, 'crds'));
  await installDefaultIdentity(controlPlane.kubectlPath, controlPlane.kubeconfigPath);
  // Every AWS call of the run goes through the proxy (recording, not throttling), so the
  // teardown can list the actions the controller really used (the IAM policy test reads it).
  const proxy = await startAwsProxy({ upstream: moto.url, throttling: false, record: true });
  const fullRun =
    (globalConfig.nonFlagArgs ?? []).length === 0 &&
    !globalConfig.testNamePattern &&
    (globalConfig.testPathPatterns?.patterns ?? []).length === 0;

  globalThis.__PLP_ENV__ = { controlPlane, moto, proxy, workDir, fullRun };
  // Workers are forked after global setup and inherit these.
  Object.assign(process.env, {
    KUBECONFIG: controlPlane.kubeconfigPath,
    PLP_KUBECTL: controlPlane.kubectlPath,
    PLP_HELM: tools.helm,
    PLP_PYTHON: tools.python,
    PLP_KUBEBUILDER_ASSETS: tools.kubebuilderAssets,
    PLP_TEST_WORKDIR: workDir,
    AWS_ENDPOINT_URL: proxy.url,
    PLP_MOTO_URL: moto.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  });
  writeFileSync(
    path.join(workDir, 'env.json'),
    JSON.stringify({ kubeconfig: controlPlane.kubeconfigPath, aws: proxy.url, moto: moto.url }, null, 2),
  );
}
