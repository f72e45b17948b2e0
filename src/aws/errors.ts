/**
 * Sorts AWS SDK v3 errors into the few kinds a reconciler acts on differently:
 * throttled/transient → retry with backoff; accessDenied/invalidInput/notFound of a
 * referenced thing → a condition with a specific reason and no hot loop; dependency and
 * conflict → retry later, once the state that blocks the call has changed.
 */

/** What a reconciler does differently per error. */
export type AwsErrorKind =
  | 'throttled'
  | 'accessDenied'
  | 'notFound'
  | 'invalidInput'
  | 'dependency'
  | 'conflict'
  | 'transient'
  | 'unknown';

/** A classified error; `code` is AWS's error code (`LoadBalancerNotFound`, not the class name). */
export interface AwsErrorInfo {
  kind: AwsErrorKind;
  code: string;
  message: string;
}

const THROTTLED = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
  'BandwidthLimitExceeded',
]);

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthFailure',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'OptInRequired',
  'Blocked',
]);

/**
 * Gone or never there. InvalidServiceName: no endpoint service by that name is visible;
 * Route 53 says `NoSuch…` (NoSuchHostedZone, NoSuchChange).
 */
const NOT_FOUND = /(\.NotFound|NotFound|NotFoundException)$|^InvalidServiceName$|^NoSuch[A-Z]\w*$/;

const DEPENDENCY = new Set(['DependencyViolation', 'ResourceInUse', 'ResourceInUseException']);

/**
 * Valid requests the current state forbids: a duplicate, a taken priority, a full quota,
 * a resource in the wrong state. They clear when the state changes, not by retrying now.
 */
const CONFLICT =
  /^(Duplicate\w*|\w+\.Duplicate|PriorityInUse|TooMany\w+|\w*LimitExceeded|IncorrectState|IncorrectInstanceState|InvalidState(Exception)?|\w+\.InvalidState|ConflictException)$/;

const INVALID_INPUT = new Set([
  'InvalidParameterValue',
  'InvalidParameter',
  'InvalidParameterCombination',
  'InvalidParameterException',
  'MissingParameter',
  'ValidationError',
  'ValidationException',
  'InvalidInput',
  'InvalidChangeBatch',
  'InvalidRequest',
  'InvalidID',
  'UnsupportedOperation',
  'UnknownParameter',
  'InvalidConfigurationRequest',
  'InvalidTarget',
  'InvalidLoadBalancerAction',
  'IncompatibleProtocols',
  'InvalidSubnet',
  'InvalidSecurityGroup',
  'InvalidScheme',
  'UnsupportedProtocol',
  // API Gateway: a request the API's state or model refuses (a bad route key, an unknown authorizer).
  'BadRequestException',
]);

const TRANSIENT = new Set([
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'Unavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'RequestExpired',
  'ExpiredToken',
  'ExpiredTokenException',
  'IDPCommunicationError',
  'HealthUnavailable',
  'TimeoutError',
  'AbortError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface SdkErrorShape {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/**
 * AWS's error code. The SDK names modeled ELBv2 errors `…Exception` but keeps the wire code
 * in `Code`; Node network errors carry theirs in `code`.
 */
function errorCode(e: SdkErrorShape): string {
  for (const candidate of [e.Code, e.code, e.name]) {
    if (typeof candidate === 'string' && candidate !== '' && candidate !== 'Error') return candidate;
  }
  return 'Unknown';
}

/** What an error is judged by. */
interface ErrorFacts {
  code: string;
  status: number | undefined;
  fault: unknown;
}

/**
 * The first rule that matches decides the kind. Throttling comes first (EC2's
 * RequestLimitExceeded arrives as HTTP 503), codes before bare HTTP statuses.
 */
const KIND_RULES: readonly (readonly [AwsErrorKind, (f: ErrorFacts) => boolean])[] = [
  ['throttled', (f) => THROTTLED.has(f.code) || f.status === 429],
  ['accessDenied', (f) => ACCESS_DENIED.has(f.code)],
  ['dependency', (f) => DEPENDENCY.has(f.code)],
  ['conflict', (f) => CONFLICT.test(f.code)],
  ['invalidInput', (f) => INVALID_INPUT.has(f.code) || f.code.endsWith('.Malformed')],
  ['notFound', (f) => NOT_FOUND.test(f.code)],
  ['transient', (f) => TRANSIENT.has(f.code) || (f.status ?? 0) >= 500 || f.fault === 'server'],
  ['accessDenied', (f) => f.status === 403],
  ['notFound', (f) => f.status === 404],
];

function kindOf(facts: ErrorFacts): AwsErrorKind {
  return KIND_RULES.find(([, matches]) => matches(facts))?.[0] ?? 'unknown';
}

/** Classifies anything an SDK v3 call can throw (service errors, network errors, aborts). */
export function classifyAwsError(err: unknown): AwsErrorInfo {
  const e: SdkErrorShape = typeof err === 'object' && err !== null ? err : {};
  const code = errorCode(e);
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const message = typeof e.message === 'string' ? e.message : String(err);
  return { kind: kindOf({ code, status, fault: e.$fault }), code, message };
}

/** True when the error says the thing is gone; cleanup counts that as done. */
/**
 * `run`'s answer, or undefined when AWS says the thing it asked about does not exist: the
 * describe-one-by-id shape, where absence is an answer, not a failure.
 */
export async function unlessNotFound<T>(run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export function isNotFound(err: unknown): boolean {
  return classifyAwsError(err).kind === 'notFound';
}

/** True when AWS (or the client) throttled the call. */
export function isThrottled(err: unknown): boolean {
  return classifyAwsError(err).kind === 'throttled';
}

/** Kinds whose condition reason is the kind's, whatever AWS's code. */
const KIND_REASON: Partial<Record<AwsErrorKind, string>> = {
  throttled: 'Throttled',
  accessDenied: 'AccessDenied',
  transient: 'AwsUnavailable',
  unknown: 'ReconcileError',
};

/**
 * The condition reason for a classified failure, the same for every reconciler: the kind's
 * (`Throttled`, `AccessDenied`, `AwsUnavailable`, `ReconcileError`), else AWS's own code as a
 * reason (`InvalidVpcEndpointId.NotFound` → `InvalidVpcEndpointIdNotFound`).
 */
export function failureReason(info: AwsErrorInfo): string {
  const reason = info.code.replace(/[^A-Za-z0-9]/g, '');
  return KIND_REASON[info.kind] ?? (/^[A-Za-z]/.test(reason) ? reason : 'ReconcileError');
}
