/**
 * Short-lived, single-flight memo of describes that many PublishedApps share (all owned
 * endpoints of a scope, a listener's rules, ...). A resync enqueues every object at once;
 * the first to ask loads, the others within `maxAgeMs` reuse the answer, so a resync costs
 * one paged describe per scope instead of one per object. Writers invalidate what they
 * changed so their own next read is fresh. Keys are typed ({@link ReadKey}): a reader, a
 * writer and an invalidation of one key cannot disagree on what it holds.
 */

/** A memo key carrying the type of the value it names (`_value` exists for the type only). */
export interface ReadKey<T> {
  readonly id: string;
  readonly _value?: T;
}

/** The key `id` for values of type `T`. */
export function readKey<T>(id: string): ReadKey<T> {
  return { id };
}

export class SharedReads {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>();
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(maxAgeMs: number, now: () => number = Date.now) {
    this.maxAgeMs = maxAgeMs;
    this.now = now;
  }

  /** The memoised value of `key`, loading it when absent, older than `maxAgeMs`, or failed. */
  get<T>({ id }: ReadKey<T>, load: () => Promise<T>, maxAgeMs = this.maxAgeMs): Promise<T> {
    const hit = this.entries.get(id);
    if (hit && this.now() - hit.at <= maxAgeMs) return hit.value as Promise<T>;
    const value = load();
    const entry = { at: this.now(), value };
    this.entries.set(id, entry);
    // A failed load is not remembered (the entry check keeps a newer load in place).
    value.catch(() => {
      if (this.entries.get(id) === entry) this.entries.delete(id);
    });
    return value;
  }

  /**
   * Writes a change through to the memoised value of `key` (if there is one), keeping its
   * age: a writer that knows what it changed spares every reader a reload of the whole list.
   */
  patch<T>({ id }: ReadKey<T>, change: (value: T) => T): void {
    const hit = this.entries.get(id);
    if (!hit) return;
    const patched = (hit.value as Promise<T>).then(change);
    // The load may still fail; `get` forgets the entry then, and whoever reads the patched
    // promise sees the error. Nobody may read it, so it must not count as unhandled (Node
    // ends the process on an unhandled rejection).
    patched.catch(() => undefined);
    hit.value = patched;
  }

  /** Forgets `key`, so the next `get` loads again. */
  invalidate({ id }: ReadKey<unknown>): void {
    this.entries.delete(id);
  }
}
