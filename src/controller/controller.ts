/**
 * One registered controller: its work queue, event handlers that turn informer notifications
 * into keys, periodic resync, and the worker loop that calls the reconciler and turns its
 * outcome into the next queue action (after controller-runtime's `reconcileHandler`).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { InformerHandlers } from './informer.ts';
import { keyOf } from './kube-client.ts';
import type { RuntimeMetrics } from './metrics.ts';
import {
  TerminalError,
  type ControllerDefinition,
  type KubeObject,
  type ObjectCache,
  type ObjectKey,
} from './types.ts';
import { WorkQueue, type RateLimitOptions } from './workqueue.ts';

export interface ControllerOptions {
  definition: ControllerDefinition;
  concurrency: number;
  resyncPeriodMs: number;
  log: Logger;
  metrics: RuntimeMetrics;
  /** Cache of the primary kind (for resync). */
  cache: ObjectCache<KubeObject>;
  signal: AbortSignal;
  rateLimit?: RateLimitOptions;
  /** Called after every reconcile, whatever its result (the memory reducer counts them). */
  onReconciled?: () => void;
}

/** Parses a `namespace/name` queue key. */
export function parseKey(key: string): ObjectKey {
  const i = key.indexOf('/');
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/**
 * True when an update can matter to the reconciler of this object: anything but a pure
 * status (or managedFields) change. Our own status writes would otherwise trigger a
 * reconcile each, doubling AWS reads for nothing.
 */
export function specOrMetaChanged(oldObj: KubeObject, newObj: KubeObject): boolean {
  const a = oldObj.metadata ?? {};
  const b = newObj.metadata ?? {};
  if (a.generation === undefined || b.generation === undefined) return true;
  return a.generation !== b.generation || JSON.stringify(watchedMeta(a)) !== JSON.stringify(watchedMeta(b));
}

/** The metadata besides the generation that a reconciler acts on. */
function watchedMeta(m: NonNullable<KubeObject['metadata']>): unknown[] {
  return [String(m.deletionTimestamp), m.finalizers ?? [], m.labels ?? {}, m.annotations ?? {}];
}

export class Controller {
  readonly queue: WorkQueue;
  readonly name: string;
  private readonly opts: ControllerOptions;
  private workers: Promise<void>[] = [];
  private resyncTimer: NodeJS.Timeout | undefined;
  private sources: { stop: AbortController; done: Promise<void> } | undefined;

  constructor(opts: ControllerOptions) {
    this.opts = opts;
    this.name = opts.definition.name;
    this.queue = new WorkQueue({ ...opts.rateLimit, metrics: opts.metrics.queueMetrics(this.name) });
    opts.metrics.watchQueue(this.name, this.queue);
    opts.metrics.activeWorkers.set({ controller: this.name }, 0);
    for (const result of ['success', 'error', 'requeue', 'requeue_after']) {
      opts.metrics.reconcileTotal.inc({ controller: this.name, result }, 0);
    }
    opts.metrics.reconcileErrors.inc({ controller: this.name }, 0);
  }

  /** Handlers for the primary kind's informer. */
  primaryHandlers(): InformerHandlers<KubeObject> {
    return {
      onAdd: (obj) => {
        this.queue.add(keyOf(obj));
      },
      onUpdate: (oldObj, newObj) => {
        if (specOrMetaChanged(oldObj, newObj)) this.queue.add(keyOf(newObj));
      },
      onDelete: (obj) => {
        this.queue.add(keyOf(obj));
      },
    };
  }

  /** Handlers for a secondary kind: every change (status included) maps to primary keys. */
  mappedHandlers(map: (obj: KubeObject) => ObjectKey[]): InformerHandlers<KubeObject> {
    const enqueue = (obj: KubeObject): void => {
      for (const k of map(obj)) this.queue.add(`${k.namespace}/${k.name}`);
    };
    return {
      onAdd: enqueue,
      onUpdate: (oldObj, newObj) => {
        enqueue(oldObj);
        enqueue(newObj);
      },
      onDelete: enqueue,
    };
  }

  /** Starts the workers, the periodic resync and the event sources. */
  start(): void {
    if (this.workers.length > 0) return;
    this.opts.log.info({ controller: this.name, workers: this.opts.concurrency }, 'starting workers');
    this.workers = Array.from({ length: this.opts.concurrency }, () => this.work());
    this.scheduleResync();
    this.startSources();
  }

  /** Stops intake and waits (bounded) for in-flight reconciles. @returns false on timeout. */
  async stop(timeoutMs: number): Promise<boolean> {
    clearTimeout(this.resyncTimer);
    this.sources?.stop.abort();
    await this.sources?.done;
    const drained = await this.queue.shutDownWithDrain(timeoutMs);
    if (drained) await Promise.all(this.workers);
    return drained;
  }

  private startSources(): void {
    const defined = this.opts.definition.sources ?? [];
    if (defined.length === 0) return;
    const stop = new AbortController();
    const signal = AbortSignal.any([stop.signal, this.opts.signal]);
    const enqueue = (k: ObjectKey): void => {
      this.queue.add(`${k.namespace}/${k.name}`, 'high');
    };
    const done = Promise.all(
      defined.map(async (source) => {
        try {
          await source.run(
            enqueue,
            signal,
            this.opts.log.child({ controller: this.name, source: source.name }),
          );
        } catch (err) {
          // A source that dies leaves resyncs as the fallback; say so loudly.
          this.opts.log.error({ controller: this.name, source: source.name, err }, 'event source stopped');
        }
      }),
    ).then(() => undefined);
    this.sources = { stop, done };
  }

  private scheduleResync(): void {
    const period = this.opts.resyncPeriodMs * (0.9 + 0.2 * Math.random());
    this.resyncTimer = setTimeout(() => {
      for (const obj of this.opts.cache.list()) this.queue.add(keyOf(obj), 'low');
      this.scheduleResync();
    }, period);
    this.resyncTimer.unref();
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.reconcile(key);
      } finally {
        this.queue.done(key);
        this.opts.onReconciled?.();
      }
    }
  }

  private async reconcile(key: string): Promise<void> {
    const { metrics } = this.opts;
    const controller = this.name;
    const objKey = parseKey(key);
    const log = this.opts.log.child({ controller, ...objKey, reconcileID: randomUUID() });
    const started = performance.now();
    metrics.activeWorkers.inc({ controller });
    let result: string;
    try {
      const res = await this.opts.definition.reconciler.reconcile(objKey, { log, signal: this.opts.signal });
      const after = res?.requeueAfterMs;
      this.queue.forget(key);
      if (after === undefined) {
        result = 'success';
      } else if (after > 0) {
        this.queue.addAfter(key, after);
        result = 'requeue_after';
      } else {
        this.queue.addRateLimited(key);
        result = 'requeue';
      }
      log.debug({ result, requeueAfterMs: after }, 'reconciled');
    } catch (err) {
      result = 'error';
      metrics.reconcileErrors.inc({ controller });
      if (err instanceof TerminalError) {
        metrics.terminalErrors.inc({ controller });
        this.queue.forget(key);
        log.warn({ reason: err.reason, err: err.message }, 'reconcile failed terminally; not retrying');
      } else {
        this.queue.addRateLimited(key);
        log.error({ err, retries: this.queue.numRequeues(key) }, 'reconcile failed; will retry');
      }
    } finally {
      metrics.activeWorkers.dec({ controller });
      metrics.reconcileTime.observe({ controller }, (performance.now() - started) / 1000);
    }
    metrics.reconcileTotal.inc({ controller, result });
  }
}
