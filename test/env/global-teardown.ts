/** jest globalTeardown: stops what global-setup.ts started. */
import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const env = globalThis.__PLP_ENV__;
  if (!env) return;
  await Promise.all([env.controlPlane.stop(), env.moto.process.stop()]);
  // Keep logs of failed runs for inspection; a clean run leaves nothing.
  if (!process.env.PLP_KEEP_LOGS) rmSync(env.workDir, { recursive: true, force: true });
  globalThis.__PLP_ENV__ = undefined;
}
