/** The process logger: pino JSON on stdout, with credential-shaped fields redacted wherever they appear. */
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

/** Field names that may carry secrets (AWS credentials, bearer tokens), at any of the first three levels. */
const SECRET_KEYS = [
  'secretAccessKey',
  'sessionToken',
  'accessKeyId',
  'token',
  'password',
  'authorization',
  'Authorization',
];
const REDACT = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

/** Creates the root logger. */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  const opts: pino.LoggerOptions = {
    level,
    base: { component: 'privatelink-publisher', pid: process.pid },
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return destination ? pino(opts, destination) : pino(opts);
}
