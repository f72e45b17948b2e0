/**
 * AWS error responses in each service's own XML shape, so SDK v3 parses them exactly as it
 * parses the real ones (error `name` = the code, `$metadata.httpStatusCode` = the status).
 */

/** A complete response to send. */
export interface ErrorResponse {
  status: number;
  body: string;
  code: string;
}

/** Query-protocol services answer `<ErrorResponse xmlns=…>`; the namespace is per API version. */
const QUERY_NAMESPACES: Readonly<Record<string, string>> = {
  elbv2: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
};

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An error in `service`'s shape: EC2's `<Response><Errors>…`, else the query `<ErrorResponse>`. */
export function errorResponse(
  service: string,
  status: number,
  code: string,
  message: string,
  requestId: string,
): ErrorResponse {
  const head = '<?xml version="1.0" encoding="UTF-8"?>\n';
  if (service === 'ec2') {
    return {
      status,
      code,
      body: `${head}<Response><Errors><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
    };
  }
  const xmlns = QUERY_NAMESPACES[service];
  const type = status >= 500 ? 'Receiver' : 'Sender';
  return {
    status,
    code,
    body: `${head}<ErrorResponse${xmlns ? ` xmlns="${xmlns}"` : ''}><Error><Type>${type}</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

/** AWS's throttling error: EC2 `RequestLimitExceeded` 503; ELBv2 (and STS) `Throttling` 400. */
export function throttlingError(service: string, requestId: string): ErrorResponse {
  return service === 'ec2'
    ? errorResponse(service, 503, 'RequestLimitExceeded', 'Request limit exceeded.', requestId)
    : errorResponse(service, 400, 'Throttling', 'Rate exceeded', requestId);
}

/** AWS's internal error (HTTP 500): EC2 calls it `InternalError`, the query APIs `InternalFailure`. */
export function internalError(service: string, requestId: string): ErrorResponse {
  return service === 'ec2'
    ? errorResponse(service, 500, 'InternalError', 'An internal error has occurred', requestId)
    : errorResponse(
        service,
        500,
        'InternalFailure',
        'The request processing has failed because of an unknown error.',
        requestId,
      );
}

/** IAM's prefix for a service's actions (`elasticloadbalancing:CreateRule`). */
const IAM_PREFIX: Readonly<Record<string, string>> = { elbv2: 'elasticloadbalancing' };

/**
 * AWS's answer to a call the caller's policy does not allow (HTTP 403): EC2 calls it
 * `UnauthorizedOperation`, the query APIs `AccessDenied`; the message names the IAM action.
 */
export function accessDeniedError(
  service: string,
  operation: string,
  account: string,
  requestId: string,
): ErrorResponse {
  const action = `${IAM_PREFIX[service] ?? service}:${operation}`;
  const denied = `User: arn:aws:sts::${account}:assumed-role/plp-controller/proxy is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`;
  return service === 'ec2'
    ? errorResponse(
        service,
        403,
        'UnauthorizedOperation',
        `You are not authorized to perform this operation. ${denied}`,
        requestId,
      )
    : errorResponse(service, 403, 'AccessDenied', denied, requestId);
}

/** The error an injected fault answers with, in place of AWS. */
export function injectedError(
  kind: 'throttle' | 'error500' | 'accessDenied',
  call: { service: string; operation: string; account: string },
  requestId: string,
): ErrorResponse {
  if (kind === 'throttle') return throttlingError(call.service, requestId);
  if (kind === 'error500') return internalError(call.service, requestId);
  return accessDeniedError(call.service, call.operation, call.account, requestId);
}

const CODE = /<Code>\s*([^<\s]+)\s*<\/Code>/;

/** The error code in an AWS XML error body, if any. */
export function errorCodeOf(body: string): string | undefined {
  return CODE.exec(body)?.[1];
}
