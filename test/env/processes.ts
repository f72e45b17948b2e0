/**
 * Child processes for the test environment. Every server is started under reaper.sh, which
 * kills it when the process that started it dies — so an interrupted test run (Ctrl-C,
 * SIGKILL of jest) never leaves etcd, kube-apiserver or moto running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const reaper = path.join(import.meta.dirname, 'reaper.sh');

/** A started server process. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Exit code or signal once the process has ended, else undefined. */
  exitStatus(): string | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `command` under the reaper, logging stdout+stderr to `logFile`.
 * @param watchPid the process whose death kills this one (default: this process).
 */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  opts: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string; watchPid?: number },
): ManagedProcess {
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  const child = spawn('bash', [reaper, String(opts.watchPid ?? process.pid), command, ...args], {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  if (child.pid === undefined) throw new Error(`failed to start ${name}`);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  return {
    name,
    pid: child.pid,
    child,
    logFile: opts.logFile,
    exitStatus: () => (child.exitCode ?? child.signalCode ?? undefined)?.toString(),
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Asks the kernel for a free loopback TCP port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr && typeof addr === 'object') resolve(addr.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/**
 * Polls `probe` until it returns true, or throws after `timeoutMs` with `what` in the message.
 * With `proc`, fails at once (quoting the end of its log) if the process exits meanwhile.
 */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 60_000,
  proc?: ManagedProcess,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const exit = proc?.exitStatus();
    if (proc && exit !== undefined) {
      const tail = readFileSync(proc.logFile, 'utf8').split('\n').slice(-15).join('\n');
      throw new Error(
        `${proc.name} exited (${exit}) while waiting for ${what}; end of ${proc.logFile}:\n${tail}`,
      );
    }
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
}
