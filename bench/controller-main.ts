/**
 * The controller as the benchmark runs it: the real entry logic (src/run.ts, same flags)
 * with one knob production has no flag for, `PLP_BENCH_REFILL_SCALE`, which speeds the
 * client-side token buckets up by the throttling proxy's time scale — without it a
 * time-scaled run would measure a controller limiting itself to AWS's real rates.
 */
import { runController } from '../src/run.ts';

const awsRefillScale = Number(process.env.PLP_BENCH_REFILL_SCALE ?? '1');
process.exit(await runController(process.argv.slice(2), { awsRefillScale }));
