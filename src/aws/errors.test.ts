import { EC2ServiceException } from '@aws-sdk/client-ec2';
import {
  BadRequestException,
  ConflictException,
  NotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-apigatewayv2';
import { InvalidChangeBatch, NoSuchHostedZone, Route53ServiceException } from '@aws-sdk/client-route-53';
import {
  ElasticLoadBalancingV2ServiceException,
  LoadBalancerNotFoundException,
  PriorityInUseException,
  ResourceInUseException,
  RuleNotFoundException,
  TooManyRulesException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { classifyAwsError, failureReason, isNotFound, isThrottled, type AwsErrorKind } from './errors.ts';

/** An EC2 error as the SDK builds it from the XML response: name and Code are the wire code. */
function ec2Error(code: string, status = 400): EC2ServiceException {
  const err = new EC2ServiceException({
    name: code,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${code} happened`,
  });
  return Object.assign(err, { Code: code });
}

/** An ELBv2 error not modeled as its own class (e.g. Throttling): name and Code are the wire code. */
function elbv2Error(code: string, status = 400): ElasticLoadBalancingV2ServiceException {
  const err = new ElasticLoadBalancingV2ServiceException({
    name: code,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${code} happened`,
  });
  return Object.assign(err, { Code: code });
}

/** A modeled ELBv2 error: the class is named `…Exception`, the wire code sits in `Code`. */
function modeled<T extends Error>(
  Ctor: new (opts: { $metadata: object; message: string }) => T,
  code: string,
): T {
  return Object.assign(new Ctor({ $metadata: { httpStatusCode: 400 }, message: code }), { Code: code });
}

/** An API Gateway error: modeled classes named by the wire code, no `Code` field. */
function apiGatewayError<T extends Error>(
  Ctor: new (opts: { $metadata: object; message: string }) => T,
  status: number,
): T {
  return new Ctor({ $metadata: { httpStatusCode: status }, message: 'api gateway said no' });
}

/** A Route 53 error: modeled ones are classes named by the wire code; others carry it as name. */
function route53Error(code: string, status = 400): Route53ServiceException {
  return new Route53ServiceException({
    name: code,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${code} happened`,
  });
}

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code, $metadata: {} });
}

describe('classifyAwsError', () => {
  it.each<[string, AwsErrorKind, string, unknown]>([
    ['EC2 throttling (HTTP 503)', 'throttled', 'RequestLimitExceeded', ec2Error('RequestLimitExceeded', 503)],
    ['ELBv2 throttling', 'throttled', 'Throttling', elbv2Error('Throttling')],
    ['STS throttling', 'throttled', 'ThrottlingException', elbv2Error('ThrottlingException')],
    ['HTTP 429 with an unknown code', 'throttled', 'Whatever', ec2Error('Whatever', 429)],
    ['AccessDenied', 'accessDenied', 'AccessDenied', elbv2Error('AccessDenied', 403)],
    [
      'EC2 UnauthorizedOperation',
      'accessDenied',
      'UnauthorizedOperation',
      ec2Error('UnauthorizedOperation', 403),
    ],
    ['EC2 AuthFailure', 'accessDenied', 'AuthFailure', ec2Error('AuthFailure', 401)],
    ['bare 403', 'accessDenied', 'SomethingForbidden', ec2Error('SomethingForbidden', 403)],
    [
      'VPC endpoint gone',
      'notFound',
      'InvalidVpcEndpointId.NotFound',
      ec2Error('InvalidVpcEndpointId.NotFound'),
    ],
    ['security group gone', 'notFound', 'InvalidGroup.NotFound', ec2Error('InvalidGroup.NotFound')],
    ['SG rule gone', 'notFound', 'InvalidPermission.NotFound', ec2Error('InvalidPermission.NotFound')],
    [
      'ENI gone',
      'notFound',
      'InvalidNetworkInterfaceID.NotFound',
      ec2Error('InvalidNetworkInterfaceID.NotFound'),
    ],
    ['no such endpoint service', 'notFound', 'InvalidServiceName', ec2Error('InvalidServiceName')],
    [
      'service config gone',
      'notFound',
      'InvalidVpcEndpointServiceId.NotFound',
      ec2Error('InvalidVpcEndpointServiceId.NotFound'),
    ],
    [
      'modeled LoadBalancerNotFound',
      'notFound',
      'LoadBalancerNotFound',
      modeled(LoadBalancerNotFoundException, 'LoadBalancerNotFound'),
    ],
    ['modeled RuleNotFound', 'notFound', 'RuleNotFound', modeled(RuleNotFoundException, 'RuleNotFound')],
    ['ListenerNotFound', 'notFound', 'ListenerNotFound', elbv2Error('ListenerNotFound')],
    ['TargetGroupNotFound', 'notFound', 'TargetGroupNotFound', elbv2Error('TargetGroupNotFound')],
    ['bare 404', 'notFound', 'Gone', elbv2Error('Gone', 404)],
    ['API Gateway NotFound', 'notFound', 'NotFoundException', apiGatewayError(NotFoundException, 404)],
    ['API Gateway Conflict', 'conflict', 'ConflictException', apiGatewayError(ConflictException, 409)],
    [
      'API Gateway BadRequest',
      'invalidInput',
      'BadRequestException',
      apiGatewayError(BadRequestException, 400),
    ],
    [
      'API Gateway throttling',
      'throttled',
      'TooManyRequestsException',
      apiGatewayError(TooManyRequestsException, 429),
    ],
    ['DependencyViolation', 'dependency', 'DependencyViolation', ec2Error('DependencyViolation')],
    [
      'modeled ResourceInUse',
      'dependency',
      'ResourceInUse',
      modeled(ResourceInUseException, 'ResourceInUse'),
    ],
    ['modeled PriorityInUse', 'conflict', 'PriorityInUse', modeled(PriorityInUseException, 'PriorityInUse')],
    ['modeled TooManyRules', 'conflict', 'TooManyRules', modeled(TooManyRulesException, 'TooManyRules')],
    ['TooManyTargets', 'conflict', 'TooManyTargets', elbv2Error('TooManyTargets')],
    ['duplicate SG rule', 'conflict', 'InvalidPermission.Duplicate', ec2Error('InvalidPermission.Duplicate')],
    ['duplicate TG name', 'conflict', 'DuplicateTargetGroupName', elbv2Error('DuplicateTargetGroupName')],
    [
      'SG rule quota',
      'conflict',
      'RulesPerSecurityGroupLimitExceeded',
      ec2Error('RulesPerSecurityGroupLimitExceeded'),
    ],
    ['wrong state', 'conflict', 'IncorrectState', ec2Error('IncorrectState')],
    ['InvalidParameterValue', 'invalidInput', 'InvalidParameterValue', ec2Error('InvalidParameterValue')],
    ['ELBv2 ValidationError', 'invalidInput', 'ValidationError', elbv2Error('ValidationError')],
    [
      'malformed id',
      'invalidInput',
      'InvalidVpcEndpointId.Malformed',
      ec2Error('InvalidVpcEndpointId.Malformed'),
    ],
    [
      'InvalidConfigurationRequest',
      'invalidInput',
      'InvalidConfigurationRequest',
      elbv2Error('InvalidConfigurationRequest'),
    ],
    ['EC2 InternalError', 'transient', 'InternalError', ec2Error('InternalError', 500)],
    ['EC2 Unavailable', 'transient', 'Unavailable', ec2Error('Unavailable', 503)],
    ['unknown 502', 'transient', 'BadGateway', elbv2Error('BadGateway', 502)],
    ['connection refused', 'transient', 'ECONNREFUSED', networkError('ECONNREFUSED')],
    ['connection reset', 'transient', 'ECONNRESET', networkError('ECONNRESET')],
    [
      'aborted',
      'transient',
      'AbortError',
      Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }),
    ],
    [
      'Route 53 zone gone',
      'notFound',
      'NoSuchHostedZone',
      new NoSuchHostedZone({ $metadata: { httpStatusCode: 404 }, message: 'No hosted zone found' }),
    ],
    [
      'Route 53 change refused',
      'invalidInput',
      'InvalidChangeBatch',
      new InvalidChangeBatch({ $metadata: { httpStatusCode: 400 }, message: 'but it was not found' }),
    ],
    ['Route 53 InvalidInput', 'invalidInput', 'InvalidInput', route53Error('InvalidInput')],
    ['Route 53 throttling', 'throttled', 'Throttling', route53Error('Throttling')],
    [
      'Route 53 change still applying',
      'throttled',
      'PriorRequestNotComplete',
      route53Error('PriorRequestNotComplete'),
    ],
    ['Route 53 AccessDenied', 'accessDenied', 'AccessDenied', route53Error('AccessDenied', 403)],
    ['unknown 400', 'unknown', 'SomethingNew', ec2Error('SomethingNew')],
    ['plain Error', 'unknown', 'Unknown', new Error('boom')],
    ['not an error', 'unknown', 'Unknown', 'boom'],
  ])('%s → %s %s', (_name, kind, code, err) => {
    const info = classifyAwsError(err);
    expect(info).toEqual({ kind, code, message: expect.any(String) });
  });

  it('keeps the message', () => {
    expect(classifyAwsError(ec2Error('DependencyViolation')).message).toBe('DependencyViolation happened');
    expect(classifyAwsError('boom').message).toBe('boom');
  });
});

describe('isNotFound / isThrottled', () => {
  it.each<[unknown, boolean, boolean]>([
    [ec2Error('InvalidVpcEndpointId.NotFound'), true, false],
    [modeled(LoadBalancerNotFoundException, 'LoadBalancerNotFound'), true, false],
    [ec2Error('RequestLimitExceeded', 503), false, true],
    [ec2Error('DependencyViolation'), false, false],
    [new Error('x'), false, false],
  ])('%#', (err, notFound, throttled) => {
    expect(isNotFound(err)).toBe(notFound);
    expect(isThrottled(err)).toBe(throttled);
  });
});

describe('failureReason', () => {
  it.each<[AwsErrorKind, string, string]>([
    ['throttled', 'RequestLimitExceeded', 'Throttled'],
    ['accessDenied', 'UnauthorizedOperation', 'AccessDenied'],
    ['transient', 'InternalError', 'AwsUnavailable'],
    ['unknown', 'ECONNRESET', 'ReconcileError'],
    ['invalidInput', 'InvalidParameterValue', 'InvalidParameterValue'],
    ['notFound', 'InvalidVpcEndpointId.NotFound', 'InvalidVpcEndpointIdNotFound'],
    ['dependency', 'DependencyViolation', 'DependencyViolation'],
    ['conflict', 'IncorrectState', 'IncorrectState'],
    ['notFound', '404', 'ReconcileError'],
    ['notFound', 'NoSuchHostedZone', 'NoSuchHostedZone'],
    ['invalidInput', 'InvalidChangeBatch', 'InvalidChangeBatch'],
  ])('%s %s → %s', (kind, code, reason) => {
    expect(failureReason({ kind, code, message: '' })).toBe(reason);
  });
});
