import {
  AccountDirectory,
  DEFAULT_ACCOUNT,
  queryParams,
  restOperation,
  signingOf,
} from '../../env/aws-proxy/request-info.ts';

const auth = (scope: string): string =>
  `AWS4-HMAC-SHA256 Credential=ASIAKEY123/20261125/${scope}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`;

describe('signingOf', () => {
  it.each([
    [auth('us-east-1/ec2'), { service: 'ec2', region: 'us-east-1', accessKeyId: 'ASIAKEY123' }],
    [
      auth('us-east-1/elasticloadbalancing'),
      { service: 'elbv2', region: 'us-east-1', accessKeyId: 'ASIAKEY123' },
    ],
    [
      auth('us-east-1/apigateway'),
      { service: 'apigatewayv2', region: 'us-east-1', accessKeyId: 'ASIAKEY123' },
    ],
    [auth('us-east-1/sts'), { service: 'sts', region: 'us-east-1', accessKeyId: 'ASIAKEY123' }],
    [auth('eu-west-1/iam'), { service: 'iam', region: 'eu-west-1', accessKeyId: 'ASIAKEY123' }],
    ['Bearer token', undefined],
    [undefined, undefined],
  ])('%s → %j', (header, expected) => {
    expect(signingOf(header, new URLSearchParams())).toEqual(expected);
  });

  it('reads a presigned URL’s X-Amz-Credential', () => {
    const query = new URLSearchParams({
      'X-Amz-Credential': 'AKIDEXAMPLE/20261125/us-east-1/sts/aws4_request',
    });
    expect(signingOf(undefined, query)).toEqual({
      service: 'sts',
      region: 'us-east-1',
      accessKeyId: 'AKIDEXAMPLE',
    });
  });
});

describe('queryParams', () => {
  const form = 'application/x-www-form-urlencoded; charset=utf-8';

  it('takes Action from a form body over the URL query', () => {
    const params = queryParams(
      'Action=DescribeVpcs&Version=2016-11-15',
      form,
      new URLSearchParams('Action=Other&X=1'),
    );
    expect(params.get('Action')).toBe('DescribeVpcs');
    expect(params.get('X')).toBe('1');
  });

  it('takes Action from the query alone for a GET', () => {
    expect(queryParams('', undefined, new URLSearchParams('Action=GetCallerIdentity')).get('Action')).toBe(
      'GetCallerIdentity',
    );
  });

  it('ignores a body that is not a form', () => {
    expect(
      queryParams('Action=DescribeVpcs', 'application/json', new URLSearchParams()).get('Action'),
    ).toBeNull();
  });
});

describe('restOperation', () => {
  it.each([
    ['route53', 'POST', '/2013-04-01/hostedzone', 'CreateHostedZone'],
    ['route53', 'GET', '/2013-04-01/hostedzone/Z123', 'GetHostedZone'],
    ['route53', 'GET', '/2013-04-01/hostedzone/Z123/rrset', 'ListResourceRecordSets'],
    ['route53', 'POST', '/2013-04-01/hostedzone/Z123/rrset/', 'ChangeResourceRecordSets'],
    ['route53', 'DELETE', '/2013-04-01/hostedzone/Z123', ''],
    ['ec2', 'GET', '/2013-04-01/hostedzone/Z123', ''],
    ['apigatewayv2', 'GET', '/v2/apis/abc123', 'GetApi'],
    ['apigatewayv2', 'GET', '/v2/apis/abc123/routes', 'GetRoutes'],
    ['apigatewayv2', 'POST', '/v2/apis/abc123/routes', 'CreateRoute'],
    ['apigatewayv2', 'PATCH', '/v2/apis/abc123/routes/r1', 'UpdateRoute'],
    ['apigatewayv2', 'DELETE', '/v2/apis/abc123/routes/r1', 'DeleteRoute'],
    ['apigatewayv2', 'GET', '/v2/apis/abc123/integrations', 'GetIntegrations'],
    ['apigatewayv2', 'POST', '/v2/apis/abc123/integrations', 'CreateIntegration'],
    ['apigatewayv2', 'PATCH', '/v2/apis/abc123/integrations/i1', 'UpdateIntegration'],
    ['apigatewayv2', 'DELETE', '/v2/apis/abc123/integrations/i1', 'DeleteIntegration'],
    ['apigatewayv2', 'GET', '/v2/vpclinks', 'GetVpcLinks'],
    ['apigatewayv2', 'POST', '/v2/vpclinks', 'CreateVpcLink'],
    ['apigatewayv2', 'GET', '/v2/vpclinks/l1', 'GetVpcLink'],
    ['apigatewayv2', 'DELETE', '/v2/vpclinks/l1', 'DeleteVpcLink'],
    ['apigatewayv2', 'PUT', '/v2/apis/abc123', ''],
  ])('%s %s %s → %j', (service, method, path, expected) => {
    expect(restOperation(service, method, path)).toBe(expected);
  });
});

const assumeRoleResponse = (keyId: string): string =>
  `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>
    <SessionToken>tok</SessionToken><SecretAccessKey>secret</SecretAccessKey>
    <AccessKeyId>${keyId}</AccessKeyId></Credentials></AssumeRoleResult></AssumeRoleResponse>`;

describe('AccountDirectory', () => {
  it('learns access key → account from AssumeRole and resolves with moto’s precedence', () => {
    const directory = new AccountDirectory();
    directory.observeAssumeRole(
      new URLSearchParams({ RoleArn: 'arn:aws:iam::210987654321:role/plp-test' }),
      assumeRoleResponse('ASIALEARNED'),
    );
    expect(directory.resolve(undefined, 'ASIALEARNED')).toBe('210987654321');
    expect(directory.resolve('333333333333', 'ASIALEARNED')).toBe('333333333333');
    expect(directory.resolve(undefined, 'ASIAUNKNOWN')).toBe(DEFAULT_ACCOUNT);
    expect(directory.resolve(undefined, undefined)).toBe(DEFAULT_ACCOUNT);
  });

  it.each([
    ['a role ARN without an account', 'arn:aws:iam::role/x', assumeRoleResponse('ASIAX')],
    ['a user ARN', 'arn:aws:iam::210987654321:user/x', assumeRoleResponse('ASIAX')],
    ['a response without credentials', 'arn:aws:iam::210987654321:role/x', '<ErrorResponse/>'],
  ])('ignores %s', (_what, roleArn, body) => {
    const directory = new AccountDirectory();
    directory.observeAssumeRole(new URLSearchParams({ RoleArn: roleArn }), body);
    expect(directory.resolve(undefined, 'ASIAX')).toBe(DEFAULT_ACCOUNT);
  });
});
