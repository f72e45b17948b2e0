/**
 * Entry point: configuration → Manager with both controllers → run until SIGTERM/SIGINT,
 * then stop gracefully (in-flight reconciles finish, the lease is released) and exit 0.
 * Exit 2 on invalid configuration, 1 on a fatal runtime error or lost leadership.
 */
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createAwsClientFactory } from './aws/clients.ts';
import { ConfigError, loadConfig, USAGE, type Config } from './config.ts';
import { Manager } from './controller/manager.ts';
import { awsCallObserver } from './controller/metrics.ts';
import { createLogger } from './logging.ts';
import { endpointServiceController } from './reconcilers/endpoint-service/index.ts';
import { publishedAppController } from './reconcilers/published-app/index.ts';

const SA_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function podNamespace(): string | undefined {
  try {
    return readFileSync(SA_NAMESPACE_FILE, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function kubeConfig(config: Config): KubeConfig {
  const kc = new KubeConfig();
  if (config.kubeconfig !== undefined) kc.loadFromFile(config.kubeconfig);
  else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig(argv, process.env, podNamespace());
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  const log = createLogger(config.logLevel);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const aws = createAwsClientFactory({
    defaultRegion: config.region,
    observer: awsCallObserver(registry),
    apiShare: config.awsApiShare,
  });
  let exitCode = 0;
  let stop = (): void => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const manager = new Manager({
    kubeConfig: kubeConfig(config),
    namespaces: config.namespaces,
    concurrency: config.concurrency,
    resyncPeriodMs: config.resyncPeriodMs,
    leaderElection: {
      enabled: config.leaderElect,
      leaseName: config.leaderElectionId,
      leaseNamespace: config.leaderElectionNamespace,
    },
    httpAddress: config.httpAddress,
    logger: log,
    clusterId: config.clusterId,
    dryRun: config.dryRun,
    registry,
    onLeadershipLost: () => {
      exitCode = 1;
      stop();
    },
  });

  manager.register(endpointServiceController(aws));
  manager.register(publishedAppController(aws));

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      log.info({ signal }, 'shutting down');
      stop();
    });
  }
  log.info({ config: { ...config } }, 'starting');
  // A signal during start (e.g. caches never sync) still shuts down cleanly.
  await Promise.race([
    manager.start().then(() => {
      log.info({ httpPort: manager.httpPort() }, 'started');
    }),
    stopped,
  ]);
  await stopped;
  await manager.stop();
  aws.destroy();
  return exitCode;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
