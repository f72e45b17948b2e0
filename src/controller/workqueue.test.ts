import type { Clock } from './clock.ts';
import { TokenBucket, WorkQueue, type QueueMetrics } from './workqueue.ts';

/** A clock whose time moves only when the test says so. */
class ManualClock implements Clock {
  private t = 1_000_000;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Moves time forward, firing due timers in time order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, x]) => x.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
  }
  pending(): number {
    return this.timers.size;
  }
}

/** Takes every key available right now (without waiting). */
async function drainNow(q: WorkQueue): Promise<string[]> {
  const out: string[] = [];
  while (q.len() > 0) {
    const k = await q.get();
    if (k !== undefined) out.push(k);
  }
  return out;
}

/** Delay until `key` is queued again after addRateLimited, found by stepping the clock 1ms at a time. */
function delayUntilQueued(q: WorkQueue, clock: ManualClock, key: string, limitMs: number): number {
  q.addRateLimited(key);
  let waited = 0;
  while (q.len() === 0) {
    if (waited > limitMs) throw new Error(`not queued within ${limitMs}ms`);
    clock.advance(1);
    waited++;
  }
  return waited;
}

describe('WorkQueue', () => {
  test('repeated adds of a waiting key collapse into one', async () => {
    const q = new WorkQueue();
    q.add('ns/a');
    q.add('ns/a');
    q.add('ns/b');
    q.add('ns/a');
    expect(q.len()).toBe(2);
    expect(await drainNow(q)).toEqual(['ns/a', 'ns/b']);
  });

  test('a key being processed is not handed out again until done, then it is', async () => {
    const q = new WorkQueue();
    q.add('ns/a');
    const first = await q.get();
    expect(first).toBe('ns/a');
    q.add('ns/a'); // changed while processing
    q.add('ns/a');
    expect(q.len()).toBe(0);
    let second: string | undefined;
    const waiting = q.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).toBeUndefined();
    q.done('ns/a');
    await waiting;
    expect(second).toBe('ns/a');
    q.done('ns/a');
    expect(q.len()).toBe(0);
  });

  test('a key done without re-add is not queued again', async () => {
    const q = new WorkQueue();
    q.add('ns/a');
    await q.get();
    q.done('ns/a');
    expect(q.len()).toBe(0);
  });

  test('concurrent workers never hold the same key', async () => {
    const q = new WorkQueue();
    const holding = new Set<string>();
    let overlaps = 0;
    let processed = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const k = await q.get();
        if (k === undefined) return;
        if (holding.has(k)) overlaps++;
        holding.add(k);
        await new Promise((r) => setImmediate(r));
        if (processed < 200) q.add(k); // re-add while held
        processed++;
        holding.delete(k);
        q.done(k);
      }
    };
    for (const k of ['ns/a', 'ns/b', 'ns/c']) q.add(k);
    const workers = Array.from({ length: 4 }, () => worker());
    while (processed < 200) await new Promise((r) => setImmediate(r));
    q.shutDown();
    await Promise.all(workers);
    expect(overlaps).toBe(0);
    expect(processed).toBeGreaterThanOrEqual(200);
  });

  test('per-key backoff doubles from the base delay and forget resets it', () => {
    const clock = new ManualClock();
    // jitter 0 and a huge bucket isolate the per-key exponential part
    const q = new WorkQueue({ clock, baseDelayMs: 5, maxDelayMs: 1000, jitter: 0, qps: 1e9, burst: 1e9 });
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      delays.push(delayUntilQueued(q, clock, 'ns/a', 5000));
      void q.get(); // takes ns/a synchronously
      q.done('ns/a');
    }
    expect(delays).toEqual([5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
    expect(q.numRequeues('ns/a')).toBe(10);
    q.forget('ns/a');
    expect(q.numRequeues('ns/a')).toBe(0);
    expect(delayUntilQueued(q, clock, 'ns/a', 5000)).toBe(5);
  });

  test('backoff is per key', () => {
    const clock = new ManualClock();
    const q = new WorkQueue({ clock, baseDelayMs: 10, jitter: 0, qps: 1e9, burst: 1e9 });
    q.addRateLimited('ns/a');
    q.addRateLimited('ns/a');
    q.addRateLimited('ns/a');
    expect(q.numRequeues('ns/a')).toBe(3);
    expect(q.numRequeues('ns/b')).toBe(0);
  });

  test('jitter keeps the delay within ±jitter of the exponential value', () => {
    for (const [random, expected] of [
      [0, 90],
      [0.5, 100],
      [0.99999, 110],
    ] as const) {
      const clock = new ManualClock();
      const q = new WorkQueue({
        clock,
        baseDelayMs: 100,
        jitter: 0.1,
        qps: 1e9,
        burst: 1e9,
        random: () => random,
      });
      expect(delayUntilQueued(q, clock, 'ns/a', 1000)).toBe(expected);
    }
  });

  test('the global token bucket limits retries across keys', () => {
    const clock = new ManualClock();
    // per-key delay negligible; 10 qps with burst 2: the 3rd and 4th retry wait 100ms and 200ms
    const q = new WorkQueue({ clock, baseDelayMs: 1, jitter: 0, qps: 10, burst: 2 });
    for (const k of ['ns/a', 'ns/b', 'ns/c', 'ns/d']) q.addRateLimited(k);
    clock.advance(1);
    expect(q.len()).toBe(2);
    clock.advance(98);
    expect(q.len()).toBe(2);
    clock.advance(1);
    expect(q.len()).toBe(3);
    clock.advance(100);
    expect(q.len()).toBe(4);
  });

  test('token bucket refills at qps up to burst', () => {
    const b = new TokenBucket(10, 3, 0);
    expect([b.reserve(0), b.reserve(0), b.reserve(0)]).toEqual([0, 0, 0]);
    expect(b.reserve(0)).toBeCloseTo(100);
    const later = new TokenBucket(10, 3, 0);
    for (let i = 0; i < 3; i++) later.reserve(0);
    expect(later.reserve(10_000)).toBe(0); // refilled, but capped at burst
    expect(later.reserve(10_000)).toBe(0);
    expect(later.reserve(10_000)).toBe(0);
    expect(later.reserve(10_000)).toBeCloseTo(100);
  });

  test('addAfter queues the key only when the delay has passed; the earliest of several wins', () => {
    const clock = new ManualClock();
    const q = new WorkQueue({ clock });
    q.addAfter('ns/a', 1000);
    q.addAfter('ns/a', 5000);
    q.addAfter('ns/b', 3000);
    clock.advance(999);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
    clock.advance(2000);
    expect(q.len()).toBe(2);
    clock.advance(10_000);
    expect(q.len()).toBe(2); // the later add of ns/a was dropped in favour of the earlier
  });

  test('a shorter addAfter replaces a longer pending one', () => {
    const clock = new ManualClock();
    const q = new WorkQueue({ clock });
    q.addAfter('ns/a', 5000);
    q.addAfter('ns/a', 100);
    clock.advance(100);
    expect(q.len()).toBe(1);
    expect(clock.pending()).toBe(0);
  });

  test('high priority keys are handed out before low ones; a high add upgrades a waiting low key', async () => {
    const q = new WorkQueue();
    q.add('ns/resync-1', 'low');
    q.add('ns/resync-2', 'low');
    q.add('ns/resync-3', 'low');
    q.add('ns/edit', 'high');
    q.add('ns/resync-3', 'high');
    q.add('ns/edit', 'low'); // no downgrade
    expect(q.len()).toBe(4);
    expect(await drainNow(q)).toEqual(['ns/edit', 'ns/resync-3', 'ns/resync-1', 'ns/resync-2']);
  });

  test('shutDown releases waiting workers, ignores adds and drops delayed adds', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue({ clock });
    const waiting = q.get();
    q.addAfter('ns/a', 100);
    q.shutDown();
    expect(await waiting).toBeUndefined();
    q.add('ns/b');
    clock.advance(1000);
    expect(q.len()).toBe(0);
    expect(await q.get()).toBeUndefined();
  });

  test('shutDownWithDrain waits for keys in progress, bounded by the timeout', async () => {
    const q = new WorkQueue();
    q.add('ns/a');
    const k = await q.get();
    let drained: boolean | undefined;
    const p = q.shutDownWithDrain(10_000).then((d) => (drained = d));
    await new Promise((r) => setImmediate(r));
    expect(drained).toBeUndefined();
    q.done(k!);
    await p;
    expect(drained).toBe(true);

    const clock = new ManualClock();
    const stuck = new WorkQueue({ clock });
    stuck.add('ns/a');
    await stuck.get();
    const timedOut = stuck.shutDownWithDrain(500);
    clock.advance(500);
    expect(await timedOut).toBe(false);
  });

  test('reports adds, depth, latencies and retries to its metrics', async () => {
    const clock = new ManualClock();
    const seen = {
      added: 0,
      depth: [] as number[],
      queued: [] as number[],
      worked: [] as number[],
      retried: 0,
    };
    const metrics: QueueMetrics = {
      added: () => {
        seen.added++;
      },
      depth: (n) => void seen.depth.push(n),
      queued: (s) => void seen.queued.push(s),
      worked: (s) => void seen.worked.push(s),
      retried: () => {
        seen.retried++;
      },
    };
    const q = new WorkQueue({ clock, metrics, jitter: 0 });
    q.add('ns/a');
    q.add('ns/a');
    clock.advance(250);
    await q.get();
    clock.advance(1500);
    expect(q.inFlight()).toEqual({ unfinishedSeconds: 1.5, longestSeconds: 1.5 });
    q.done('ns/a');
    q.addRateLimited('ns/a');
    expect(seen).toMatchObject({ added: 1, queued: [0.25], worked: [1.5], retried: 1 });
    expect(seen.depth.at(-1)).toBe(0);
  });
});
