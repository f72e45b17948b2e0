/**
 * The controller process: configuration → Manager with both controllers → run until
 * SIGTERM/SIGINT, then stop gracefully (in-flight reconciles finish, the lease is released).
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

/** Knobs that are not flags because production must never set them. */
export interface Tuning {
  /**
   * Speeds the client-side token buckets up, for the benchmark's time-scaled AWS proxy
   * (refill rates there are multiplied by the same factor). Default 1.
   */
  awsRefillScale?: number;
}

/**
 * Runs the controller until SIGTERM/SIGINT or lost leadership.
 * @returns the exit code: 0 after a graceful stop, 2 on invalid configuration, 1 when
 * leadership was lost.
 */
export async function runController(argv: string[], tuning: Tuning = {}): Promise<number> {
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
    clusterId: config.clusterId,
    observer: awsCallObserver(registry),
    apiShare: config.awsApiShare,
    refillScale: tuning.awsRefillScale,
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
      leaseDurationMs: config.leaseDurationMs,
      renewDeadlineMs: config.renewDeadlineMs,
      retryPeriodMs: config.retryPeriodMs,
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
  manager.register(
    publishedAppController(aws, {
      observePeriodMs: config.observePeriodMs,
      fullRecheckMs: config.fullRecheckPeriodMs,
      singleTenant: config.singleTenant,
      albRuleQuota: config.albRuleQuota,
      albCertificateQuota: config.albCertificateQuota,
    }),
  );

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
