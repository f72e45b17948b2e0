/**
 * Runs the AWS proxy as its own process, for a benchmark or a sandbox:
 *
 *   ./node_modules/.bin/node test/env/aws-proxy/main.ts --upstream http://127.0.0.1:5000 \
 *     [--port 4566] [--time-scale 10] [--no-throttling] [--no-record] [--seed 7]
 *
 * Prints one JSON line `{"url": …, "timeScale": …}` once listening; stops on SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { startAwsProxy } from './server.ts';

const { values } = parseArgs({
  options: {
    upstream: { type: 'string' },
    port: { type: 'string' },
    'time-scale': { type: 'string' },
    'no-throttling': { type: 'boolean', default: false },
    'no-record': { type: 'boolean', default: false },
    seed: { type: 'string' },
  },
});

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new Error(`--${name} must be a number, got ${JSON.stringify(value)}`);
  return parsed;
}

const upstream = values.upstream ?? process.env.AWS_ENDPOINT_URL;
if (!upstream) throw new Error('--upstream (or AWS_ENDPOINT_URL) is required');

const proxy = await startAwsProxy({
  upstream,
  port: numberOption('port', values.port),
  timeScale: numberOption('time-scale', values['time-scale']),
  seed: numberOption('seed', values.seed),
  throttling: !values['no-throttling'],
  record: !values['no-record'],
});
process.stdout.write(`${JSON.stringify({ url: proxy.url, timeScale: proxy.timeScale })}\n`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void proxy.stop().then(() => process.exit(0));
  });
}
