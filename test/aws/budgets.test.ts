/**
 * The controller's client-side buckets and the test proxy's AWS buckets are written from the
 * same AWS documentation by different hands; they must agree, or the benchmark measures a
 * budget the controller does not aim at.
 */
import { AWS_BUDGETS, familiesFor } from '../../src/aws/rate-limit.ts';
import { BUDGETS, bucketsFor } from '../env/aws-proxy/buckets.ts';

/** Every operation the reconcilers call, plus one unlisted action per service. */
const OPERATIONS: [string, string][] = [
  ...[
    'DescribeVpcEndpoints',
    'DescribeVpcEndpointConnections',
    'DescribeVpcEndpointServiceConfigurations',
    'DescribeVpcEndpointServicePermissions',
    'DescribeNetworkInterfaces',
    'DescribeSecurityGroups',
    'DescribeSecurityGroupRules',
    'CreateVpcEndpoint',
    'ModifyVpcEndpoint',
    'DeleteVpcEndpoints',
    'AcceptVpcEndpointConnections',
    'RejectVpcEndpointConnections',
    'CreateVpcEndpointServiceConfiguration',
    'ModifyVpcEndpointServiceConfiguration',
    'DeleteVpcEndpointServiceConfigurations',
    'ModifyVpcEndpointServicePermissions',
    'AuthorizeSecurityGroupIngress',
    'AuthorizeSecurityGroupEgress',
    'RevokeSecurityGroupIngress',
    'RevokeSecurityGroupEgress',
    'CreateSecurityGroup',
    'DeleteSecurityGroup',
    'CreateTags',
    'DeleteTags',
    'StartVpcEndpointServicePrivateDnsVerification',
  ].map((op): [string, string] => ['ec2', op]),
  ...[
    'DescribeLoadBalancers',
    'DescribeListeners',
    'DescribeRules',
    'DescribeTargetGroups',
    'DescribeTargetHealth',
    'DescribeTags',
    'RegisterTargets',
    'DeregisterTargets',
    'CreateTargetGroup',
    'ModifyTargetGroup',
    'ModifyTargetGroupAttributes',
    'DeleteTargetGroup',
    'CreateRule',
    'ModifyRule',
    'DeleteRule',
    'SetRulePriorities',
    'AddTags',
    'RemoveTags',
    'DescribeListenerCertificates',
    'AddListenerCertificates',
    'RemoveListenerCertificates',
  ].map((op): [string, string] => ['elbv2', op]),
  ['acm', 'DescribeCertificate'],
  ['acm', 'ListCertificates'],
  ...['GetHostedZone', 'ListResourceRecordSets', 'ChangeResourceRecordSets'].map((op): [string, string] => [
    'route53',
    op,
  ]),
  ...['GetApi', 'GetRoutes', 'CreateRoute', 'CreateIntegration', 'CreateVpcLink'].map(
    (op): [string, string] => ['apigatewayv2', op],
  ),
  ['sts', 'AssumeRole'],
];

test('same documented budgets', () => {
  expect(AWS_BUDGETS).toEqual(BUDGETS);
});

test.each(OPERATIONS)('%s %s draws from the same buckets', (service, operation) => {
  expect(familiesFor(service, operation)).toEqual(bucketsFor(service, operation));
});
