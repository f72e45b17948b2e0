/**
 * List+watch of one resource kind (in one namespace or all) into a local cache, after
 * client-go's reflector: list, then watch from the list's resourceVersion with bookmarks;
 * a closed stream resumes from the last seen resourceVersion; 410 Gone relists (and the
 * relist is diffed against the cache so deletions missed meanwhile still reach handlers);
 * connection errors retry with capped exponential backoff; a watchdog aborts a watch that
 * delivered neither an event nor a bookmark for `watchdogMs` (half-open TCP, stuck proxy).
 * Cached objects carry no managedFields.
 */
import type { Logger } from 'pino';
import {
  collectionPath,
  isStatus,
  keyOf,
  type KubeClient,
  type ObjectList,
  type WatchEvent,
} from './kube-client.ts';
import type { KubeObject, ObjectCache, ObjectKey, ResourceKind } from './types.ts';

/** Change notifications. Handlers must not throw (exceptions are logged and dropped). */
export interface InformerHandlers<T> {
  onAdd(obj: T): void;
  onUpdate(oldObj: T, newObj: T): void;
  onDelete(obj: T): void;
}

export interface InformerOptions {
  client: KubeClient;
  kind: ResourceKind;
  /** Watch one namespace; undefined = all namespaces. */
  namespace?: string;
  log: Logger;
  /** Restart a watch silent for this long (a frozen TCP path never closes). Default 90s. */
  watchdogMs?: number;
  /** Backoff between failed list/watch attempts. Default 800ms doubling to 30s, like client-go. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  pageSize?: number;
}

class WatchdogTimeout extends Error {
  constructor(ms: number) {
    super(`no watch event or bookmark for ${ms}ms`);
    this.name = 'WatchdogTimeout';
  }
}

class ResourceVersionGone extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResourceVersionGone';
  }
}

interface Status {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
}

/**
 * Drops `metadata.managedFields` from an object entering the cache, as controller-runtime's
 * `TransformStripManagedFields` does: the server's field-ownership bookkeeping (one entry per
 * writer, a nested `fieldsV1` tree of every field it set) is often larger than the spec and
 * status together, and nothing here reads it. Mutates and returns `obj`, a freshly parsed
 * response nobody else holds.
 */
export function withoutManagedFields<T extends KubeObject>(obj: T): T {
  if (obj.metadata) Reflect.deleteProperty(obj.metadata, 'managedFields');
  return obj;
}

/** One kind's list+watch loop and cache. */
export class Informer<T extends KubeObject> implements ObjectCache<T> {
  private readonly store = new Map<string, T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private resourceVersion = '';
  private synced = false;
  private readonly syncWaiters: (() => void)[] = [];
  private readonly stopController = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly log: Logger;

  private readonly opts: InformerOptions;

  constructor(opts: InformerOptions) {
    this.opts = opts;
    this.log = opts.log.child({ informer: opts.kind.plural, namespace: opts.namespace ?? '*' });
  }

  addHandler(h: InformerHandlers<T>): void {
    this.handlers.push(h);
  }

  /** Starts the list+watch loop in the background. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Stops watching; resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.stopController.abort(new Error('informer stopped'));
    await this.loop;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves after the first complete list has been applied to the cache. */
  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get(key: ObjectKey): T | undefined {
    return this.store.get(`${key.namespace}/${key.name}`);
  }

  list(namespace?: string): T[] {
    const all = [...this.store.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata?.namespace === namespace);
  }

  private async run(): Promise<void> {
    const stop = this.stopController.signal;
    let failures = 0;
    let needList = true;
    while (!stop.aborted) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
          failures = 0;
        }
        await this.watchOnce(() => (failures = 0));
      } catch (err) {
        if (this.stopped()) break;
        if (err instanceof ResourceVersionGone || isStatus(err, 410)) {
          this.log.info({ err: String(err) }, 'resourceVersion expired; relisting');
          needList = true;
          continue;
        }
        if (err instanceof WatchdogTimeout) {
          // A quiet kind gets no bookmark for minutes on some API servers: resume from the
          // resourceVersion at once. A path that is really dead fails the next watch, loudly.
          this.log.debug({ err: String(err) }, 'quiet watch restarted');
          continue;
        }
        failures++;
        const delay = this.backoff(failures);
        this.log.warn({ err: String(err), retryInMs: Math.round(delay) }, 'list/watch failed');
        await sleep(delay, stop);
      }
    }
  }

  /** A method, not `signal.aborted` inline, so TS doesn't narrow it to a constant across awaits. */
  private stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private backoff(failures: number): number {
    const initial = this.opts.backoffInitialMs ?? 800;
    const max = this.opts.backoffMaxMs ?? 30_000;
    return Math.min(max, initial * 2 ** (failures - 1)) * (0.8 + 0.4 * Math.random());
  }

  private async relist(): Promise<void> {
    const { fresh, resourceVersion } = await this.listAll();
    const old = new Map(this.store);
    this.store.clear();
    for (const [k, obj] of fresh) this.store.set(k, obj);
    for (const [k, obj] of fresh) this.announce(old.get(k), obj);
    for (const [k, prev] of old)
      if (!fresh.has(k))
        this.notify((h) => {
          h.onDelete(prev);
        });
    this.resourceVersion = resourceVersion;
    this.log.debug({ count: fresh.size, resourceVersion }, 'listed');
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  /** Every object, page by page, and the resourceVersion of the list. */
  private async listAll(): Promise<{ fresh: Map<string, T>; resourceVersion: string }> {
    const path = collectionPath(this.opts.kind, this.opts.namespace);
    const fresh = new Map<string, T>();
    let cont: string | undefined;
    let resourceVersion: string;
    do {
      const page = await this.opts.client.request<ObjectList<T>>('GET', path, {
        query: { limit: this.opts.pageSize ?? 500, continue: cont },
        signal: this.stopController.signal,
      });
      for (const item of page.items) fresh.set(keyOf(item), withoutManagedFields(item));
      cont = page.metadata.continue || undefined;
      resourceVersion = page.metadata.resourceVersion;
    } while (cont !== undefined);
    return { fresh, resourceVersion };
  }

  private async watchOnce(onEvent: () => void): Promise<void> {
    const watchdogMs = this.opts.watchdogMs ?? 90_000;
    const ac = new AbortController();
    const onStop = (): void => {
      ac.abort(this.stopController.signal.reason);
    };
    this.stopController.signal.addEventListener('abort', onStop, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        ac.abort(new WatchdogTimeout(watchdogMs));
      }, watchdogMs);
    };
    arm();
    try {
      await this.opts.client.watch<T>(
        collectionPath(this.opts.kind, this.opts.namespace),
        {
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          // Spread reconnects like client-go (5-10 min) so many informers don't relist in step.
          timeoutSeconds: Math.floor(300 + Math.random() * 300),
        },
        (ev) => {
          arm();
          onEvent();
          this.apply(ev, ac);
        },
        ac.signal,
      );
    } catch (err) {
      // An abort surfaces as a socket error; report why we aborted instead.
      throw ac.signal.aborted ? (ac.signal.reason as Error) : err;
    } finally {
      clearTimeout(timer);
      this.stopController.signal.removeEventListener('abort', onStop);
    }
  }

  private apply(ev: WatchEvent<T>, ac: AbortController): void {
    const obj = withoutManagedFields(ev.object);
    if (ev.type === 'ERROR') {
      ac.abort(watchError(obj));
      return;
    }
    if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.upsert(obj);
    else if (ev.type === 'DELETED') this.remove(obj);
    // BOOKMARK: only the resourceVersion matters.
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
  }

  private upsert(obj: T): void {
    const key = keyOf(obj);
    const prev = this.store.get(key);
    this.store.set(key, obj);
    this.announce(prev, obj);
  }

  /** Tells the handlers about `obj`: added when there was no `prev`, updated when it changed. */
  private announce(prev: T | undefined, obj: T): void {
    if (!prev) {
      this.notify((h) => {
        h.onAdd(obj);
      });
    } else if (prev.metadata?.resourceVersion !== obj.metadata?.resourceVersion) {
      this.notify((h) => {
        h.onUpdate(prev, obj);
      });
    }
  }

  /** `obj` is the object's final state as the DELETED event carries it. */
  private remove(obj: T): void {
    this.store.delete(keyOf(obj));
    this.notify((h) => {
      h.onDelete(obj);
    });
  }

  private notify(fn: (h: InformerHandlers<T>) => void): void {
    for (const h of this.handlers) {
      try {
        fn(h);
      } catch (err) {
        this.log.error({ err }, 'informer handler threw');
      }
    }
  }
}

/** The error a watch's ERROR event ends it with: 410 Gone means "relist". */
function watchError(status: Status): Error {
  return status.code === 410
    ? new ResourceVersionGone(status.message ?? 'Gone')
    : new Error(`watch error ${status.code ?? '?'} ${status.reason ?? ''}: ${status.message ?? ''}`);
}

/** Sleeps `ms`, returning early (without throwing) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
