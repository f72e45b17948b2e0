/**
 * Short-lived, single-flight memo of describes that many PublishedApps share (all owned
 * endpoints of a scope, a listener's rules, ...). A resync enqueues every object at once;
 * the first to ask loads, the others within `maxAgeMs` reuse the answer, so a resync costs
 * one paged describe per scope instead of one per object. Writers invalidate what they
 * changed so their own next read is fresh.
 */
export class SharedReads {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>();
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(maxAgeMs: number, now: () => number = Date.now) {
    this.maxAgeMs = maxAgeMs;
    this.now = now;
  }

  /** The memoised value of `key`, loading it when absent, older than `maxAgeMs`, or failed. */
  get<T>(key: string, load: () => Promise<T>, maxAgeMs = this.maxAgeMs): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at <= maxAgeMs) return hit.value as Promise<T>;
    const value = load();
    const entry = { at: this.now(), value };
    this.entries.set(key, entry);
    // A failed load is not remembered (the entry check keeps a newer load in place).
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }

  /**
   * Writes a change through to the memoised value of `key` (if there is one), keeping its
   * age: a writer that knows what it changed spares every reader a reload of the whole list.
   */
  patch<T>(key: string, change: (value: T) => T): void {
    const hit = this.entries.get(key);
    if (!hit) return;
    const patched = (hit.value as Promise<T>).then(change);
    // The load may still fail; `get` forgets the entry then, and whoever reads the patched
    // promise sees the error. Nobody may read it, so it must not count as unhandled (Node
    // ends the process on an unhandled rejection).
    patched.catch(() => undefined);
    hit.value = patched;
  }

  /** Forgets `key`, so the next `get` loads again. */
  invalidate(key: string): void {
    this.entries.delete(key);
  }
}
