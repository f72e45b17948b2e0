/**
 * What a proxied AWS request is: service and access key from the SigV4 credential scope,
 * operation from the query protocol's `Action` (or the JSON protocol's `X-Amz-Target`, or for
 * the REST APIs of Route 53 and API Gateway v2 the method and path), and the account it acts in.
 */

/** SigV4 signing names → the short service names the proxy records and matches on. */
const SERVICE_BY_SIGNING_NAME: Readonly<Record<string, string>> = {
  ec2: 'ec2',
  elasticloadbalancing: 'elbv2',
  sts: 'sts',
  apigateway: 'apigatewayv2',
};

/** moto's account when a request names none. */
export const DEFAULT_ACCOUNT = '123456789012';

/** Service, region and access key id of a SigV4-signed request. */
export interface Signing {
  service: string;
  region: string;
  accessKeyId: string;
}

// Credential=<key id>/<date>/<region>/<service>/aws4_request
const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;

/**
 * Reads the credential scope from the `Authorization` header, or from a presigned URL's
 * `X-Amz-Credential`. Undefined for unsigned requests (moto's own API, health checks).
 */
export function signingOf(authorization: string | undefined, query: URLSearchParams): Signing | undefined {
  const credential =
    authorization ??
    (query.has('X-Amz-Credential') ? `Credential=${query.get('X-Amz-Credential') ?? ''}` : '');
  const match = CREDENTIAL.exec(credential);
  if (!match) return undefined;
  const [, accessKeyId = '', region = '', signingName = ''] = match;
  return { service: SERVICE_BY_SIGNING_NAME[signingName] ?? signingName, region, accessKeyId };
}

/** Parameters of a query-protocol call: the form body merged over the URL query. */
export function queryParams(
  body: string,
  contentType: string | undefined,
  query: URLSearchParams,
): URLSearchParams {
  const params = new URLSearchParams(query);
  if (contentType?.startsWith('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(body)) params.set(key, value);
  }
  return params;
}

/**
 * The operation: the query protocol's `Action`, else the JSON protocol's `X-Amz-Target`
 * (`CertificateManager.DescribeCertificate` → `DescribeCertificate`); '' when neither says.
 */
export function operationOf(params: URLSearchParams, target: string | string[] | undefined): string {
  const action = params.get('Action');
  if (action) return action;
  return typeof target === 'string' ? (target.split('.').pop() ?? '') : '';
}

/** The Route 53 REST operations the controller and the tests call: [method, path, operation]. */
const ROUTE53_OPERATIONS: readonly (readonly [string, RegExp, string])[] = [
  ['POST', /^\/2013-04-01\/hostedzone\/?$/, 'CreateHostedZone'],
  ['GET', /^\/2013-04-01\/hostedzone\/[^/]+\/?$/, 'GetHostedZone'],
  ['GET', /^\/2013-04-01\/hostedzone\/[^/]+\/rrset\/?$/, 'ListResourceRecordSets'],
  ['POST', /^\/2013-04-01\/hostedzone\/[^/]+\/rrset\/?$/, 'ChangeResourceRecordSets'],
];

const ID = '[^/]+';

/** The API Gateway v2 (REST-JSON) operations the controller and the tests call. */
const APIGATEWAYV2_OPERATIONS: readonly (readonly [string, RegExp, string])[] = [
  ['POST', /^\/v2\/apis\/?$/, 'CreateApi'],
  ['GET', new RegExp(`^/v2/apis/${ID}/?$`), 'GetApi'],
  ['GET', new RegExp(`^/v2/apis/${ID}/routes/?$`), 'GetRoutes'],
  ['POST', new RegExp(`^/v2/apis/${ID}/routes/?$`), 'CreateRoute'],
  ['PATCH', new RegExp(`^/v2/apis/${ID}/routes/${ID}/?$`), 'UpdateRoute'],
  ['DELETE', new RegExp(`^/v2/apis/${ID}/routes/${ID}/?$`), 'DeleteRoute'],
  ['GET', new RegExp(`^/v2/apis/${ID}/integrations/?$`), 'GetIntegrations'],
  ['GET', new RegExp(`^/v2/apis/${ID}/integrations/${ID}/?$`), 'GetIntegration'],
  ['POST', new RegExp(`^/v2/apis/${ID}/integrations/?$`), 'CreateIntegration'],
  ['PATCH', new RegExp(`^/v2/apis/${ID}/integrations/${ID}/?$`), 'UpdateIntegration'],
  ['DELETE', new RegExp(`^/v2/apis/${ID}/integrations/${ID}/?$`), 'DeleteIntegration'],
  ['GET', /^\/v2\/vpclinks\/?$/, 'GetVpcLinks'],
  ['POST', /^\/v2\/vpclinks\/?$/, 'CreateVpcLink'],
  ['GET', new RegExp(`^/v2/vpclinks/${ID}/?$`), 'GetVpcLink'],
  ['DELETE', new RegExp(`^/v2/vpclinks/${ID}/?$`), 'DeleteVpcLink'],
];

const REST_OPERATIONS: Readonly<Record<string, readonly (readonly [string, RegExp, string])[]>> = {
  route53: ROUTE53_OPERATIONS,
  apigatewayv2: APIGATEWAYV2_OPERATIONS,
};

/** The operation of a REST-protocol call (Route 53, API Gateway v2), or '' when it is not one of those known. */
export function restOperation(service: string, method: string, pathname: string): string {
  const known = REST_OPERATIONS[service] ?? [];
  return known.find(([m, path]) => m === method && path.test(pathname))?.[2] ?? '';
}

const ROLE_ACCOUNT = /^arn:[\w-]+:iam::(\d{12}):role\//;
const ACCESS_KEY_ID = /<AccessKeyId>\s*([^<\s]+)\s*<\/AccessKeyId>/;

/**
 * Maps access key ids to accounts. moto issues credentials per AssumeRole and acts in the
 * role's account when they are used; the proxy learns the same mapping by watching
 * AssumeRole go through: the request's `RoleArn` names the account, the response carries
 * the new `AccessKeyId`.
 */
export class AccountDirectory {
  private readonly byAccessKey = new Map<string, string>();

  /** Learns from one successful STS AssumeRole exchange; ignores anything unparseable. */
  observeAssumeRole(params: URLSearchParams, responseBody: string): void {
    const account = ROLE_ACCOUNT.exec(params.get('RoleArn') ?? '')?.[1];
    const accessKeyId = ACCESS_KEY_ID.exec(responseBody)?.[1];
    if (account && accessKeyId) this.byAccessKey.set(accessKeyId, account);
  }

  /** moto's precedence: the `x-moto-account-id` header, then a known access key, then the default. */
  resolve(headerAccount: string | undefined, accessKeyId: string | undefined): string {
    if (headerAccount) return headerAccount;
    return (accessKeyId && this.byAccessKey.get(accessKeyId)) ?? DEFAULT_ACCOUNT;
  }
}
