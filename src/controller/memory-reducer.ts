/**
 * Gives back the memory a burst of reconciles left committed (docs/adr/0005-memory.md,
 * amendment 2). After a cold start V8 keeps the pages its heap grew into: at N=1,000 the
 * benchmark's controller held ≈ 140 MB of 256 KiB heap pages while its spaces totalled
 * 65 MB, and nothing in a quiet controller ever made V8 release them (its memory reducer
 * works on signals a browser gives, such as a tab going to the background). One
 * memory-reducing full GC — what `HeapProfiler.collectGarbage` runs — released ≈ 60 MB.
 * So, once the queues have been quiet for a while after enough work, the controller runs
 * one itself: a pause of a few hundred milliseconds while there is nothing else to do.
 */
import { Session } from 'node:inspector/promises';

/** When a reduction is worth its pause. */
export interface MemoryReductionPolicy {
  /** No reconcile for this long: the burst is over. */
  quietMs: number;
  /** Reconciles since the last reduction below which there is nothing to give back. */
  minReconciles: number;
  /** At most one reduction per this period (periodic resyncs are bursts too). */
  minIntervalMs: number;
}

export const DEFAULT_MEMORY_REDUCTION: MemoryReductionPolicy = {
  quietMs: 30_000,
  minReconciles: 200,
  minIntervalMs: 300_000,
};

/** What the reducer knows when its quiet timer fires. */
export interface ReductionState {
  reconcilesSinceLast: number;
  /** When the last reduction ran (epoch ms); undefined: never. */
  lastReductionAt: number | undefined;
  now: number;
}

/**
 * Whether to reduce now. @returns `reduce`, `skip` (too little work to matter), or `wait`
 * with the time left until the minimum interval since the last reduction has passed.
 */
export function reductionDue(
  state: ReductionState,
  policy: MemoryReductionPolicy,
): { action: 'reduce' } | { action: 'skip' } | { action: 'wait'; ms: number } {
  if (state.reconcilesSinceLast < policy.minReconciles) return { action: 'skip' };
  if (state.lastReductionAt === undefined) return { action: 'reduce' };
  const left = state.lastReductionAt + policy.minIntervalMs - state.now;
  return left > 0 ? { action: 'wait', ms: left } : { action: 'reduce' };
}

/**
 * A full, memory-reducing GC of this process (V8's CollectAllAvailableGarbage, through an
 * in-process inspector session: no port is opened, and no flag such as --expose-gc is needed).
 */
export async function collectAllGarbage(): Promise<void> {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.collectGarbage');
  } finally {
    session.disconnect();
  }
}

/** What a reduction did, for the log and the metric. */
export interface Reduction {
  rssBeforeBytes: number;
  rssAfterBytes: number;
  ms: number;
}

/** Where the reducer reports: each reduction, or the error a reduction failed with. */
export interface ReductionHooks {
  onReduced: (r: Reduction) => void;
  onError: (err: unknown) => void;
}

/**
 * Counts reconciles and, `policy.quietMs` after the last one, reduces memory when
 * `reductionDue` says so. Its timer is unref'd: it never keeps the process alive.
 */
export class MemoryReducer {
  private readonly policy: MemoryReductionPolicy;
  private readonly hooks: ReductionHooks;
  private readonly collect: () => Promise<void>;
  private reconciles = 0;
  private lastReductionAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  /** @param collect the GC to run (tests may count calls); default `collectAllGarbage`. */
  constructor(
    policy: MemoryReductionPolicy,
    hooks: ReductionHooks,
    collect: () => Promise<void> = collectAllGarbage,
  ) {
    this.policy = policy;
    this.hooks = hooks;
    this.collect = collect;
  }

  /** Records one finished reconcile and restarts the quiet timer. */
  reconciled(): void {
    this.reconciles++;
    this.arm(this.policy.quietMs);
  }

  /** Cancels a pending reduction (the process is stopping). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.fire(), ms);
    this.timer.unref();
  }

  private async fire(): Promise<void> {
    this.timer = undefined;
    if (this.running) return;
    const due = reductionDue(
      { reconcilesSinceLast: this.reconciles, lastReductionAt: this.lastReductionAt, now: Date.now() },
      this.policy,
    );
    if (due.action === 'wait') this.arm(due.ms);
    if (due.action !== 'reduce') return;
    this.running = true;
    this.reconciles = 0;
    const rssBeforeBytes = process.memoryUsage.rss();
    const started = performance.now();
    try {
      await this.collect();
      const ms = performance.now() - started;
      this.hooks.onReduced({ rssBeforeBytes, rssAfterBytes: process.memoryUsage.rss(), ms });
    } catch (err) {
      this.hooks.onError(err);
    } finally {
      this.running = false;
      this.lastReductionAt = Date.now();
    }
  }
}
