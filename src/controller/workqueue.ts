/**
 * A rate-limited work queue of keys, after client-go's `workqueue`: repeated adds of a waiting
 * key collapse into one; a key handed to a worker is never handed to another until `done`, and
 * if it was added again meanwhile it is queued again after; failures back off per key
 * (exponential with jitter, reset by `forget`) and globally (token bucket); `addAfter`
 * schedules a later add. Two priorities: `high` for changes, `low` for periodic resync, so a
 * resync of thousands of objects never delays a user's edit.
 */
import { realClock, type Clock } from './clock.ts';

export type Priority = 'high' | 'low';

/** Observes queue activity (implemented with prom-client in metrics.ts). */
export interface QueueMetrics {
  added(): void;
  depth(n: number): void;
  /** Seconds a key waited in the queue before a worker took it. */
  queued(seconds: number): void;
  /** Seconds a worker held a key. */
  worked(seconds: number): void;
  retried(): void;
}

export interface RateLimitOptions {
  /** First retry delay; doubles per consecutive failure. client-go: 5ms. */
  baseDelayMs?: number;
  /** Cap of the per-key delay. client-go: 1000s. */
  maxDelayMs?: number;
  /** Relative jitter applied to the per-key delay, e.g. 0.1 = ±10%. */
  jitter?: number;
  /** Global retry budget: tokens per second and bucket size. client-go: 10 / 100. */
  qps?: number;
  burst?: number;
}

export interface WorkQueueOptions extends RateLimitOptions {
  clock?: Clock;
  /** Random source in [0,1) for jitter. */
  random?: () => number;
  metrics?: QueueMetrics;
}

/** Token bucket that hands out reservations: the delay until the caller's token is available. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly qps: number;
  private readonly burst: number;

  constructor(qps: number, burst: number, now: number) {
    this.qps = qps;
    this.burst = burst;
    this.tokens = burst;
    this.last = now;
  }

  /** Takes one token (possibly in the future) and returns how long to wait for it, in ms. */
  reserve(now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1000);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.qps;
  }
}

/** The queue. Workers loop `get` → work → `done`. */
export class WorkQueue {
  private readonly queues: Record<Priority, string[]> = { high: [], low: [] };
  /** Keys waiting to be processed (queued, or re-added while processing) and their priority. */
  private readonly dirty = new Map<string, Priority>();
  /** Keys held by a worker → when it took them. */
  private readonly processing = new Map<string, number>();
  private readonly addedAt = new Map<string, number>();
  private readonly delayed = new Map<string, { readyAt: number; timer: unknown; priority: Priority }>();
  private readonly failures = new Map<string, number>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private drained: (() => void) | undefined;
  private shuttingDown = false;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly bucket: TokenBucket;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly jitter: number;

  private readonly opts: WorkQueueOptions;

  constructor(opts: WorkQueueOptions = {}) {
    this.opts = opts;
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 1_000_000;
    this.jitter = opts.jitter ?? 0.1;
    this.bucket = new TokenBucket(opts.qps ?? 10, opts.burst ?? 100, this.clock.now());
  }

  /** Queues `key` unless it is already waiting; a `high` add upgrades a waiting `low` key. */
  add(key: string, priority: Priority = 'high'): void {
    if (this.shuttingDown) return;
    const current = this.dirty.get(key);
    if (current !== undefined) {
      if (current === 'low' && priority === 'high') this.upgrade(key);
      return;
    }
    this.opts.metrics?.added();
    this.dirty.set(key, priority);
    this.addedAt.set(key, this.clock.now());
    if (this.processing.has(key)) return; // queued again by done()
    this.queues[priority].push(key);
    this.changed();
  }

  /** Adds `key` after `delayMs`; of several pending delayed adds of one key the earliest wins. */
  addAfter(key: string, delayMs: number, priority: Priority = 'high'): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key, priority);
      return;
    }
    const readyAt = this.clock.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending && pending.readyAt <= readyAt) return;
    if (pending) this.clock.clearTimeout(pending.timer);
    const timer = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key, priority);
    }, delayMs);
    this.delayed.set(key, { readyAt, timer, priority });
  }

  /** Re-adds `key` after its backoff: max(per-key exponential delay, global token bucket). */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.opts.metrics?.retried();
    this.addAfter(key, Math.max(this.nextItemDelay(key), this.bucket.reserve(this.clock.now())));
  }

  /** Clears `key`'s failure count (call after a success). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Consecutive failures recorded for `key`. */
  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Resolves with the next key, or undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks `key` finished; if it was added while processing it is queued again. */
  done(key: string): void {
    const started = this.processing.get(key);
    if (started === undefined) return;
    this.processing.delete(key);
    this.opts.metrics?.worked((this.clock.now() - started) / 1000);
    const priority = this.dirty.get(key);
    if (priority !== undefined && !this.shuttingDown) {
      this.queues[priority].push(key);
      this.changed();
    }
    if (this.processing.size === 0) this.drained?.();
  }

  /** Keys waiting for a worker (not counting delayed adds or keys being processed). */
  len(): number {
    return this.queues.high.length + this.queues.low.length;
  }

  /** Seconds of work in progress summed over all workers, and the longest single one. */
  inFlight(): { unfinishedSeconds: number; longestSeconds: number } {
    const now = this.clock.now();
    let unfinishedSeconds = 0;
    let longestSeconds = 0;
    for (const started of this.processing.values()) {
      const s = (now - started) / 1000;
      unfinishedSeconds += s;
      longestSeconds = Math.max(longestSeconds, s);
    }
    return { unfinishedSeconds, longestSeconds };
  }

  /** Stops intake: adds are ignored, pending delayed adds dropped, waiting workers get undefined. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) this.clock.clearTimeout(timer);
    this.delayed.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /** Shuts down and resolves when every key handed out is `done`, or after `timeoutMs`. */
  async shutDownWithDrain(timeoutMs: number): Promise<boolean> {
    this.shutDown();
    if (this.processing.size === 0) return true;
    let timer: unknown;
    const finished = await Promise.race([
      new Promise<boolean>(
        (resolve) =>
          (this.drained = () => {
            resolve(true);
          }),
      ),
      new Promise<boolean>(
        (resolve) =>
          (timer = this.clock.setTimeout(() => {
            resolve(false);
          }, timeoutMs)),
      ),
    ]);
    this.clock.clearTimeout(timer);
    return finished;
  }

  private nextItemDelay(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const exp = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** n);
    const jittered = exp * (1 + this.jitter * (2 * this.random() - 1));
    return Math.min(this.maxDelayMs, jittered);
  }

  private upgrade(key: string): void {
    this.dirty.set(key, 'high');
    const i = this.queues.low.indexOf(key);
    if (i === -1) return; // processing: done() requeues it as high
    this.queues.low.splice(i, 1);
    this.queues.high.push(key);
  }

  private take(): string | undefined {
    const key = this.queues.high.shift() ?? this.queues.low.shift();
    if (key === undefined) return undefined;
    const now = this.clock.now();
    this.dirty.delete(key);
    this.processing.set(key, now);
    this.opts.metrics?.queued((now - (this.addedAt.get(key) ?? now)) / 1000);
    this.addedAt.delete(key);
    this.opts.metrics?.depth(this.len());
    return key;
  }

  private changed(): void {
    while (this.waiters.length > 0) {
      const key = this.take();
      if (key === undefined) break;
      this.waiters.shift()?.(key);
    }
    this.opts.metrics?.depth(this.len());
  }
}
