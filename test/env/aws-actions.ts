/** Turns the proxy's call record into the IAM actions the controller used. */
import { USER_AGENT_NAME } from '../../src/aws/clients.ts';
import { apigatewayIamAction } from './apigateway-iam.ts';
import type { RecordedCall } from './aws-proxy/server.ts';

/** IAM service prefix per proxy service name. */
const IAM_PREFIX: Record<string, string> = {
  ec2: 'ec2',
  elbv2: 'elasticloadbalancing',
  sts: 'sts',
  acm: 'acm',
};

/**
 * IAM action names (`ec2:CreateVpcEndpoint`) with call counts, for the calls made by the
 * controller's own clients (their user agent names the product), not by test setup code.
 */
export function controllerActions(calls: readonly RecordedCall[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) {
    if (!call.userAgent?.includes(USER_AGENT_NAME) || !call.operation) continue;
    const action =
      call.service === 'apigatewayv2'
        ? apigatewayIamAction(call.operation)
        : `${IAM_PREFIX[call.service] ?? call.service}:${call.operation}`;
    counts[action] = (counts[action] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}
