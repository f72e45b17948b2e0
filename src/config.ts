/**
 * Command-line flags and PLP_* environment variables → a typed, validated configuration.
 * Flags win over environment; every problem is reported at once with the flag and variable
 * that set it, so a broken Deployment fails with one readable message.
 */
import { parseArgs } from 'node:util';

/** The controller's configuration. */
export interface Config {
  /** Path of a kubeconfig; undefined = in-cluster service account (or the default loading rules). */
  kubeconfig: string | undefined;
  /** Namespaces to watch; empty = all. */
  namespaces: string[];
  region: string;
  concurrency: number;
  resyncPeriodMs: number;
  /** How often owned AWS state is observed for changes (ENIs, endpoint state, SGs, rules). */
  observePeriodMs: number;
  /** Mean time between full walks of an unchanged PublishedApp. */
  fullRecheckPeriodMs: number;
  leaderElect: boolean;
  leaderElectionId: string;
  leaderElectionNamespace: string;
  /** How long a standby waits after the leader's last renewal before taking the Lease. */
  leaseDurationMs: number;
  /** How long the leader keeps trying to renew before it stops reconciling. */
  renewDeadlineMs: number;
  /** Interval between acquire/renew attempts. */
  retryPeriodMs: number;
  httpAddress: string;
  logLevel: LogLevel;
  dryRun: boolean;
  clusterId: string;
  awsApiShare: number;
  /** Accept a raw PublishedApp spec.listenerArn (no SharedListener grant): one team, one cluster. */
  singleTenant: boolean;
  /** AWS's "rules per Application Load Balancer" quota for the account (default rules not counted). */
  albRuleQuota: number;
  /** AWS's "certificates per Application Load Balancer" quota for the account (default ones not counted). */
  albCertificateQuota: number;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** Invalid configuration; `problems` lists every issue found. */
export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Flag → environment variable(s) consulted when the flag is absent, in order. */
const ENV: Record<string, string[]> = {
  kubeconfig: ['PLP_KUBECONFIG', 'KUBECONFIG'],
  namespaces: ['PLP_NAMESPACES'],
  region: ['PLP_REGION', 'AWS_REGION', 'AWS_DEFAULT_REGION'],
  concurrency: ['PLP_CONCURRENCY'],
  'resync-period': ['PLP_RESYNC_PERIOD'],
  'observe-period': ['PLP_OBSERVE_PERIOD'],
  'full-recheck-period': ['PLP_FULL_RECHECK_PERIOD'],
  'leader-elect': ['PLP_LEADER_ELECT'],
  'leader-election-id': ['PLP_LEADER_ELECTION_ID'],
  'leader-election-namespace': ['PLP_LEADER_ELECTION_NAMESPACE', 'POD_NAMESPACE'],
  'leader-elect-lease-duration': ['PLP_LEADER_ELECT_LEASE_DURATION'],
  'leader-elect-renew-deadline': ['PLP_LEADER_ELECT_RENEW_DEADLINE'],
  'leader-elect-retry-period': ['PLP_LEADER_ELECT_RETRY_PERIOD'],
  'http-address': ['PLP_HTTP_ADDRESS'],
  'log-level': ['PLP_LOG_LEVEL'],
  'dry-run': ['PLP_DRY_RUN'],
  'cluster-id': ['PLP_CLUSTER_ID'],
  'aws-api-share': ['PLP_AWS_API_SHARE'],
  'single-tenant': ['PLP_SINGLE_TENANT'],
  'alb-rule-quota': ['PLP_ALB_RULE_QUOTA'],
  'alb-certificate-quota': ['PLP_ALB_CERTIFICATE_QUOTA'],
};

const BOOLEAN_FLAGS = new Set(['leader-elect', 'dry-run', 'single-tenant']);

/** Usage text for --help. */
export const USAGE = `Usage: privatelink-publisher [flags]

  --kubeconfig PATH                 kubeconfig file (default: in-cluster)       [PLP_KUBECONFIG, KUBECONFIG]
  --namespaces a,b                  namespaces to watch (default: all)          [PLP_NAMESPACES]
  --region REGION                   default AWS region (required)               [PLP_REGION, AWS_REGION]
  --cluster-id ID                   this installation's id, tagged on AWS resources (required) [PLP_CLUSTER_ID]
  --concurrency N                   workers per controller (default 16)         [PLP_CONCURRENCY]
  --resync-period DURATION          period of enqueueing every object, e.g. 5m (default 5m) [PLP_RESYNC_PERIOD]
  --observe-period DURATION         owned endpoints described this often for ENI/state changes;
                                    SGs and rules every 6th time (default 10s)  [PLP_OBSERVE_PERIOD]
  --full-recheck-period DURATION    an unchanged PublishedApp is walked in full (targets and
                                    target group settings included) this often (default 1h) [PLP_FULL_RECHECK_PERIOD]
  --leader-elect                    elect a leader via a Lease (default off)    [PLP_LEADER_ELECT]
  --leader-election-id NAME         Lease name (default privatelink-publisher)  [PLP_LEADER_ELECTION_ID]
  --leader-election-namespace NS    Lease namespace (default: the pod's)        [PLP_LEADER_ELECTION_NAMESPACE, POD_NAMESPACE]
  --leader-elect-lease-duration D   a standby takes the Lease this long after the leader's last
                                    renewal: the fail-over time (default 15s)   [PLP_LEADER_ELECT_LEASE_DURATION]
  --leader-elect-renew-deadline D   the leader stops reconciling when it could not renew for this
                                    long; < lease duration (default 10s)        [PLP_LEADER_ELECT_RENEW_DEADLINE]
  --leader-elect-retry-period D     between acquire/renew attempts; < renew deadline (default 2s) [PLP_LEADER_ELECT_RETRY_PERIOD]
  --http-address HOST:PORT          /healthz /readyz /metrics (default :8080)   [PLP_HTTP_ADDRESS]
  --log-level LEVEL                 trace|debug|info|warn|error (default info)  [PLP_LOG_LEVEL]
  --dry-run                         plan and report only; change nothing in AWS [PLP_DRY_RUN]
  --aws-api-share FRACTION          share of AWS's API rate limits to use, 0-1 (default 0.5) [PLP_AWS_API_SHARE]
  --single-tenant                   accept a raw spec.listenerArn on PublishedApps, without a
                                    SharedListener grant; only where one team owns the cluster
                                    and the ALB (default off)                   [PLP_SINGLE_TENANT]
  --alb-rule-quota N                rules an ALB may hold across its listeners, default rules not
                                    counted: the account's quota (default 100)  [PLP_ALB_RULE_QUOTA]
  --alb-certificate-quota N         SNI certificates an ALB may hold across its listeners, default
                                    ones not counted: the account's quota (default 25)
                                                                                [PLP_ALB_CERTIFICATE_QUOTA]
`;

/**
 * Parses `--1h30m`-style durations (Go's time.ParseDuration units ms, s, m, h).
 * @returns milliseconds, or undefined when `s` is not a duration.
 */
export function parseDuration(s: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let matched = 0;
  while (re.lastIndex < s.length) {
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * (unit[m[2] ?? ''] ?? NaN);
    matched++;
  }
  return matched > 0 && Number.isFinite(total) ? Math.round(total) : undefined;
}

function parseBool(v: string): boolean | undefined {
  const t = v.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(t)) return true;
  if (['false', '0', 'no', 'off', ''].includes(t)) return false;
  return undefined;
}

const NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function checkRegion(region: string, source: string): string[] {
  if (region === '') return ['region is required: --region, PLP_REGION or AWS_REGION'];
  return /^[a-z]{2}(-[a-z]+)+-\d+$/.test(region) ? [] : [`${source}: not an AWS region: ${region}`];
}

function checkClusterId(id: string, source: string): string[] {
  if (id === '') return ['cluster id is required: --cluster-id or PLP_CLUSTER_ID'];
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(id)
    ? []
    : [`${source}: 1-63 characters of letters, digits, '.', '_' or '-': ${id}`];
}

/** Where a value came from, for error messages. */
interface Raw {
  value: string | boolean | undefined;
  source: string;
}

function lookup(
  flag: string,
  flags: Record<string, string | boolean | undefined>,
  env: NodeJS.ProcessEnv,
): Raw {
  if (flags[flag] !== undefined) return { value: flags[flag], source: `--${flag}` };
  for (const name of ENV[flag] ?? []) {
    const v = env[name];
    if (v !== undefined && v !== '') return { value: v, source: name };
  }
  return { value: undefined, source: `--${flag}` };
}

type LeaderElectionConfig = Pick<
  Config,
  'leaderElect' | 'leaderElectionNamespace' | 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'
>;

/**
 * client-go's rules: a leader needs a namespace for its Lease, must give up before a standby
 * may take over, and tries more than once (with jitter) before it gives up.
 */
function checkLeaderElection(c: LeaderElectionConfig): string[] {
  const problems: string[] = [];
  if (c.leaderElect && c.leaderElectionNamespace === '')
    problems.push('leader election needs a namespace: --leader-election-namespace or POD_NAMESPACE');
  if (c.renewDeadlineMs >= c.leaseDurationMs)
    problems.push('--leader-elect-renew-deadline must be shorter than --leader-elect-lease-duration');
  if (c.retryPeriodMs * 1.2 >= c.renewDeadlineMs)
    problems.push('--leader-elect-retry-period × 1.2 must be shorter than --leader-elect-renew-deadline');
  return problems;
}

/**
 * Builds the configuration from `argv` (without node and script) and `env`.
 * @param podNamespace the in-cluster namespace (service-account namespace file), if any.
 * @throws ConfigError listing every problem.
 */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv, podNamespace?: string): Config {
  const options = Object.fromEntries(
    Object.keys(ENV).map((f) => [
      f,
      { type: BOOLEAN_FLAGS.has(f) ? ('boolean' as const) : ('string' as const) },
    ]),
  );
  let parsed: Record<string, string | boolean | undefined>;
  try {
    parsed = parseArgs({
      args: argv,
      options,
      allowPositionals: false,
      allowNegative: true,
      strict: true,
    }).values;
  } catch (err) {
    throw new ConfigError([(err as Error).message]);
  }
  const problems: string[] = [];
  const get = (flag: string): Raw => lookup(flag, parsed, env);
  const str = (flag: string, dflt: string): string => {
    const r = get(flag);
    return typeof r.value === 'string' ? r.value.trim() : dflt;
  };
  const bool = (flag: string): boolean => {
    const r = get(flag);
    if (typeof r.value === 'boolean' || r.value === undefined) return r.value ?? false;
    const b = parseBool(r.value);
    if (b === undefined) problems.push(`${r.source}: want true or false, got ${JSON.stringify(r.value)}`);
    return b ?? false;
  };
  const num = (flag: string, dflt: number, ok: (n: number) => boolean, want: string): number => {
    const r = get(flag);
    if (r.value === undefined) return dflt;
    const n = Number(r.value);
    if (typeof r.value !== 'string' || r.value.trim() === '' || !ok(n)) {
      problems.push(`${r.source}: want ${want}, got ${JSON.stringify(r.value)}`);
      return dflt;
    }
    return n;
  };

  const region = str('region', '');
  problems.push(...checkRegion(region, get('region').source));
  const clusterId = str('cluster-id', '');
  problems.push(...checkClusterId(clusterId, get('cluster-id').source));
  const namespaces = str('namespaces', '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  problems.push(
    ...namespaces
      .filter((ns) => !NAMESPACE_RE.test(ns))
      .map((ns) => `--namespaces: not a namespace name: ${ns}`),
  );

  const duration = (name: string, defaultMs: number, minMs: number, example: string): number => {
    const raw = get(name);
    if (typeof raw.value !== 'string') return defaultMs;
    const ms = parseDuration(raw.value.trim());
    if (ms !== undefined && ms >= minMs) return ms;
    problems.push(
      `${raw.source}: want a duration of at least ${minMs / 1000}s like ${example}, got ${JSON.stringify(raw.value)}`,
    );
    return defaultMs;
  };
  const resyncPeriodMs = duration('resync-period', 300_000, 10_000, '5m');
  const observePeriodMs = duration('observe-period', 10_000, 1_000, '10s');
  const fullRecheckPeriodMs = duration('full-recheck-period', 3_600_000, 10_000, '1h');

  const leaderElect = bool('leader-elect');
  const leaderElectionNamespace = str('leader-election-namespace', podNamespace ?? '');
  const leaseDurationMs = duration('leader-elect-lease-duration', 15_000, 1_000, '15s');
  const renewDeadlineMs = duration('leader-elect-renew-deadline', 10_000, 1_000, '10s');
  const retryPeriodMs = duration('leader-elect-retry-period', 2_000, 100, '2s');
  problems.push(
    ...checkLeaderElection({
      leaderElect,
      leaderElectionNamespace,
      leaseDurationMs,
      renewDeadlineMs,
      retryPeriodMs,
    }),
  );

  const logLevel = str('log-level', 'info');
  if (!LOG_LEVELS.includes(logLevel as LogLevel))
    problems.push(`${get('log-level').source}: want one of ${LOG_LEVELS.join('|')}, got ${logLevel}`);

  const httpAddress = str('http-address', ':8080');
  if (!/^(\[[^\]]+\]|[^:]*):\d{1,5}$/.test(httpAddress))
    problems.push(`${get('http-address').source}: want host:port or :port`);

  const config: Config = {
    kubeconfig: str('kubeconfig', '') || undefined,
    namespaces,
    region,
    concurrency: num('concurrency', 16, (n) => Number.isInteger(n) && n >= 1 && n <= 64, 'an integer 1-64'),
    resyncPeriodMs,
    observePeriodMs,
    fullRecheckPeriodMs,
    leaderElect,
    leaderElectionId: str('leader-election-id', 'privatelink-publisher'),
    leaderElectionNamespace,
    leaseDurationMs,
    renewDeadlineMs,
    retryPeriodMs,
    httpAddress,
    logLevel: logLevel as LogLevel,
    dryRun: bool('dry-run'),
    clusterId,
    awsApiShare: num('aws-api-share', 0.5, (n) => n > 0 && n <= 1, 'a fraction in (0, 1]'),
    singleTenant: bool('single-tenant'),
    albRuleQuota: num('alb-rule-quota', 100, (n) => Number.isInteger(n) && n >= 1, 'a positive integer'),
    albCertificateQuota: num(
      'alb-certificate-quota',
      25,
      (n) => Number.isInteger(n) && n >= 1,
      'a positive integer',
    ),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
