/** jest globalTeardown: records the controller's AWS actions, then stops what global-setup.ts started. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { controllerActions } from './aws-actions.ts';

export default async function globalTeardown(): Promise<void> {
  const env = globalThis.__PLP_ENV__;
  if (!env) return;
  const out = path.resolve(import.meta.dirname, '../../.cache/aws-actions.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify({ fullRun: env.fullRun, actions: controllerActions(env.proxy.calls()) }, null, 2),
  );
  await env.proxy.stop();
  await Promise.all([env.controlPlane.stop(), env.moto.process.stop()]);
  // Keep logs of failed runs for inspection; a clean run leaves nothing.
  if (!process.env.PLP_KEEP_LOGS) rmSync(env.workDir, { recursive: true, force: true });
  globalThis.__PLP_ENV__ = undefined;
}
