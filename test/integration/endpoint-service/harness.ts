/**
 * What the EndpointService integration tests share: AWS fixtures built in moto (VPCs,
 * subnets, NLBs, consumer endpoints), the Manager running the real controller in-process,
 * and small readers/waiters over the API server.
 */
import { randomInt } from 'node:crypto';
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  type ServiceConfiguration,
} from '@aws-sdk/client-ec2';
import {
  CreateLoadBalancerCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { pino } from 'pino';
import { API_GROUP, API_VERSION, ENDPOINT_SERVICE, TAG_KEYS } from '../../../src/api/kinds.ts';
import type { EndpointService, EndpointServiceSpec } from '../../../src/api/v1alpha1.ts';
import { createAwsClientFactory } from '../../../src/aws/clients.ts';
import type { AwsClientFactory } from '../../../src/aws/types.ts';
import { Manager } from '../../../src/controller/manager.ts';
import { endpointServiceController } from '../../../src/reconcilers/endpoint-service/index.ts';
import type { AwsClientConfig, TestContext } from '../../env/context.ts';
import { condition, eventsFor, eventually, getCustomObject, waitForEvent } from '../../env/poll.ts';

/** SDK clients acting in one account. */
export interface Account {
  accountId: string;
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  destroy(): void;
}

export function account(accountId: string, config: AwsClientConfig): Account {
  const ec2 = new EC2Client(config);
  const elbv2 = new ElasticLoadBalancingV2Client(config);
  return {
    accountId,
    ec2,
    elbv2,
    destroy() {
      ec2.destroy();
      elbv2.destroy();
    },
  };
}

/** A VPC with one /24 subnet per zone and a security group. */
export interface Network {
  vpcId: string;
  subnetIds: string[];
  securityGroupId: string;
}

export async function createNetwork(ec2: EC2Client, octet: number): Promise<Network> {
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${octet}.0.0/16` }));
  const vpcId = vpc.Vpc!.VpcId!;
  const subnetIds: string[] = [];
  for (const [i, zone] of ['us-east-1a', 'us-east-1b'].entries()) {
    const subnet = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: `10.${octet}.${i + 1}.0/24`,
        AvailabilityZone: zone,
      }),
    );
    subnetIds.push(subnet.Subnet!.SubnetId!);
  }
  const sg = await ec2.send(
    new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: `sg-${randomInt(1e9)}`, Description: 'test' }),
  );
  return { vpcId, subnetIds, securityGroupId: sg.GroupId! };
}

/** An internal Network Load Balancer in the network's subnets; returns its ARN. */
export async function createNlb(elbv2: ElasticLoadBalancingV2Client, network: Network): Promise<string> {
  const out = await elbv2.send(
    new CreateLoadBalancerCommand({
      Name: `nlb-${randomInt(1e9)}`,
      Type: 'network',
      Scheme: 'internal',
      Subnets: network.subnetIds,
    }),
  );
  return out.LoadBalancers![0]!.LoadBalancerArn!;
}

/** A consumer's interface endpoint to `serviceName`; returns its id. */
export async function createEndpoint(ec2: EC2Client, network: Network, serviceName: string): Promise<string> {
  const out = await ec2.send(
    new CreateVpcEndpointCommand({
      VpcId: network.vpcId,
      ServiceName: serviceName,
      VpcEndpointType: 'Interface',
      SubnetIds: [network.subnetIds[0]!],
      SecurityGroupIds: [network.securityGroupId],
    }),
  );
  return out.VpcEndpoint!.VpcEndpointId!;
}

/** The endpoint's state as its owner sees it. */
export async function endpointState(ec2: EC2Client, endpointId: string): Promise<string | undefined> {
  const out = await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [endpointId] }));
  return out.VpcEndpoints?.[0]?.State;
}

/** Every service configuration in the account tagged with this object UID. */
export async function servicesOwnedBy(ec2: EC2Client, uid: string): Promise<ServiceConfiguration[]> {
  const out = await ec2.send(new DescribeVpcEndpointServiceConfigurationsCommand({}));
  return (out.ServiceConfigurations ?? []).filter((c) =>
    c.Tags?.some((t) => t.Key === TAG_KEYS.uid && t.Value === uid),
  );
}

/** The Manager with only the EndpointService controller, scoped to the test namespace. */
export interface RunningController {
  manager: Manager;
  /** AWS calls of this operation made so far through the controller's own client factory. */
  calls(operation: string): number;
  stop(): Promise<void>;
}

export const CLUSTER_ID = 'it-endpoint-service';

export async function startController(
  ctx: TestContext,
  opts: {
    aws?: AwsClientFactory;
    resyncPeriodMs?: number;
    endpoint?: string;
    dryRun?: boolean;
    fullCheckIntervalMs?: number;
    dnsVerificationRetryMs?: number;
  } = {},
): Promise<RunningController> {
  const counts = new Map<string, number>();
  const factory = createAwsClientFactory({
    defaultRegion: 'us-east-1',
    ...ctx.awsClientConfig,
    observer: (call) => counts.set(call.operation, (counts.get(call.operation) ?? 0) + 1),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
  });
  const manager = new Manager({
    kubeConfig: ctx.controllerKc,
    namespaces: [ctx.namespace],
    logger: pino({ level: process.env.PLP_TEST_LOG_LEVEL ?? 'silent' }),
    clusterId: CLUSTER_ID,
    resyncPeriodMs: opts.resyncPeriodMs ?? 60_000,
    concurrency: 2,
    rateLimit: { baseDelayMs: 200, maxDelayMs: 5_000 },
    dryRun: opts.dryRun ?? false,
  });
  manager.register(
    endpointServiceController(opts.aws ?? factory, {
      transitionPollMs: 500,
      connectionPollMs: 1_000,
      ...(opts.fullCheckIntervalMs === undefined ? {} : { fullCheckIntervalMs: opts.fullCheckIntervalMs }),
      ...(opts.dnsVerificationRetryMs === undefined
        ? {}
        : { dnsVerificationRetryMs: opts.dnsVerificationRetryMs }),
    }),
  );
  await manager.start();
  return {
    manager,
    calls: (operation) => counts.get(operation) ?? 0,
    async stop() {
      await manager.stop();
      factory.destroy();
    },
  };
}

/**
 * A client factory for the test account whose EC2 calls pass through `intercept`, which may
 * call `send` (the real call to moto) or not, and may throw instead of answering — fault
 * injection at the point where the SDK would hand AWS's answer to the controller.
 */
export function interceptedFactory(
  ctx: TestContext,
  intercept: (command: string, send: () => Promise<unknown>) => Promise<unknown>,
): AwsClientFactory & { destroy(): void } {
  const inner = createAwsClientFactory({ defaultRegion: 'us-east-1', ...ctx.awsClientConfig });
  const patched = new WeakSet<object>();
  return {
    clientsFor(target) {
      const clients = inner.clientsFor(target);
      if (!patched.has(clients.ec2)) {
        patched.add(clients.ec2);
        clients.ec2.middlewareStack.add(
          (next, context) => async (args) =>
            (await intercept(context.commandName ?? '', () => next(args))) as Awaited<
              ReturnType<typeof next>
            >,
          { step: 'initialize', name: 'testIntercept' },
        );
      }
      return clients;
    },
    destroy: () => {
      inner.destroy();
    },
  };
}

/** Creates or replaces an EndpointService via kubectl apply. */
export async function applyEndpointService(
  ctx: TestContext,
  name: string,
  spec: EndpointServiceSpec,
  annotations?: Record<string, string>,
): Promise<void> {
  const body = {
    apiVersion: `${API_GROUP}/${API_VERSION}`,
    kind: 'EndpointService',
    metadata: { name, ...(annotations ? { annotations } : {}) },
    spec,
  };
  const out = await ctx.kubectl(['apply', '-n', ctx.namespace, '-f', '-'], JSON.stringify(body));
  if (out.code !== 0) throw new Error(`kubectl apply failed: ${out.stderr}`);
}

/** Merge-patches the spec. */
export async function patchSpec(
  ctx: TestContext,
  name: string,
  spec: Partial<EndpointServiceSpec>,
): Promise<void> {
  const out = await ctx.kubectl([
    'patch',
    '-n',
    ctx.namespace,
    'endpointservice',
    name,
    '--type=merge',
    '-p',
    JSON.stringify({ spec }),
  ]);
  if (out.code !== 0) throw new Error(`kubectl patch failed: ${out.stderr}`);
}

/** The object as stored, or undefined once it is gone. */
export async function getEndpointService(
  ctx: TestContext,
  name: string,
): Promise<EndpointService | undefined> {
  return getCustomObject<EndpointService>(ctx, ENDPOINT_SERVICE, name);
}

export { condition, eventsFor, eventually, waitForEvent };

/** Waits until the object satisfies `check`, returning it. */
export function waitForObject(
  ctx: TestContext,
  name: string,
  what: string,
  check: (obj: EndpointService) => boolean,
  timeoutMs?: number,
): Promise<EndpointService> {
  return eventually(
    `${name}: ${what}`,
    async () => {
      const obj = await getEndpointService(ctx, name);
      return obj && check(obj) ? obj : undefined;
    },
    timeoutMs,
  );
}
