/**
 * Turns whatever a reconcile step threw into a condition reason and a retry verdict:
 * AccessDenied and invalid input wait for a change (terminal), throttling and transient
 * faults retry with backoff, everything else retries too.
 */
import { classifyAwsError, failureReason } from '../../aws/errors.ts';
import { TerminalError } from '../../controller/types.ts';

/** A failure as reported in a condition. */
export interface Failure {
  reason: string;
  message: string;
  /** True: retrying cannot help until the object or the world changes. */
  terminal: boolean;
}

/** An error that should be retried with backoff, carrying its own condition reason. */
export class RetryableError extends Error {
  readonly reason: string;

  constructor(reason: string, message: string) {
    super(message);
    this.name = 'RetryableError';
    this.reason = reason;
  }
}

/** Classifies `err` into a {@link Failure}. */
export function describeFailure(err: unknown): Failure {
  if (err instanceof TerminalError) return { reason: err.reason, message: err.message, terminal: true };
  if (err instanceof RetryableError) return { reason: err.reason, message: err.message, terminal: false };
  const info = classifyAwsError(err);
  const terminal = info.kind === 'accessDenied' || info.kind === 'invalidInput';
  return { reason: failureReason(info), message: `${info.code}: ${info.message}`, terminal };
}
