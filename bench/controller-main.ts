/**
 * The controller as the benchmark runs it: `node controller-main.ts <run module> <flags>`,
 * where the run module is the bundle's run.js (what the image runs) or src/run.ts (see
 * artefact.ts), with one knob production has no flag for, `PLP_BENCH_REFILL_SCALE`, which
 * speeds the client-side token buckets up by the throttling proxy's time scale — without it a
 * time-scaled run would measure a controller limiting itself to AWS's real rates.
 */
import { pathToFileURL } from 'node:url';

const [runModule, ...flags] = process.argv.slice(2);
if (runModule === undefined) throw new Error('usage: controller-main.ts <run module> <flags>');
const { runController } = (await import(pathToFileURL(runModule).href)) as typeof import('../src/run.ts');
const awsRefillScale = Number(process.env.PLP_BENCH_REFILL_SCALE ?? '1');
process.exit(await runController(flags, { awsRefillScale }));
