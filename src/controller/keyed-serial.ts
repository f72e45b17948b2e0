/**
 * Runs tasks one at a time per key, in the order they were given; tasks of different keys run
 * concurrently. For read-modify-write sequences several workers of one process may start on the
 * same AWS resource at once (this process is the only writer while it leads).
 */
export class KeyedSerial {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` after every task given earlier for `key` has settled; a failure does not block the next. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    // The map holds only keys with work in flight.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Keys with a task running or waiting (for tests). */
  get busyKeys(): number {
    return this.tails.size;
  }
}
