/** The benchmark's printed table: every number next to the bound or goal it is judged by. */
import type { BenchOptions } from './options.ts';
import type { SizeResult } from './run.ts';

const f = (n: number | undefined, digits = 1): string =>
  n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(digits);

/** The three most frequent operations, e.g. `DescribeVpcEndpoints 12, DescribeRules 4`. */
const topOperations = (byOperation: Record<string, number>): string =>
  Object.entries(byOperation)
    .slice(0, 3)
    .map(([op, n]) => `${op.split(':')[1]} ${n}`)
    .join(', ');

/** Rows (label, one cell per size) of the summary. */
function rows(results: readonly SizeResult[]): [string, string[]][] {
  const first = results[0];
  return [
    ['ALBs / NLBs (world)', results.map((r) => `${r.world.albs} / ${r.world.nlbs}`)],
    [
      'cold start: all Ready (s)',
      results.map((r) =>
        r.coldStart.seconds === undefined
          ? `timeout (${r.coldStart.readyApps} Ready)`
          : f(r.coldStart.seconds),
      ),
    ],
    [
      '  bound from buckets at share (s)',
      results.map(
        (r) =>
          `${f(r.coldStart.bound.seconds)} ${r.coldStart.bound.bucket ?? ''} (${r.coldStart.bound.calls} calls, ${r.coldStart.bound.burst} + ${f(r.coldStart.bound.ratePerSecond, 2)}/s)`,
      ),
    ],
    ['  ratio (goal ≤ 1.15)', results.map((r) => f(r.coldStart.ratio, 2))],
    ['  controller AWS calls', results.map((r) => String(r.coldStart.calls))],
    ['  top operations', results.map((r) => topOperations(r.coldStart.byOperation))],
    ['  AWS calls in flight (avg)', results.map((r) => f(r.coldStart.awsCallsInFlight, 2))],
    ['  controller CPU (s)', results.map((r) => f(r.coldStart.controllerCpuSeconds))],
    [
      '  settled after all Ready (s)',
      results.map(
        (r) =>
          `${f(r.coldStart.settleSeconds, 0)}${r.coldStart.settled ? '' : ' (NOT settled: steady row not steady)'}`,
      ),
    ],
    ['steady window, no full walk: calls/min', results.map((r) => f(r.steady.callsPerMinute))],
    ['  calls/s', results.map((r) => f(r.steady.callsPerSecond, 2))],
    [
      '  growth vs first size',
      results.map((r) =>
        first && first.steady.callsPerMinute > 0
          ? `${f(r.steady.callsPerMinute / first.steady.callsPerMinute, 2)}× for ${f(r.apps / first.apps, 1)}× apps`
          : 'n/a',
      ),
    ],
    ['  top operations', results.map((r) => topOperations(r.steady.byOperation))],
    ['  controller CPU (% of a core)', results.map((r) => f(r.steady.cpuPercent))],
    [
      'full walk: calls per walk (measured)',
      results.map(
        (r) =>
          `${f(r.fullWalk.perWalk, 2)} (${r.fullWalk.walks} walks, ${r.fullWalk.calls} calls in ${f(r.fullWalk.windowSeconds, 0)} s)`,
      ),
    ],
    ['  probe top operations', results.map((r) => topOperations(r.fullWalk.byOperation))],
    [
      '  amortised: N × calls/walk ÷ full recheck (calls/s)',
      results.map((r) => f(r.fullWalk.amortisedCallsPerSecond, 3)),
    ],
    [
      'steady incl. amortised walks: calls/s (goal ≤ 1 at N=1000)',
      results.map((r) => f(r.steady.withWalksCallsPerSecond, 2)),
    ],
    [
      'restart catch-up: s / calls (per app)',
      results.map(
        (r) =>
          `${f(r.fullWalk.restart.seconds)} / ${r.fullWalk.restart.calls} (${f(r.fullWalk.restart.calls / r.apps, 2)})`,
      ),
    ],
    ['  restart top operations', results.map((r) => topOperations(r.fullWalk.restart.byOperation))],
    [
      'fail-over catch-up: s / calls (per app) (goal ≤ 30 s, ≤ 0.2 at N=1000)',
      results.map(
        (r) => `${f(r.failover.catchUpSeconds)} / ${r.failover.calls} (${f(r.failover.calls / r.apps, 2)})`,
      ),
    ],
    ['  fail-over top operations', results.map((r) => topOperations(r.failover.byOperation))],
    [
      '  ENI change across the kill → targets: p50 / p99 (s) (goal p99 ≤ 30)',
      results.map(
        (r) =>
          `${f(r.failover.eniChange.p50Seconds)} / ${f(r.failover.eniChange.p99Seconds)} (${r.failover.eniChange.changes} changes, ${r.failover.eniChange.timeouts} timeouts)`,
      ),
    ],
    ['ENI change → targets: p50 (s)', results.map((r) => f(r.eniChange.p50Seconds))],
    ['  p99 (s) (goal ≤ 30)', results.map((r) => f(r.eniChange.p99Seconds))],
    ['  changes / timeouts (120 s)', results.map((r) => `${r.eniChange.changes} / ${r.eniChange.timeouts}`)],
    [
      'throttled share (goal < 1%)',
      results.map((r) => `${f(r.throttled.share * 100, 2)}% (${r.throttled.calls}/${r.throttled.total})`),
    ],
    ['controller RSS peak (MB) (goal ≤ 200)', results.map((r) => f(r.controller.rssPeakMB, 0))],
    [
      '  RSS deps only / idle / steady (MB)',
      results.map(
        (r) =>
          `${f(r.controller.rssDepsMB, 0)} / ${f(r.controller.rssIdleMB, 0)} / ${f(r.controller.rssSteadyMB, 0)}`,
      ),
    ],
    [
      '  at steady: V8 heap used / total, external (MB); memory reductions run',
      results.map(
        (r) =>
          `${f(r.controller.heapUsedMB, 0)} / ${f(r.controller.heapTotalMB, 0)}, ${f(r.controller.externalMB, 0)}; ${r.controller.memoryReductions}`,
      ),
    ],
    [
      'moto DescribeVpcEndpoints ms/call',
      results.map((r) => `${f(r.moto.directMsPerCall)} direct, ${f(r.moto.proxyMsPerCall)} via proxy`),
    ],
  ];
}

/** The summary as an aligned plain-text table with the run's settings above it. */
export function formatTable(report: {
  options: BenchOptions;
  machine: { cpus: number; memoryGiB: number; node: string };
  results: readonly SizeResult[];
}): string {
  const { options: o, machine: m, results } = report;
  const header = [`N = ${results.map((r) => r.apps).join(', ')}`, ...results.map((r) => `N=${r.apps}`)];
  const body = rows(results).map(([label, cells]) => [label, ...cells]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => (row[i] ?? '').length)));
  const line = (row: string[]): string => row.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  return [
    `time scale ${o.timeScale} (proxy refill and controller refillScale), API share ${o.share}, concurrency ${o.concurrency}, ${o.rulesPerListener} rules/listener`,
    `controller periods: resync ${o.resyncSeconds} s, observe ${o.observeSeconds} s, full recheck ${o.fullRecheckSeconds} s; steady window ${o.steadySeconds} s`,
    `machine: ${m.cpus} CPUs, ${m.memoryGiB} GiB, Node ${m.node}`,
    line(header),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...body.map(line),
  ].join('\n');
}
