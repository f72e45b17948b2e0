/** Starts the extended moto server (launcher.py) on a free loopback port. */
import path from 'node:path';
import { freePort, startProcess, waitFor, type ManagedProcess } from '../processes.ts';

/** A running extended moto. `url` is what AWS_ENDPOINT_URL should be. */
export interface MotoServer {
  url: string;
  process: ManagedProcess;
}

/** Starts moto with the PrivateLink extensions; resolves once it answers HTTP. */
export async function startMoto(opts: {
  python: string;
  logFile: string;
  watchPid?: number;
}): Promise<MotoServer> {
  const port = await freePort();
  const proc = startProcess(
    'moto',
    opts.python,
    [path.join(import.meta.dirname, 'launcher.py'), '--host', '127.0.0.1', '--port', String(port)],
    {
      logFile: opts.logFile,
      cwd: import.meta.dirname,
      watchPid: opts.watchPid,
      env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONPATH: import.meta.dirname },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor('moto to answer', async () => (await fetch(`${url}/moto-api/data.json`)).ok, 60_000);
  return { url, process: proc };
}
