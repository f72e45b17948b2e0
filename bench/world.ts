/**
 * The benchmark's world in one AWS account, built straight against moto (not through the
 * throttling proxy, so setup spends none of the account's budget): one DMZ VPC with an ALB
 * and listener per `rulesPerListener` apps, and one provider VPC whose NLBs back N endpoint
 * services (acceptance not required: the DMZ side is what is measured).
 */
import { CreateVpcEndpointServiceConfigurationCommand, type EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateLoadBalancerCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  createDmz,
  createProvider,
  type Dmz,
  type Provider,
} from '../test/integration/published-app/world.ts';

export interface BenchWorld {
  dmzs: Dmz[];
  provider: Provider;
  /** Endpoint service names, one per app. */
  serviceNames: string[];
  nlbCount: number;
}

/** Runs `fn` over `items` with at most `limit` in flight, in order of start. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function createNlb(
  elbv2: ElasticLoadBalancingV2Client,
  provider: Provider,
  k: number,
): Promise<string> {
  const out = await elbv2.send(
    new CreateLoadBalancerCommand({
      Name: `b-nlb-${k}`,
      Type: 'network',
      Scheme: 'internal',
      Subnets: provider.subnetIds,
    }),
  );
  return out.LoadBalancers![0]!.LoadBalancerArn!;
}

/** Builds the world for `apps` apps. */
export async function buildWorld(
  ec2: EC2Client,
  elbv2: ElasticLoadBalancingV2Client,
  apps: number,
  opts: { rulesPerListener: number; servicesPerNlb: number },
): Promise<BenchWorld> {
  const dmzCount = Math.ceil(apps / opts.rulesPerListener);
  if (dmzCount > 150) throw new Error(`${dmzCount} DMZ VPCs do not fit 10.100-249.0.0/16`);
  const dmzs = await mapLimit(
    Array.from({ length: dmzCount }, (_, i) => i),
    4,
    (i) => createDmz(ec2, elbv2, 100 + i, `b${i}`),
  );
  const provider = await createProvider(ec2, elbv2, 'p', 1, { prefix: 'b' });
  const nlbs = [provider.nlbArn];
  const nlbCount = Math.ceil(apps / opts.servicesPerNlb);
  for (let k = 1; k < nlbCount; k++) nlbs.push(await createNlb(elbv2, provider, k));
  const serviceNames = await mapLimit(
    Array.from({ length: apps }, (_, i) => i),
    8,
    async (i) => {
      const svc = await ec2.send(
        new CreateVpcEndpointServiceConfigurationCommand({
          NetworkLoadBalancerArns: [nlbs[Math.floor(i / opts.servicesPerNlb)]!],
          AcceptanceRequired: false,
        }),
      );
      return svc.ServiceConfiguration!.ServiceName!;
    },
  );
  return { dmzs, provider, serviceNames, nlbCount };
}
