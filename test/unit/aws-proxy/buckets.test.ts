import { AccountBuckets, BUDGETS, TokenBucket, bucketsFor } from '../../env/aws-proxy/buckets.ts';

describe('bucketsFor', () => {
  it.each([
    ['ec2', 'DescribeVpcEndpoints', ['ec2:describe']],
    ['ec2', 'GetManagedPrefixListEntries', ['ec2:describe']],
    ['ec2', 'CreateVpcEndpoint', ['ec2:vpc-endpoint']],
    ['ec2', 'ModifyVpcEndpoint', ['ec2:vpc-endpoint']],
    ['ec2', 'DeleteVpcEndpoints', ['ec2:vpc-endpoint']],
    ['ec2', 'AcceptVpcEndpointConnections', ['ec2:vpc-endpoint-connection']],
    ['ec2', 'RejectVpcEndpointConnections', ['ec2:vpc-endpoint-connection']],
    ['ec2', 'CreateVpcEndpointServiceConfiguration', ['ec2:vpc-endpoint-service']],
    ['ec2', 'ModifyVpcEndpointServiceConfiguration', ['ec2:vpc-endpoint-service']],
    ['ec2', 'DeleteVpcEndpointServiceConfigurations', ['ec2:vpc-endpoint-service']],
    ['ec2', 'ModifyVpcEndpointServicePermissions', ['ec2:vpc-endpoint-service']],
    ['ec2', 'AuthorizeSecurityGroupIngress', ['ec2:security-group-rule']],
    ['ec2', 'AuthorizeSecurityGroupEgress', ['ec2:security-group-rule']],
    ['ec2', 'RevokeSecurityGroupIngress', ['ec2:security-group-rule']],
    ['ec2', 'RevokeSecurityGroupEgress', ['ec2:security-group-rule']],
    ['ec2', 'CreateTags', ['ec2:tags']],
    ['ec2', 'DeleteTags', ['ec2:tags']],
    ['ec2', 'CreateSecurityGroup', ['ec2:mutate']],
    ['ec2', 'ModifyVpcEndpointConnectionNotification', ['ec2:mutate']],
    ['elbv2', 'DescribeRules', ['elbv2:account', 'elbv2:describe']],
    ['elbv2', 'RegisterTargets', ['elbv2:account', 'elbv2:targets']],
    ['elbv2', 'DeregisterTargets', ['elbv2:account', 'elbv2:targets']],
    ['elbv2', 'CreateRule', ['elbv2:account', 'elbv2:mutate']],
    ['elbv2', 'AddTags', ['elbv2:account', 'elbv2:mutate']],
    ['sts', 'AssumeRole', []],
    ['iam', 'GetRole', []],
  ])('%s %s → %j', (service, operation, expected) => {
    expect(bucketsFor(service, operation)).toEqual(expected);
  });
});

describe('TokenBucket', () => {
  it('starts full, empties one token per take and refills continuously up to the burst', () => {
    const bucket = new TokenBucket(3, 0.001, 0); // 1 token per second
    for (let i = 0; i < 3; i++) bucket.take();
    expect(bucket.available(0)).toBe(0);
    expect(bucket.available(500)).toBeCloseTo(0.5);
    expect(bucket.available(60_000)).toBe(3);
  });
});

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

function admitted(
  buckets: AccountBuckets,
  account: string,
  service: string,
  operation: string,
  n: number,
): number {
  let count = 0;
  for (let i = 0; i < n; i++) if (buckets.admit(account, service, operation).admitted) count++;
  return count;
}

describe('AccountBuckets', () => {
  it.each(Object.entries(BUDGETS))('%s admits exactly its burst at once', (name, { burst }) => {
    const [service = ''] = name.split(':');
    const operation = {
      'ec2:describe': 'DescribeVpcs',
      'ec2:mutate': 'CreateVpc',
      'ec2:vpc-endpoint': 'CreateVpcEndpoint',
      'ec2:vpc-endpoint-connection': 'AcceptVpcEndpointConnections',
      'ec2:vpc-endpoint-service': 'ModifyVpcEndpointServicePermissions',
      'ec2:security-group-rule': 'AuthorizeSecurityGroupIngress',
      'ec2:tags': 'CreateTags',
      'elbv2:account': 'DescribeLoadBalancers', // account and describe buckets are both 40
      'elbv2:describe': 'DescribeRules',
      'elbv2:targets': 'RegisterTargets',
      'elbv2:mutate': 'CreateRule',
      'acm:describe': 'DescribeCertificate',
      'route53:api': 'ChangeResourceRecordSets',
      'apigatewayv2:api': 'CreateRoute',
    }[name]!;
    const buckets = new AccountBuckets(manualClock().now);
    expect(admitted(buckets, '111111111111', service, operation, burst + 5)).toBe(burst);
  });

  it('refills at the documented rate: one VpcEndpoint token every 1/0.3 s', () => {
    const clock = manualClock();
    const buckets = new AccountBuckets(clock.now);
    expect(admitted(buckets, 'a', 'ec2', 'CreateVpcEndpoint', 10)).toBe(4);
    clock.advance(3_300);
    expect(buckets.admit('a', 'ec2', 'ModifyVpcEndpoint')).toEqual({
      admitted: false,
      bucket: 'ec2:vpc-endpoint',
    });
    clock.advance(34);
    expect(buckets.admit('a', 'ec2', 'DeleteVpcEndpoints')).toEqual({ admitted: true });
    clock.advance(10 * 3_334);
    expect(admitted(buckets, 'a', 'ec2', 'CreateVpcEndpoint', 10)).toBe(4); // capped at the burst
  });

  it('timeScale multiplies refill but keeps the burst', () => {
    const clock = manualClock();
    const buckets = new AccountBuckets(clock.now, 10);
    expect(admitted(buckets, 'a', 'ec2', 'CreateVpcEndpoint', 10)).toBe(4);
    clock.advance(334); // 3.34 s of AWS time
    expect(admitted(buckets, 'a', 'ec2', 'CreateVpcEndpoint', 10)).toBe(1);
  });

  it('keeps scopes (account/region) and families apart', () => {
    const buckets = new AccountBuckets(manualClock().now);
    expect(admitted(buckets, 'a', 'ec2', 'CreateVpcEndpoint', 5)).toBe(4);
    expect(admitted(buckets, 'b', 'ec2', 'CreateVpcEndpoint', 5)).toBe(4);
    expect(admitted(buckets, 'a/eu-west-1', 'ec2', 'CreateVpcEndpoint', 5)).toBe(4);
    expect(admitted(buckets, 'a', 'ec2', 'AcceptVpcEndpointConnections', 5)).toBe(5);
    expect(admitted(buckets, 'a', 'sts', 'AssumeRole', 1_000)).toBe(1_000);
  });

  it('draws every ELBv2 call from the whole-account bucket, and takes nothing when refused', () => {
    const buckets = new AccountBuckets(manualClock().now);
    expect(admitted(buckets, 'a', 'elbv2', 'CreateRule', 25)).toBe(20); // mutate bucket empty
    expect(admitted(buckets, 'a', 'elbv2', 'RegisterTargets', 10)).toBe(10); // account: 40 - 20 - 10 = 10
    // The five refused CreateRule calls took no account tokens: 10 remain.
    expect(admitted(buckets, 'a', 'elbv2', 'DescribeRules', 15)).toBe(10);
    expect(buckets.admit('a', 'elbv2', 'DescribeTags')).toEqual({ admitted: false, bucket: 'elbv2:account' });
  });

  it('reset refills every bucket', () => {
    const buckets = new AccountBuckets(manualClock().now);
    admitted(buckets, 'a', 'ec2', 'CreateVpcEndpoint', 4);
    buckets.reset();
    expect(admitted(buckets, 'a', 'ec2', 'CreateVpcEndpoint', 10)).toBe(4);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects timeScale %p', (scale) => {
    expect(() => new AccountBuckets(Date.now, scale)).toThrow(RangeError);
  });
});
