/**
 * A periodic clean-up that runs only while there is something to clean: `poke()` after adding
 * an entry starts an unref'd interval (it never keeps the process alive), and the interval
 * stops itself once `sweep` reports nothing left. For memos that are otherwise pruned only on
 * their next use, which a quiet controller may never make.
 */
export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private readonly periodMs: number;
  private readonly sweep: () => number;

  /** @param sweep drops what has expired and returns how many entries remain. */
  constructor(periodMs: number, sweep: () => number) {
    this.periodMs = periodMs;
    this.sweep = sweep;
  }

  /** Makes sure a sweep is scheduled. */
  poke(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      if (this.sweep() > 0) return;
      clearInterval(this.timer);
      this.timer = undefined;
    }, this.periodMs);
    this.timer.unref();
  }
}
