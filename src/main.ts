/** Entry point: run the controller; exit 0 after a graceful stop, 2 on bad config, 1 on failure. */
import { runController } from './run.ts';

runController(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
