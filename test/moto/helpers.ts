/**
 * Shared set-up for the moto extension tests: each test file starts its own extended moto
 * (hermetic: no state shared with other files) and acts in random 12-digit accounts chosen
 * per request with moto's `x-moto-account-id` header.
 */
import { randomInt } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointServiceConfigurationCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateLoadBalancerCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { STSClient } from '@aws-sdk/client-sts';
import { readToolPaths } from '../env/global-setup.ts';
import { startMoto, type MotoServer } from '../env/moto/server.ts';

const root = path.resolve(import.meta.dirname, '../..');
const python = process.env.PLP_PYTHON ?? readToolPaths().python;

/** Starts a private extended moto for one test file; its log goes to .cache/moto-<name>.log. */
export async function startTestMoto(name: string): Promise<MotoServer> {
  mkdirSync(path.join(root, '.cache'), { recursive: true });
  return startMoto({ python, logFile: path.join(root, '.cache', `moto-${name}-${process.pid}.log`) });
}

/** A random 12-digit account id, never moto's default 123456789012. */
export function randomAccountId(): string {
  return String(randomInt(200_000_000_000, 999_999_999_999));
}

interface Middlewared {
  middlewareStack: {
    add(
      mw: (
        next: (args: { request: unknown }) => Promise<unknown>,
      ) => (args: { request: unknown }) => Promise<unknown>,
      opts: { step: 'build' },
    ): void;
  };
}

/** Makes every request of `client` act in `accountId` (moto's `x-moto-account-id` header). */
export function actAs<T>(client: T, accountId: string): T {
  (client as unknown as Middlewared).middlewareStack.add(
    (next) => (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = accountId;
      return next(args);
    },
    { step: 'build' },
  );
  return client;
}

/** SDK settings for `moto`; credentials are moto's usual dummies. */
export function sdkConfig(moto: MotoServer): {
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  return {
    region: 'us-east-1',
    endpoint: moto.url,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
}

/** The three SDK clients, acting in `accountId`. */
export interface AccountClients {
  accountId: string;
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  sts: STSClient;
  destroy(): void;
}

/** EC2 / ELBv2 / STS clients acting in `accountId` (a fresh random one by default). */
export function clientsFor(moto: MotoServer, accountId = randomAccountId()): AccountClients {
  const config = sdkConfig(moto);
  const ec2 = actAs(new EC2Client(config), accountId);
  const elbv2 = actAs(new ElasticLoadBalancingV2Client(config), accountId);
  const sts = actAs(new STSClient(config), accountId);
  return {
    accountId,
    ec2,
    elbv2,
    sts,
    destroy() {
      ec2.destroy();
      elbv2.destroy();
      sts.destroy();
    },
  };
}

/** A VPC with one subnet per listed AZ (10.x.<i>.0/24) and a security group. */
export interface Network {
  vpcId: string;
  cidr: string;
  subnetIds: string[];
  securityGroupId: string;
}

/** Creates a VPC `10.<octet>.0.0/16` with a /24 subnet in each of `zones`. */
export async function createNetwork(
  ec2: EC2Client,
  octet: number,
  zones: string[] = ['us-east-1a', 'us-east-1b'],
): Promise<Network> {
  const cidr = `10.${octet}.0.0/16`;
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: cidr }));
  const vpcId = vpc.Vpc!.VpcId!;
  const subnetIds: string[] = [];
  for (const [i, zone] of zones.entries()) {
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
    new CreateSecurityGroupCommand({
      VpcId: vpcId,
      GroupName: `sg-${octet}-${randomInt(1e9)}`,
      Description: 'test',
    }),
  );
  return { vpcId, cidr, subnetIds, securityGroupId: sg.GroupId! };
}

/** An internal NLB in `network`'s subnets and an endpoint service in front of it. */
export async function createEndpointService(
  clients: AccountClients,
  network: Network,
  opts: { acceptanceRequired: boolean; privateDnsName?: string },
): Promise<{ serviceId: string; serviceName: string; nlbArn: string }> {
  const lb = await clients.elbv2.send(
    new CreateLoadBalancerCommand({
      Name: `nlb-${randomInt(1e9)}`,
      Type: 'network',
      Scheme: 'internal',
      Subnets: network.subnetIds,
    }),
  );
  const nlbArn = lb.LoadBalancers![0]!.LoadBalancerArn!;
  const svc = await clients.ec2.send(
    new CreateVpcEndpointServiceConfigurationCommand({
      NetworkLoadBalancerArns: [nlbArn],
      AcceptanceRequired: opts.acceptanceRequired,
      PrivateDnsName: opts.privateDnsName,
    }),
  );
  const config = svc.ServiceConfiguration!;
  return { serviceId: config.ServiceId!, serviceName: config.ServiceName!, nlbArn };
}

/** The AWS error code (`name`) of a rejected SDK promise, or 'resolved' if it succeeded. */
export async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    return (err as { name?: string }).name ?? String(err);
  }
}
