import { describe, expect, it } from '@jest/globals';
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { TerminalError } from '../../controller/types.ts';
import { describeFailure, RetryableError } from './failure.ts';

function ec2Error(code: string, status: number): EC2ServiceException {
  return new EC2ServiceException({
    name: code,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${code} happened`,
  });
}

describe('describeFailure', () => {
  it.each([
    ['UnauthorizedOperation', 403, 'AccessDenied', true],
    ['RequestLimitExceeded', 503, 'Throttled', false],
    ['InvalidParameterValue', 400, 'InvalidParameterValue', true],
    ['InternalError', 500, 'AwsUnavailable', false],
    ['InvalidVpcEndpointServiceId.NotFound', 400, 'InvalidVpcEndpointServiceIdNotFound', false],
    ['IncorrectState', 400, 'IncorrectState', false],
  ])('%s (HTTP %d) → %s, terminal %s', (code, status, reason, terminal) => {
    const failure = describeFailure(ec2Error(code, status));
    expect(failure).toEqual({ reason, terminal, message: `${code}: ${code} happened` });
  });

  it('keeps the reason of errors raised by the reconciler itself', () => {
    expect(describeFailure(new TerminalError('LoadBalancerNotFound', 'gone'))).toEqual({
      reason: 'LoadBalancerNotFound',
      message: 'gone',
      terminal: true,
    });
    expect(describeFailure(new RetryableError('DeletionBlocked', 'busy'))).toEqual({
      reason: 'DeletionBlocked',
      message: 'busy',
      terminal: false,
    });
  });

  it('retries errors it cannot classify', () => {
    expect(describeFailure(new Error('boom'))).toMatchObject({ reason: 'ReconcileError', terminal: false });
  });
});
