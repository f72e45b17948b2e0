/**
 * The controller as a real process (src/main.ts, production defaults but for the flags below)
 * with a recording AWS proxy of its own chained in front of the global setup's — which still
 * records every call of the run, for the IAM policy check. One proxy per process tells the
 * calls of one replica from another's, which the shared record (one account, one user agent)
 * cannot.
 */
import path from 'node:path';
import type { RecordedCall } from '../env/aws-proxy/server.ts';
import { startAwsProxy } from '../env/aws-proxy/server.ts';
import { freePort, startController, type ControllerProcess } from '../packaging/controller-process.ts';
import { accountThroughProxy } from './inventory.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** What a replica is started with. */
export interface ReplicaOptions {
  /** Identifies the replica in messages. */
  name: string;
  kubeconfigPath: string;
  namespace: string;
  accountId: string;
  clusterId: string;
  /** The Lease to campaign for; none = no leader election. */
  lease?: { namespace: string; name: string };
  /** More flags, e.g. `--concurrency=1`. */
  args?: string[];
}

/** A running controller process. */
export interface Replica {
  readonly name: string;
  readonly process: ControllerProcess;
  /** The AWS calls of this process alone, in arrival order. */
  calls(): RecordedCall[];
  /** When (ms since the epoch) and as which identity it became leader, from its log. */
  leadership(): { identity: string; at: number } | undefined;
  /** When it was seen to have exited after a SIGKILL, if it was killed: no call of it arrives later. */
  killedAt(): number | undefined;
  /** SIGKILL (a crash: the lease is not released); resolves once it has exited. */
  kill(): Promise<void>;
  /** SIGTERM, then its proxy. */
  stop(): Promise<void>;
}

interface LogLine {
  msg?: string;
  time?: string;
  identity?: string;
}

function logLines(output: string): LogLine[] {
  return output.split('\n').flatMap((l) => {
    if (!l.startsWith('{')) return [];
    try {
      return [JSON.parse(l) as LogLine];
    } catch {
      return []; // a line still being written
    }
  });
}

/** Starts a replica and resolves once it answers /readyz (leading, or a healthy standby). */
export async function startReplica(opts: ReplicaOptions): Promise<Replica> {
  const proxy = await startAwsProxy({ upstream: process.env.AWS_ENDPOINT_URL!, throttling: false });
  // Assumed through the chain, so both proxies attribute the calls to the suite's account.
  const { region, endpoint, credentials } = await accountThroughProxy(proxy.url, opts.accountId);
  const ownFrom = proxy.calls().length; // the AssumeRole above was ours, not the replica's
  const port = await freePort();
  const args = [
    path.join(root, 'src/main.ts'),
    `--kubeconfig=${opts.kubeconfigPath}`,
    `--namespaces=${opts.namespace}`,
    `--cluster-id=${opts.clusterId}`,
    `--region=${region}`,
    `--http-address=127.0.0.1:${port}`,
    // AWS's whole budget: the endpoint bucket (4, then 0.3/s) otherwise paces 15 creates to a minute.
    '--aws-api-share=1',
    ...(opts.lease
      ? [
          '--leader-elect',
          `--leader-election-id=${opts.lease.name}`,
          `--leader-election-namespace=${opts.lease.namespace}`,
        ]
      : []),
    ...(opts.args ?? []),
  ];
  const env = {
    HOME: root,
    AWS_REGION: region,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
  };
  const proc = startController(path.join(root, 'node_modules/.bin/node'), args, { cwd: root, env, port });
  let killedAt: number | undefined;
  const replica: Replica = {
    name: opts.name,
    process: proc,
    calls: () => proxy.calls().slice(ownFrom),
    leadership() {
      const line = logLines(proc.output()).find((l) => l.msg === 'became leader');
      return line?.identity && line.time ? { identity: line.identity, at: Date.parse(line.time) } : undefined;
    },
    killedAt: () => killedAt,
    async kill() {
      await proc.kill();
      killedAt = Date.now();
    },
    async stop() {
      await proc.stop(10_000);
      await proxy.stop();
    },
  };
  if (!(await proc.waitForHttp200('/readyz', 60_000))) {
    await replica.stop();
    throw new Error(`replica ${opts.name} never became ready:\n${proc.output().slice(-3000)}`);
  }
  return replica;
}
