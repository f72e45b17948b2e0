/**
 * The AWS access layer's public contract. Reconcilers get their SDK clients from an
 * {@link AwsClientFactory} and never build clients or credentials themselves.
 */
import type { ACMClient } from '@aws-sdk/client-acm';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Route53Client } from '@aws-sdk/client-route-53';

/** The Kubernetes object an assumed-role session acts for; carried as session tags. */
export interface SessionSubject {
  kind: string;
  namespace: string;
  name: string;
}

/** Which account/region a resource lives in and as whom: a granted AwsIdentity, resolved. */
export interface AwsTarget {
  region?: string;
  /** The AwsIdentity's name (for logs and metrics). */
  identity?: string;
  roleArn?: string;
  externalId?: string;
  /** Tagged on the AssumeRole (with the cluster id), so trust policies can check the grant. */
  session?: SessionSubject;
}

/** SDK clients bound to one region and identity. */
export interface AwsClients {
  region: string;
  /** Stable key for caches shared per identity+region (e.g. `default/us-east-1`). */
  scope: string;
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  /** Built on first use (only apps naming a certificate read ACM). */
  readonly acm: ACMClient;
  /**
   * Route 53 (a global service: us-east-1, whatever `region` says), built on first use so
   * identities that never publish a DNS record never hold one.
   */
  readonly route53: Route53Client;
  /** API Gateway (HTTP APIs, VPC links), built on first use: only the API front door needs it. */
  readonly apigatewayv2: ApiGatewayV2Client;
}

/** Hands out cached clients per (region, roleArn, externalId). */
export interface AwsClientFactory {
  clientsFor(target: AwsTarget | undefined): AwsClients;
}

/** One AWS request as the observer sees it; SDK retries are reported as separate calls. */
export interface AwsCallObserverCall {
  service: 'ec2' | 'elbv2' | 'sts' | 'acm' | 'route53' | 'apigatewayv2';
  /** API action, e.g. `DescribeVpcEndpoints`. */
  operation: string;
  result: 'success' | 'error' | 'throttled';
  /** AWS error code (`RequestLimitExceeded`, `LoadBalancerNotFound`, `ECONNRESET`, ...). */
  errorCode?: string;
  /** Time from sending the request to its parsed response or error. */
  seconds: number;
  /** Time the request waited for a client-side rate-limit token before being sent. */
  waitSeconds?: number;
}

/** Observer of every AWS call (for metrics and call recording). */
export type AwsCallObserver = (call: AwsCallObserverCall) => void;
