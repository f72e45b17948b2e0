/** Runs the controller as a child process, as a container runtime would, and watches it. */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A free loopback TCP port (closed again, so the controller can take it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => {
        resolve(typeof addr === 'object' && addr ? addr.port : 0);
      });
    });
  });
}

export interface ControllerProcess {
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Polls `path` on its HTTP port until 200 (true), exit or timeout (false). */
  waitForHttp200(path: string, timeoutMs: number): Promise<boolean>;
  /** SIGTERM, then its exit code, or 'timeout' when it did not exit in time. */
  stop(timeoutMs?: number): Promise<number | null | 'timeout'>;
  /** SIGKILL — a crash, no graceful shutdown — resolved once it has exited. */
  kill(): Promise<void>;
}

/**
 * Starts `node args...` in `cwd` with exactly `env`; the controller must listen on
 * 127.0.0.1:`port` (its --http-address).
 */
export function startController(
  node: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; port: number },
): ControllerProcess {
  const child = spawn(node, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const state = { exited: false };
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      state.exited = true;
      resolve(code);
    }),
  );
  return {
    output: () => output,
    async waitForHttp200(path, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline && !state.exited) {
        const ok = await fetch(`http://127.0.0.1:${opts.port}${path}`, {
          signal: AbortSignal.timeout(2000),
        }).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) return true;
        await new Promise((r) => setTimeout(r, 250));
      }
      return false;
    },
    async stop(timeoutMs = 40_000) {
      if (!state.exited) child.kill('SIGTERM');
      const timeout = new Promise<'timeout'>((r) =>
        setTimeout(() => {
          r('timeout');
        }, timeoutMs).unref(),
      );
      const code = await Promise.race([exited, timeout]);
      if (code === 'timeout') child.kill('SIGKILL');
      return code;
    },
    async kill() {
      if (!state.exited) child.kill('SIGKILL');
      await exited;
    },
  };
}
