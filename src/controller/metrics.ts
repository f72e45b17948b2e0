/**
 * Prometheus metrics with controller-runtime's and client-go's names, so existing
 * controller dashboards work, plus the AWS call metrics the AWS layer reports into.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AwsCallObserver } from '../aws/types.ts';
import type { QueueMetrics, WorkQueue } from './workqueue.ts';

type Metric = Counter | Gauge | Histogram;

/** Returns the registry's metric of this name, creating it on first use (names are global per registry). */
function metric<M extends Metric>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

const reconcileBuckets = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5,
  1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
/** client-go's workqueue buckets: 10ns … 10s, ×10. */
const queueBuckets = Array.from({ length: 10 }, (_, i) => 1e-8 * 10 ** i);

/** The runtime's metrics on one registry. */
export class RuntimeMetrics {
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly terminalErrors: Counter<'controller'>;
  readonly reconcileTime: Histogram<'controller'>;
  readonly activeWorkers: Gauge<'controller'>;
  readonly leaderStatus: Gauge<'name'>;
  readonly memoryReductions: Counter;
  private readonly depth: Gauge<'name'>;
  private readonly adds: Counter<'name'>;
  private readonly queueLatency: Histogram<'name'>;
  private readonly workDuration: Histogram<'name'>;
  private readonly retries: Counter<'name'>;
  private readonly queues = new Map<string, WorkQueue>();
  private readonly memos = new Map<string, () => number>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.reconcileTotal = metric(
      registry,
      'controller_runtime_reconcile_total',
      () =>
        new Counter({
          name: 'controller_runtime_reconcile_total',
          help: 'Total number of reconciliations per controller',
          labelNames: ['controller', 'result'],
          registers,
        }),
    );
    this.reconcileErrors = metric(
      registry,
      'controller_runtime_reconcile_errors_total',
      () =>
        new Counter({
          name: 'controller_runtime_reconcile_errors_total',
          help: 'Total number of reconciliation errors per controller',
          labelNames: ['controller'],
          registers,
        }),
    );
    this.terminalErrors = metric(
      registry,
      'controller_runtime_terminal_reconcile_errors_total',
      () =>
        new Counter({
          name: 'controller_runtime_terminal_reconcile_errors_total',
          help: 'Total number of terminal reconciliation errors per controller',
          labelNames: ['controller'],
          registers,
        }),
    );
    this.reconcileTime = metric(
      registry,
      'controller_runtime_reconcile_time_seconds',
      () =>
        new Histogram({
          name: 'controller_runtime_reconcile_time_seconds',
          help: 'Length of time per reconciliation per controller',
          labelNames: ['controller'],
          buckets: reconcileBuckets,
          registers,
        }),
    );
    this.activeWorkers = metric(
      registry,
      'controller_runtime_active_workers',
      () =>
        new Gauge({
          name: 'controller_runtime_active_workers',
          help: 'Number of currently used workers per controller',
          labelNames: ['controller'],
          registers,
        }),
    );
    this.memoryReductions = metric(
      registry,
      'memory_reductions_total',
      () =>
        new Counter({
          name: 'memory_reductions_total',
          help: 'Memory-reducing full GCs run after a burst of reconciles (src/controller/memory-reducer.ts)',
          registers,
        }),
    );
    this.leaderStatus = metric(
      registry,
      'leader_election_master_status',
      () =>
        new Gauge({
          name: 'leader_election_master_status',
          help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master',
          labelNames: ['name'],
          registers,
        }),
    );
    this.depth = metric(
      registry,
      'workqueue_depth',
      () =>
        new Gauge({
          name: 'workqueue_depth',
          help: 'Current depth of workqueue',
          labelNames: ['name'],
          registers,
        }),
    );
    this.adds = metric(
      registry,
      'workqueue_adds_total',
      () =>
        new Counter({
          name: 'workqueue_adds_total',
          help: 'Total number of adds handled by workqueue',
          labelNames: ['name'],
          registers,
        }),
    );
    this.queueLatency = metric(
      registry,
      'workqueue_queue_duration_seconds',
      () =>
        new Histogram({
          name: 'workqueue_queue_duration_seconds',
          help: 'How long in seconds an item stays in workqueue before being requested',
          labelNames: ['name'],
          buckets: queueBuckets,
          registers,
        }),
    );
    this.workDuration = metric(
      registry,
      'workqueue_work_duration_seconds',
      () =>
        new Histogram({
          name: 'workqueue_work_duration_seconds',
          help: 'How long in seconds processing an item from workqueue takes',
          labelNames: ['name'],
          buckets: queueBuckets,
          registers,
        }),
    );
    this.retries = metric(
      registry,
      'workqueue_retries_total',
      () =>
        new Counter({
          name: 'workqueue_retries_total',
          help: 'Total number of retries handled by workqueue',
          labelNames: ['name'],
          registers,
        }),
    );
    const memos = this.memos;
    metric(
      registry,
      'memo_entries',
      () =>
        new Gauge({
          name: 'memo_entries',
          help: 'Entries the controller holds in an in-memory memo (swept on a timer; a steady rise is a leak)',
          labelNames: ['memo'],
          registers,
          collect() {
            for (const [memo, read] of memos) this.set({ memo }, read());
          },
        }),
    );
    const queues = this.queues;
    metric(
      registry,
      'workqueue_unfinished_work_seconds',
      () =>
        new Gauge({
          name: 'workqueue_unfinished_work_seconds',
          help: "How many seconds of work has been done that is in progress and hasn't been observed by work_duration",
          labelNames: ['name'],
          registers,
          collect() {
            for (const [name, q] of queues) this.set({ name }, q.inFlight().unfinishedSeconds);
          },
        }),
    );
    metric(
      registry,
      'workqueue_longest_running_processor_seconds',
      () =>
        new Gauge({
          name: 'workqueue_longest_running_processor_seconds',
          help: 'How many seconds has the longest running processor for workqueue been running',
          labelNames: ['name'],
          registers,
          collect() {
            for (const [name, q] of queues) this.set({ name }, q.inFlight().longestSeconds);
          },
        }),
    );
  }

  /** QueueMetrics for the queue called `name`. */
  queueMetrics(name: string): QueueMetrics {
    this.depth.set({ name }, 0);
    this.adds.inc({ name }, 0);
    this.retries.inc({ name }, 0);
    return {
      added: () => {
        this.adds.inc({ name });
      },
      depth: (n) => {
        this.depth.set({ name }, n);
      },
      queued: (s) => {
        this.queueLatency.observe({ name }, s);
      },
      worked: (s) => {
        this.workDuration.observe({ name }, s);
      },
      retried: () => {
        this.retries.inc({ name });
      },
    };
  }

  /** Lets the in-flight gauges read `queue` at scrape time. */
  watchQueue(name: string, queue: WorkQueue): void {
    this.queues.set(name, queue);
  }

  /** Lets `memo_entries{memo}` read the size of the memo `name` at scrape time. */
  watchMemo(name: string, size: () => number): void {
    this.memos.set(name, size);
  }
}

/**
 * An observer for the AWS layer: `aws_api_calls_total{service,operation,result}` and
 * `aws_api_call_duration_seconds{service,operation}`.
 */
export function awsCallObserver(registry: Registry): AwsCallObserver {
  const registers = [registry];
  const calls = metric<Counter<'service' | 'operation' | 'result'>>(
    registry,
    'aws_api_calls_total',
    () =>
      new Counter({
        name: 'aws_api_calls_total',
        help: 'AWS API calls by service, operation and result',
        labelNames: ['service', 'operation', 'result'],
        registers,
      }),
  );
  const duration = metric<Histogram<'service' | 'operation'>>(
    registry,
    'aws_api_call_duration_seconds',
    () =>
      new Histogram({
        name: 'aws_api_call_duration_seconds',
        help: 'AWS API call latency',
        labelNames: ['service', 'operation'],
        buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers,
      }),
  );
  return ({ service, operation, result, seconds }) => {
    calls.inc({ service, operation, result });
    duration.observe({ service, operation }, seconds);
  };
}
