/**
 * SDK middleware that makes every AWS request (each retry attempt included) wait for a
 * client-side rate-limit token, and reports it to the call observer.
 *
 * It sits between the SDK's retry and signing middleware: per attempt, so a retried
 * throttle also waits and is counted; before signing, so a long wait never sends a stale
 * signature.
 */
import type {
  FinalizeRequestMiddleware,
  HandlerExecutionContext,
  MetadataBearer,
  MiddlewareStack,
} from '@smithy/types';
import { classifyAwsError } from './errors.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { AwsCallObserver, AwsCallObserverCall } from './types.ts';

/** `DescribeVpcsCommand` → `DescribeVpcs`. */
function operationName(context: HandlerExecutionContext): string {
  const command = context.commandName ?? '';
  return command.endsWith('Command') ? command.slice(0, -'Command'.length) : command || 'Unknown';
}

function abortSignalOf(context: HandlerExecutionContext): AbortSignal | undefined {
  const smithy = (context as { __smithy_context?: { abortSignal?: unknown } }).__smithy_context;
  return smithy?.abortSignal instanceof AbortSignal ? smithy.abortSignal : undefined;
}

/** Installs the rate limiter (if any) and the observer (if any) on one client. */
export function installCallMiddleware<I extends object, O extends MetadataBearer>(
  stack: MiddlewareStack<I, O>,
  opts: {
    service: AwsCallObserverCall['service'];
    scope: string;
    limiter?: RateLimiter;
    observer?: AwsCallObserver;
  },
): void {
  const { service, scope, limiter, observer } = opts;
  const middleware: FinalizeRequestMiddleware<I, O> = (next, context) => async (args) => {
    const operation = operationName(context);
    const waitSeconds = limiter
      ? await limiter.acquire(scope, service, operation, abortSignalOf(context))
      : 0;
    if (!observer) return next(args);
    const report = (call: Omit<AwsCallObserverCall, 'service' | 'operation' | 'waitSeconds'>): void => {
      try {
        observer({ service, operation, waitSeconds, ...call });
      } catch {
        // Metrics must never fail or retry an AWS call.
      }
    };
    const started = performance.now();
    try {
      const out = await next(args);
      report({ result: 'success', seconds: (performance.now() - started) / 1000 });
      return out;
    } catch (err) {
      const { kind, code } = classifyAwsError(err);
      const result = kind === 'throttled' ? 'throttled' : 'error';
      report({ result, errorCode: code, seconds: (performance.now() - started) / 1000 });
      throw err;
    }
  };
  stack.addRelativeTo(middleware, {
    name: 'privatelinkPublisherCallMiddleware',
    relation: 'before',
    toMiddleware: 'httpSigningMiddleware',
    override: true,
  });
}
