/**
 * The Manager wires the runtime together (after controller-runtime's manager): informers and
 * caches shared by all controllers, the controllers' queues and workers, leader election
 * (workers run only while leading), the status/finalizer/event services handed to
 * reconcilers, and the health/metrics HTTP server.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { Controller } from './controller.ts';
import { AggregatingEventRecorder } from './events.ts';
import { PatchFinalizerManager } from './finalizers.ts';
import { HealthServer } from './http.ts';
import { Informer } from './informer.ts';
import { KubeClient } from './kube-client.ts';
import { LeaderElector } from './leader-election.ts';
import { DEFAULT_MEMORY_REDUCTION, MemoryReducer, type MemoryReductionPolicy } from './memory-reducer.ts';
import { RuntimeMetrics } from './metrics.ts';
import { CachedStatusWriter } from './status.ts';
import type {
  ControllerDefinition,
  KubeObject,
  ObjectCache,
  ObjectKey,
  ResourceKind,
  RuntimeServices,
} from './types.ts';
import type { RateLimitOptions } from './workqueue.ts';

export interface ManagerOptions {
  kubeConfig: KubeConfig;
  /** Namespaces to watch; empty/undefined = all. */
  namespaces?: string[];
  /** Workers per controller. Default 4. */
  concurrency?: number;
  /** Periodic re-enqueue of every object (jittered ±10%). Default 300000. */
  resyncPeriodMs?: number;
  leaderElection?: {
    enabled: boolean;
    leaseName: string;
    leaseNamespace: string;
    identity?: string;
    leaseDurationMs?: number;
    renewDeadlineMs?: number;
    retryPeriodMs?: number;
  };
  /** `host:port` (`:8080` = all interfaces, port 0 = any free port); undefined = no HTTP server. */
  httpAddress?: string;
  logger: Logger;
  clusterId: string;
  dryRun?: boolean;
  /** prom-client registry; default a fresh Registry. */
  registry?: Registry;
  /** Bound on waiting for in-flight reconciles at stop. Default 30000. */
  shutdownTimeoutMs?: number;
  /** Restart a watch that saw no event or bookmark for this long. Default 90000. */
  watchdogMs?: number;
  /** Per-key backoff and global retry budget of every controller's queue. */
  rateLimit?: RateLimitOptions;
  /** When to run a memory-reducing GC after a burst of reconciles; false: never. Default DEFAULT_MEMORY_REDUCTION. */
  memoryReduction?: MemoryReductionPolicy | false;
  /** Called once if leadership is lost (the Manager has stopped itself); the process should exit non-zero. */
  onLeadershipLost?: () => void;
}

/** Union view over the per-namespace informers of one kind. */
class MultiCache implements ObjectCache<KubeObject> {
  readonly informers: Informer<KubeObject>[];

  constructor(informers: Informer<KubeObject>[]) {
    this.informers = informers;
  }

  get(key: ObjectKey): KubeObject | undefined {
    for (const inf of this.informers) {
      const obj = inf.get(key);
      if (obj) return obj;
    }
    return undefined;
  }

  list(namespace?: string): KubeObject[] {
    return this.informers.flatMap((inf) => inf.list(namespace));
  }
}

function kindId(kind: ResourceKind): string {
  return `${kind.plural}.${kind.group}/${kind.version}`;
}

export class Manager {
  readonly registry: Registry;
  private readonly opts: ManagerOptions;
  private readonly log: Logger;
  private readonly client: KubeClient;
  private readonly metrics: RuntimeMetrics;
  private readonly factories: ((services: RuntimeServices) => ControllerDefinition)[] = [];
  private readonly controllers: Controller[] = [];
  private readonly caches = new Map<string, MultiCache>();
  private readonly events: AggregatingEventRecorder;
  private readonly services: RuntimeServices;
  private readonly stopController = new AbortController();
  private readonly elector: LeaderElector | undefined;
  private readonly http: HealthServer | undefined;
  private readonly memory: MemoryReducer | undefined;
  private started = false;
  private informersStarted = false;
  private stopping: Promise<void> | undefined;

  constructor(opts: ManagerOptions) {
    this.opts = opts;
    this.log = opts.logger;
    this.registry = opts.registry ?? new Registry();
    this.metrics = new RuntimeMetrics(this.registry);
    this.client = new KubeClient(opts.kubeConfig);
    const identity = opts.leaderElection?.identity ?? `${os.hostname()}_${randomUUID()}`;
    this.events = new AggregatingEventRecorder({
      client: this.client,
      log: this.log,
      component: 'privatelink-publisher',
      instance: identity,
    });
    const status = new CachedStatusWriter(this.client, (kind) => this.caches.get(kindId(kind)), this.log);
    this.metrics.watchMemo('event_series', () => this.events.seriesCount);
    this.metrics.watchMemo('status_writes_pending', () => status.pendingWrites);
    this.services = {
      events: this.events,
      status,
      finalizers: new PatchFinalizerManager(this.client),
      cache: <T extends KubeObject>(kind: ResourceKind) => this.cacheFor(kind) as unknown as ObjectCache<T>,
      dryRun: opts.dryRun ?? false,
      clusterId: opts.clusterId,
    };
    const le = opts.leaderElection;
    if (le?.enabled) {
      this.elector = new LeaderElector({
        ...le,
        identity,
        client: this.client,
        log: this.log,
        onStartedLeading: () => {
          for (const c of this.controllers) c.start();
        },
        onStoppedLeading: () => void this.loseLeadership(),
        onStatus: (leading) => {
          this.metrics.leaderStatus.set({ name: le.leaseName }, leading ? 1 : 0);
        },
      });
    }
    this.memory = this.memoryReducer(opts.memoryReduction ?? DEFAULT_MEMORY_REDUCTION);
    if (opts.httpAddress !== undefined) {
      this.http = new HealthServer({
        address: opts.httpAddress,
        registry: this.registry,
        ready: () => this.ready(),
      });
    }
  }

  private memoryReducer(policy: MemoryReductionPolicy | false): MemoryReducer | undefined {
    if (policy === false) return undefined;
    const MB = 1024 * 1024;
    return new MemoryReducer(policy, {
      onReduced: ({ rssBeforeBytes, rssAfterBytes, ms }) => {
        this.metrics.memoryReductions.inc();
        this.log.info(
          {
            rssBeforeMB: Math.round(rssBeforeBytes / MB),
            rssAfterMB: Math.round(rssAfterBytes / MB),
            ms: Math.round(ms),
          },
          'memory reduced after a burst of reconciles',
        );
      },
      onError: (err) => {
        this.log.warn({ err }, 'memory reduction failed');
      },
    });
  }

  /** Adds a controller; its factory is called at start() with the runtime services. */
  register(factory: (services: RuntimeServices) => ControllerDefinition): void {
    if (this.started) throw new Error('register() after start()');
    this.factories.push(factory);
  }

  /**
   * Starts the HTTP server, informers and (when not electing, or once leading) the workers.
   * Resolves when every cache has synced; leader election continues in the background.
   */
  async start(): Promise<void> {
    if (this.started) throw new Error('Manager already started');
    this.started = true;
    await this.http?.listen();
    for (const factory of this.factories) this.controllers.push(this.attach(factory(this.services)));
    // Only now, with every handler attached, may the first list be delivered.
    this.informersStarted = true;
    const informers = [...this.caches.values()].flatMap((c) => c.informers);
    for (const inf of informers) inf.start();
    await Promise.all(informers.map((inf) => inf.waitForSync()));
    this.log.info({ informers: informers.length }, 'caches synced');
    if (this.stopping) return; // stop() was called while we waited
    if (this.elector) this.elector.start();
    else for (const c of this.controllers) c.start();
  }

  /** Builds the controller for `def` and attaches it to the informers of its kind and its watches. */
  private attach(def: ControllerDefinition): Controller {
    const controller = new Controller({
      definition: def,
      concurrency: this.opts.concurrency ?? 4,
      resyncPeriodMs: this.opts.resyncPeriodMs ?? 300_000,
      log: this.log,
      metrics: this.metrics,
      cache: this.cacheFor(def.kind),
      signal: this.stopController.signal,
      rateLimit: this.opts.rateLimit,
      onReconciled: () => this.memory?.reconciled(),
    });
    for (const inf of this.cacheFor(def.kind).informers) inf.addHandler(controller.primaryHandlers());
    for (const w of def.watches ?? []) {
      for (const inf of this.cacheFor(w.kind).informers) inf.addHandler(controller.mappedHandlers(w.map));
    }
    return controller;
  }

  /** Graceful stop: no new work, in-flight reconciles finish (bounded), lease released, watches closed. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** The HTTP server's port (useful with port 0), or undefined when there is none. */
  httpPort(): number | undefined {
    return this.http?.port();
  }

  /** True when this instance runs its workers (leading, or no leader election). */
  isLeader(): boolean {
    return this.elector ? this.elector.isLeader() : this.started;
  }

  private cacheFor(kind: ResourceKind): MultiCache {
    const id = kindId(kind);
    let cache = this.caches.get(id);
    if (!cache) {
      const namespaces =
        kind.namespaced !== false && this.opts.namespaces?.length ? this.opts.namespaces : [undefined];
      cache = new MultiCache(
        namespaces.map(
          (namespace) =>
            new Informer<KubeObject>({
              client: this.client,
              kind,
              namespace,
              log: this.log,
              watchdogMs: this.opts.watchdogMs,
            }),
        ),
      );
      this.caches.set(id, cache);
      // A kind first asked for after start (from inside a reconcile) is watched from then on.
      if (this.informersStarted) for (const inf of cache.informers) inf.start();
    }
    return cache;
  }

  private ready(): true | string {
    const unsynced = [...this.caches.entries()].filter(([, c]) => c.informers.some((i) => !i.hasSynced()));
    if (!this.started || unsynced.length > 0)
      return `caches not synced: ${unsynced.map(([id]) => id).join(', ')}`;
    if (this.elector && !this.elector.healthy()) return 'leader election: cannot reach the API server';
    return true;
  }

  private async loseLeadership(): Promise<void> {
    // Another instance may already be leading: stop reconciling immediately, like controller-runtime.
    await this.stop();
    this.opts.onLeadershipLost?.();
  }

  private async shutdown(): Promise<void> {
    this.log.info('stopping');
    this.stopController.abort(new Error('manager stopping'));
    this.memory?.stop();
    const timeout = this.opts.shutdownTimeoutMs ?? 30_000;
    const drained = await Promise.all(this.controllers.map((c) => c.stop(timeout)));
    if (drained.includes(false))
      this.log.warn({ timeoutMs: timeout }, 'in-flight reconciles did not finish in time');
    await this.elector?.stop();
    await Promise.all([...this.caches.values()].flatMap((c) => c.informers.map((i) => i.stop())));
    await this.events.flush();
    await this.http?.close();
    this.client.destroy();
    this.log.info('stopped');
  }
}
