import {
  accessDeniedError,
  errorCodeOf,
  errorResponse,
  internalError,
  throttlingError,
} from '../../env/aws-proxy/error-responses.ts';

describe('throttlingError / internalError', () => {
  it.each([
    [throttlingError, 'ec2', 503, 'RequestLimitExceeded'],
    [throttlingError, 'elbv2', 400, 'Throttling'],
    [throttlingError, 'sts', 400, 'Throttling'],
    [internalError, 'ec2', 500, 'InternalError'],
    [internalError, 'elbv2', 500, 'InternalFailure'],
    [internalError, 'sts', 500, 'InternalFailure'],
  ])('%p for %s → HTTP %d %s', (make, service, status, code) => {
    const err = make(service, 'req-1');
    expect({ status: err.status, code: err.code, parsed: errorCodeOf(err.body) }).toEqual({
      status,
      code,
      parsed: code,
    });
    expect(err.body).toContain('req-1');
  });

  it('uses EC2’s <Response><Errors> shape with <RequestID>', () => {
    expect(throttlingError('ec2', 'r').body).toMatch(
      /<Response><Errors><Error><Code>RequestLimitExceeded<\/Code><Message>Request limit exceeded\.<\/Message><\/Error><\/Errors><RequestID>r<\/RequestID><\/Response>$/,
    );
  });

  it('uses the ELBv2 query shape with its namespace and a Sender/Receiver type', () => {
    expect(throttlingError('elbv2', 'r').body).toMatch(
      /<ErrorResponse xmlns="http:\/\/elasticloadbalancing\.amazonaws\.com\/doc\/2015-12-01\/"><Error><Type>Sender<\/Type><Code>Throttling<\/Code><Message>Rate exceeded<\/Message><\/Error><RequestId>r<\/RequestId><\/ErrorResponse>$/,
    );
    expect(internalError('elbv2', 'r').body).toContain('<Type>Receiver</Type>');
  });

  it('escapes XML in messages', () => {
    expect(errorResponse('sts', 400, 'X', 'a < b & c', 'r').body).toContain(
      '<Message>a &lt; b &amp; c</Message>',
    );
  });
});

describe('accessDeniedError', () => {
  it('uses EC2’s UnauthorizedOperation 403 in the <Response><Errors> shape, naming the action', () => {
    const err = accessDeniedError('ec2', 'CreateVpcEndpoint', '111111111111', 'r');
    expect([err.status, err.code, errorCodeOf(err.body)]).toEqual([
      403,
      'UnauthorizedOperation',
      'UnauthorizedOperation',
    ]);
    expect(err.body).toMatch(
      /<Response><Errors><Error><Code>UnauthorizedOperation<\/Code><Message>You are not authorized to perform this operation\. User: arn:aws:sts::111111111111:[^<]* is not authorized to perform: ec2:CreateVpcEndpoint [^<]*<\/Message><\/Error><\/Errors><RequestID>r<\/RequestID><\/Response>$/,
    );
  });

  it('uses the query shape’s AccessDenied 403 for ELBv2, with the elasticloadbalancing action', () => {
    const err = accessDeniedError('elbv2', 'CreateRule', '111111111111', 'r');
    expect([err.status, err.code]).toEqual([403, 'AccessDenied']);
    expect(err.body).toMatch(
      /<ErrorResponse xmlns="http:\/\/elasticloadbalancing\.amazonaws\.com\/doc\/2015-12-01\/"><Error><Type>Sender<\/Type><Code>AccessDenied<\/Code><Message>User: [^<]* is not authorized to perform: elasticloadbalancing:CreateRule because [^<]*<\/Message><\/Error><RequestId>r<\/RequestId><\/ErrorResponse>$/,
    );
  });
});

describe('errorCodeOf', () => {
  it.each([
    [
      '<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code></Error></Errors></Response>',
      'InvalidVpcID.NotFound',
    ],
    ['<ErrorResponse><Error><Code> PriorityInUse </Code></Error></ErrorResponse>', 'PriorityInUse'],
    ['<DescribeVpcsResponse/>', undefined],
  ])('%s → %p', (body, code) => {
    expect(errorCodeOf(body)).toBe(code);
  });
});
