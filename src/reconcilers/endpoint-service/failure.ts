/**
 * Turns whatever a reconcile step threw into a condition reason and a retry verdict:
 * AccessDenied and invalid input wait for a change (terminal), throttling and transient
 * faults retry with backoff, everything else retries too.
 */
import { classifyAwsError } from '../../aws/errors.ts';
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
  const message = `${info.code}: ${info.message}`;
  switch (info.kind) {
    case 'accessDenied':
      return { reason: 'AccessDenied', message, terminal: true };
    case 'throttled':
      return { reason: 'Throttled', message, terminal: false };
    case 'invalidInput':
      return { reason: asReason(info.code, 'InvalidInput'), message, terminal: true };
    case 'transient':
      return { reason: 'AwsUnavailable', message, terminal: false };
    case 'unknown':
      return { reason: 'ReconcileError', message, terminal: false };
    default:
      return { reason: asReason(info.code, 'ReconcileError'), message, terminal: false };
  }
}

/** An AWS error code as a condition reason (`InvalidVpcEndpointId.NotFound` → `InvalidVpcEndpointIdNotFound`). */
function asReason(code: string, fallback: string): string {
  const reason = code.replace(/[^A-Za-z0-9]/g, '');
  return /^[A-Za-z]/.test(reason) ? reason : fallback;
}
