/**
 * The controller as the benchmark runs it: src/main.ts's wiring (same flags, both
 * controllers) plus one benchmark-only knob, `PLP_BENCH_REFILL_SCALE`, which speeds the
 * client-side token buckets up by the throttling proxy's time scale. src/main.ts has no
 * such flag (production must never scale its limits), so without this entry point a
 * time-scaled run would measure a controller limiting itself to AWS's real rates.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createAwsClientFactory } from '../src/aws/clients.ts';
import { loadConfig } from '../src/config.ts';
import { Manager } from '../src/controller/manager.ts';
import { awsCallObserver } from '../src/controller/metrics.ts';
import { createLogger } from '../src/logging.ts';
import { endpointServiceController } from '../src/reconcilers/endpoint-service/index.ts';
import { publishedAppController } from '../src/reconcilers/published-app/index.ts';

const config = loadConfig(process.argv.slice(2), process.env);
const refillScale = Number(process.env.PLP_BENCH_REFILL_SCALE ?? '1');
const log = createLogger(config.logLevel);
const registry = new Registry();
collectDefaultMetrics({ register: registry });
const aws = createAwsClientFactory({
  defaultRegion: config.region,
  observer: awsCallObserver(registry),
  apiShare: config.awsApiShare,
  refillScale,
});
const kc = new KubeConfig();
if (config.kubeconfig !== undefined) kc.loadFromFile(config.kubeconfig);
const manager = new Manager({
  kubeConfig: kc,
  namespaces: config.namespaces,
  concurrency: config.concurrency,
  resyncPeriodMs: config.resyncPeriodMs,
  httpAddress: config.httpAddress,
  logger: log,
  clusterId: config.clusterId,
  dryRun: config.dryRun,
  registry,
});
manager.register(endpointServiceController(aws));
manager.register(publishedAppController(aws));

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    void manager.stop().finally(() => {
      aws.destroy();
      process.exit(0);
    });
  });
}
log.info({ config: { ...config }, refillScale }, 'starting (benchmark entry point)');
await manager.start();
log.info({ httpPort: manager.httpPort() }, 'started');
