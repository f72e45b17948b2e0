/**
 * Crashes for the controller-crash suite: where to SIGKILL the controller process, planned
 * from a seeded PRNG, and the step that starts a process, waits for that point in its AWS
 * calls and kills it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { seededRandom } from '../env/aws-proxy/faults.ts';
import type { RecordedCall } from '../env/aws-proxy/server.ts';

/** AWS calls that change something: a crash right after one is where a create can be orphaned. */
const MUTATING_CALL = /^(Create|Modify|Register|Authorize|Delete|Deregister|Revoke|Set|Add|Remove)/;

/**
 * When to kill. Time counts from the process's first AWS call, not from its start: startup
 * (Node, the API server's lists) takes 1–2 s, and crashes there reach no AWS state.
 */
export type KillPoint = { after: 'time'; ms: number } | { after: 'call'; nth: number };

/** How far into a run the kill points may lie. */
interface KillRange {
  /** Time points lie 300 ms to `maxMs` after the first AWS call. */
  maxMs: number;
  /** Call points follow the 1st to `maxNth` mutating call. */
  maxNth: number;
}

/** `count` kill points, half of each kind on average, within `range`. */
function planKillPoints(random: () => number, count: number, range: KillRange): KillPoint[] {
  return Array.from({ length: count }, () =>
    random() < 0.5
      ? { after: 'time', ms: Math.round(300 + random() * (range.maxMs - 300)) }
      : { after: 'call', nth: 1 + Math.floor(random() * range.maxNth) },
  );
}

/**
 * The kill points of `seed` for the convergence and the deletion phase. A process gets through
 * a dozen apps in about 2 s of work (deleting them in well under 1 s), so the points lie early:
 * else a few crashes would finish a phase.
 */
export function planCrashes(
  seed: number,
  counts: { convergence: number; deletion: number },
): { convergence: KillPoint[]; deletion: KillPoint[] } {
  const random = seededRandom(seed);
  return {
    convergence: planKillPoints(random, counts.convergence, { maxMs: 2_000, maxNth: 4 }),
    deletion: planKillPoints(random, counts.deletion, { maxMs: 600, maxNth: 2 }),
  };
}

/** What one crash hit. */
export interface Crash {
  point: KillPoint;
  /** The mutating call the kill followed (the last one recorded before it), if any. */
  lastMutation?: string;
  /** AWS calls the process made before it died. */
  calls: number;
  /** From its start to its first AWS call seen (undefined: it made none). */
  startupMs?: number;
  /** The point was not reached within the wait (e.g. nothing left to do), so it was killed then. */
  timedOut: boolean;
}

/** What {@link crashAt} needs of a controller process (a Replica is one). */
export interface Crashable {
  /** Its AWS calls alone, in arrival order. */
  calls(): RecordedCall[];
  /** SIGKILL; resolves once it has exited. */
  kill(): Promise<void>;
  /** Releases what outlives the process (its recorder). */
  stop(): Promise<void>;
}

/**
 * Starts a controller, waits until `point` in its calls and SIGKILLs it, resolving once it
 * has exited. It waits at most `startupWaitMs` for the first AWS call (a loaded machine starts
 * Node slowly) and `pointWaitMs` after it (the point may never come when nothing is left to do).
 */
export async function crashAt(
  start: () => Promise<Crashable>,
  point: KillPoint,
  { startupWaitMs = 30_000, pointWaitMs = 8_000 } = {},
): Promise<Crash> {
  const started = Date.now();
  const proc = await start();
  let firstCallAt: number | undefined;
  let reached = false;
  const waiting = (): boolean =>
    Date.now() < (firstCallAt === undefined ? started + startupWaitMs : firstCallAt + pointWaitMs);
  while (!reached && waiting()) {
    const calls = proc.calls();
    firstCallAt ??= calls.length > 0 ? Date.now() : undefined;
    reached =
      point.after === 'time'
        ? firstCallAt !== undefined && Date.now() - firstCallAt >= point.ms
        : calls.filter((c) => MUTATING_CALL.test(c.operation)).length >= point.nth;
    if (!reached) await sleep(20);
  }
  await proc.kill();
  const calls = proc.calls();
  await proc.stop();
  const last = calls.findLast((c) => MUTATING_CALL.test(c.operation));
  return {
    point,
    ...(last && { lastMutation: last.operation }),
    calls: calls.length,
    ...(firstCallAt !== undefined && { startupMs: firstCallAt - started }),
    timedOut: !reached,
  };
}

/** Counts of the mutating calls the crashes followed, e.g. `{CreateVpcEndpoint: 3}`. */
export function killedAfter(crashes: readonly Crash[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of crashes) {
    const key = c.lastMutation ?? '(none)';
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}
