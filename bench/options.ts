/** Command-line options of the benchmark. */
import { parseArgs } from 'node:util';

/** What one benchmark run does. */
export interface BenchOptions {
  /** App counts to measure, each in a fresh environment. */
  sizes: number[];
  /** The proxy's refill multiplier, also the controller's client-side `refillScale`. */
  timeScale: number;
  /** The controller's `--aws-api-share`. */
  share: number;
  /** The controller's `--resync-period`, in seconds. */
  resyncSeconds: number;
  /** The controller's `--observe-period`, in seconds. */
  observeSeconds: number;
  /** The controller's `--full-recheck-period`, in seconds. */
  fullRecheckSeconds: number;
  /** The controller's `--concurrency`. */
  concurrency: number;
  /** Length of the steady-state window, in seconds. */
  steadySeconds: number;
  /** ENI-IP changes to time (at most one per app). */
  eniChanges: number;
  /** Rules per ALB listener (the default quota is 100 rules per ALB). */
  rulesPerListener: number;
  /** Endpoint services per NLB in the provider VPC. */
  servicesPerNlb: number;
  /** Upper bound on the cold start, in seconds: past it the size is reported as not converged. */
  coldStartTimeoutSeconds: number;
  /** Git revision whose src/ the controller runs (exported to .cache); undefined = the working tree. */
  controllerRev: string | undefined;
  /** Run the controller bundled, as the image does (default); false: its TypeScript sources. */
  bundled: boolean;
}

export const USAGE = `Usage: npm run bench -- [--sizes 100,300,1000] [--time-scale 10] [--share 0.5]
  [--resync 300] [--observe 10] [--full-recheck 3600] [--concurrency 16] [--steady 120]
  [--eni-changes 50] [--rules-per-listener 90] [--services-per-nlb 25]
  [--cold-start-timeout 1800] [--controller-rev <git rev>] [--unbundled]`;

function positive(name: string, raw: string, integer: boolean): number {
  const n = Number(raw);
  if (!(n > 0) || (integer && !Number.isInteger(n))) {
    throw new Error(`--${name}: expected a positive ${integer ? 'integer' : 'number'}, got ${raw}`);
  }
  return n;
}

/** Parses argv (without node and script); throws with the offending flag on bad input. */
export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      sizes: { type: 'string', default: '100,300,1000' },
      'time-scale': { type: 'string', default: '10' },
      share: { type: 'string', default: '0.5' },
      // The controller's own defaults (src/config.ts): the goals are "with default settings".
      resync: { type: 'string', default: '300' },
      observe: { type: 'string', default: '10' },
      'full-recheck': { type: 'string', default: '3600' },
      concurrency: { type: 'string', default: '16' },
      steady: { type: 'string', default: '120' },
      'eni-changes': { type: 'string', default: '50' },
      'rules-per-listener': { type: 'string', default: '90' },
      'services-per-nlb': { type: 'string', default: '25' },
      'cold-start-timeout': { type: 'string', default: '1800' },
      'controller-rev': { type: 'string' },
      unbundled: { type: 'boolean', default: false },
    },
  });
  const share = positive('share', values.share, false);
  if (share > 1) throw new Error(`--share: at most 1, got ${values.share}`);
  const rulesPerListener = positive('rules-per-listener', values['rules-per-listener'], true);
  if (rulesPerListener > 99)
    throw new Error('--rules-per-listener: at most 99 (100 rules per ALB, one is the default)');
  return {
    sizes: values.sizes.split(',').map((s) => positive('sizes', s.trim(), true)),
    timeScale: positive('time-scale', values['time-scale'], false),
    share,
    resyncSeconds: positive('resync', values.resync, false),
    observeSeconds: positive('observe', values.observe, false),
    fullRecheckSeconds: positive('full-recheck', values['full-recheck'], false),
    concurrency: positive('concurrency', values.concurrency, true),
    steadySeconds: positive('steady', values.steady, false),
    eniChanges: positive('eni-changes', values['eni-changes'], true),
    rulesPerListener,
    servicesPerNlb: positive('services-per-nlb', values['services-per-nlb'], true),
    coldStartTimeoutSeconds: positive('cold-start-timeout', values['cold-start-timeout'], false),
    controllerRev: values['controller-rev'],
    bundled: !values.unbundled,
  };
}
