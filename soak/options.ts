/** Command-line options of the soak. */
import { parseArgs } from 'node:util';

/** What one soak run does. */
export interface SoakOptions {
  /** Length of the run (actions and checks), in minutes. */
  minutes: number;
  /** PublishedApps kept alive (less the ones deleted and not yet re-created). */
  apps: number;
  /** Seed of the action PRNG and of the proxy's fault PRNG: a run can be repeated. */
  seed: number;
  /** Centre of each fault rule's rate: rules fire on rate ± 0.1 of the matching calls. */
  faultRate: number;
  /** Minutes between invariant checks (each one quiets the faults and waits for convergence). */
  checkEveryMinutes: number;
  /** Seconds between two actions. */
  actionEverySeconds: number;
  /** Bound on one convergence wait, in seconds: past it the failing invariants are violations. */
  convergeTimeoutSeconds: number;
  /** The proxy's refill multiplier, also the controller's client-side `refillScale` (as in bench/). */
  timeScale: number;
  /** The controller's `--resync-period`, in seconds: out-of-band drift is seen at the next resync. */
  resyncSeconds: number;
  /**
   * The controller's `--full-recheck-period`, in seconds. Out-of-band target changes are
   * seen only at an app's full walk (the observation cannot see targets), so the soak walks
   * often: it checks that drift is put back, not how fast (that is the benchmark's).
   */
  fullRecheckSeconds: number;
}

export const USAGE = `Usage: npm run soak -- [--minutes 120] [--apps 200] [--seed 1] [--fault-rate 0.2]
  [--check-every 10] [--action-every 5] [--converge-timeout 600] [--time-scale 10] [--resync 30]
  [--full-recheck 60]`;

function positive(name: string, raw: string, integer: boolean): number {
  const n = Number(raw);
  if (!(n > 0) || (integer && !Number.isInteger(n))) {
    throw new Error(`--${name}: expected a positive ${integer ? 'integer' : 'number'}, got ${raw}`);
  }
  return n;
}

/** Parses argv (without node and script); throws with the offending flag on bad input. */
export function parseSoakOptions(argv: string[]): SoakOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      minutes: { type: 'string', default: '120' },
      apps: { type: 'string', default: '200' },
      seed: { type: 'string', default: '1' },
      'fault-rate': { type: 'string', default: '0.2' },
      'check-every': { type: 'string', default: '10' },
      'action-every': { type: 'string', default: '5' },
      'converge-timeout': { type: 'string', default: '600' },
      'time-scale': { type: 'string', default: '10' },
      resync: { type: 'string', default: '30' },
      'full-recheck': { type: 'string', default: '60' },
    },
  });
  const faultRate = Number(values['fault-rate']);
  if (!(faultRate >= 0 && faultRate <= 0.9)) {
    throw new Error(`--fault-rate: expected 0 to 0.9, got ${values['fault-rate']}`);
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0)
    throw new Error(`--seed: expected an integer ≥ 0, got ${values.seed}`);
  return {
    minutes: positive('minutes', values.minutes, false),
    apps: positive('apps', values.apps, true),
    seed,
    faultRate,
    checkEveryMinutes: positive('check-every', values['check-every'], false),
    actionEverySeconds: positive('action-every', values['action-every'], false),
    convergeTimeoutSeconds: positive('converge-timeout', values['converge-timeout'], false),
    timeScale: positive('time-scale', values['time-scale'], false),
    resyncSeconds: positive('resync', values.resync, false),
    fullRecheckSeconds: positive('full-recheck', values['full-recheck'], false),
  };
}
