/** Shared set-up for the AWS proxy's integration tests. */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsClientConfig } from '../env/context.ts';
import { startAwsProxy, type AwsProxy, type AwsProxyOptions } from '../env/aws-proxy/server.ts';

/** moto from the integration project's global setup. */
export function motoUrl(): string {
  const url = process.env.AWS_ENDPOINT_URL;
  if (!url) throw new Error('AWS_ENDPOINT_URL is not set: run this file in the jest "integration" project');
  return url;
}

/** A proxy in front of the global setup's moto. */
export function startProxy(opts: Omit<AwsProxyOptions, 'upstream'> = {}): Promise<AwsProxy> {
  return startAwsProxy({ upstream: motoUrl(), ...opts });
}

/** Credentials for `accountId` from an AssumeRole made through the proxy, so it learns the key. */
export async function assumeThrough(proxyUrl: string, accountId: string): Promise<AwsClientConfig> {
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const sts = new STSClient({
    region,
    endpoint: proxyUrl,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${accountId}:role/proxy-test`,
      RoleSessionName: 'proxy-test',
    }),
  );
  sts.destroy();
  const c = out.Credentials!;
  return {
    region,
    endpoint: proxyUrl,
    credentials: {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken,
    },
  };
}

/** EC2 / ELBv2 / STS clients for one config. */
export interface Clients {
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  sts: STSClient;
  destroy(): void;
}

/** SDK clients; `maxAttempts` 1 unless given, so each send is exactly one call the proxy sees. */
export function clients(config: AwsClientConfig, maxAttempts = 1): Clients {
  const ec2 = new EC2Client({ ...config, maxAttempts });
  const elbv2 = new ElasticLoadBalancingV2Client({ ...config, maxAttempts });
  const sts = new STSClient({ ...config, maxAttempts });
  return {
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

/** How an SDK call ended: `ok`, or the error's name, HTTP status and attempts. */
export interface Settled {
  name: string;
  status?: number;
  attempts?: number;
  error?: unknown;
}

/** Awaits `promise` and describes how it ended; never throws. */
export async function settle(promise: Promise<unknown>): Promise<Settled> {
  try {
    await promise;
    return { name: 'ok' };
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number; attempts?: number } };
    return {
      name: e.name ?? 'Error',
      status: e.$metadata?.httpStatusCode,
      attempts: e.$metadata?.attempts,
      error,
    };
  }
}

/** Counts of each value. */
export function tally(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
