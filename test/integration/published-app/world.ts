/**
 * The seed's world in one AWS account (moto): provider VPCs (blue, green) without internet
 * gateways, each with an internal NLB and — optionally — an endpoint service made directly
 * through the API; a DMZ VPC with an internet gateway, an internet-facing ALB with its own
 * security group, and an HTTP:80 listener whose default action is a fixed 404. Reused by the
 * e2e test and the packaging sandbox.
 */
import {
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointServiceConfigurationCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';

const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

export interface Vpc {
  vpcId: string;
  cidr: string;
  /** One /24 per zone, zones a, b, c in order. */
  subnetIds: string[];
}

export interface Provider extends Vpc {
  name: string;
  nlbArn: string;
  /** Set when the world made the endpoint service itself. */
  serviceId?: string;
  serviceName?: string;
}

export interface Dmz extends Vpc {
  albArn: string;
  albDnsName: string;
  albSecurityGroupId: string;
  listenerArn: string;
}

export interface World {
  dmz: Dmz;
  providers: Record<string, Provider>;
}

export interface WorldOptions {
  /** Provider names, each gets a VPC 10.<i+1>.0.0/16. Default blue, green. */
  providers?: string[];
  /** Create each provider's endpoint service through the API (not through an EndpointService). */
  services?: boolean;
  /** Passed to the services the world creates. Default false (endpoints become available at once). */
  acceptanceRequired?: boolean;
  /** Name prefix for load balancers (unique per account). Default `w`. */
  prefix?: string;
}

async function createVpc(ec2: EC2Client, cidrOctet: number, zones: number): Promise<Vpc> {
  const cidr = `10.${cidrOctet}.0.0/16`;
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: cidr }));
  const vpcId = vpc.Vpc!.VpcId!;
  const subnetIds: string[] = [];
  for (const [i, zone] of ZONES.slice(0, zones).entries()) {
    const s = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: `10.${cidrOctet}.${i + 1}.0/24`,
        AvailabilityZone: zone,
      }),
    );
    subnetIds.push(s.Subnet!.SubnetId!);
  }
  return { vpcId, cidr, subnetIds };
}

/**
 * A provider VPC (no internet gateway) with an internal NLB in three zones (a service is
 * offered only in its NLB's zones), and optionally its endpoint service.
 */
export async function createProvider(
  ec2: EC2Client,
  elbv2: ElasticLoadBalancingV2Client,
  name: string,
  cidrOctet: number,
  opts: { service?: boolean; acceptanceRequired?: boolean; prefix?: string } = {},
): Promise<Provider> {
  const vpc = await createVpc(ec2, cidrOctet, 3);
  const nlb = await elbv2.send(
    new CreateLoadBalancerCommand({
      Name: `${opts.prefix ?? 'w'}-${name}-nlb`,
      Type: 'network',
      Scheme: 'internal',
      Subnets: vpc.subnetIds,
    }),
  );
  const provider: Provider = { ...vpc, name, nlbArn: nlb.LoadBalancers![0]!.LoadBalancerArn! };
  if (opts.service) {
    const svc = await ec2.send(
      new CreateVpcEndpointServiceConfigurationCommand({
        NetworkLoadBalancerArns: [provider.nlbArn],
        AcceptanceRequired: opts.acceptanceRequired ?? false,
      }),
    );
    provider.serviceId = svc.ServiceConfiguration!.ServiceId!;
    provider.serviceName = svc.ServiceConfiguration!.ServiceName!;
  }
  return provider;
}

/** The DMZ VPC: internet gateway, three subnets, internet-facing ALB (first two subnets), HTTP:80 listener → 404. */
export async function createDmz(
  ec2: EC2Client,
  elbv2: ElasticLoadBalancingV2Client,
  cidrOctet: number,
  prefix = 'w',
): Promise<Dmz> {
  const vpc = await createVpc(ec2, cidrOctet, 3);
  const igw = await ec2.send(new CreateInternetGatewayCommand({}));
  await ec2.send(
    new AttachInternetGatewayCommand({
      InternetGatewayId: igw.InternetGateway!.InternetGatewayId!,
      VpcId: vpc.vpcId,
    }),
  );
  const sg = await ec2.send(
    new CreateSecurityGroupCommand({
      VpcId: vpc.vpcId,
      GroupName: `${prefix}-alb`,
      Description: 'ALB: HTTP from the internet',
    }),
  );
  const albSecurityGroupId = sg.GroupId!;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: albSecurityGroupId,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    }),
  );
  const alb = await elbv2.send(
    new CreateLoadBalancerCommand({
      Name: `${prefix}-dmz-alb`,
      Type: 'application',
      Scheme: 'internet-facing',
      Subnets: vpc.subnetIds.slice(0, 2),
      SecurityGroups: [albSecurityGroupId],
    }),
  );
  const lb = alb.LoadBalancers![0]!;
  const listener = await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancerArn!,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [
        {
          Type: 'fixed-response',
          FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'not found' },
        },
      ],
    }),
  );
  return {
    ...vpc,
    albArn: lb.LoadBalancerArn!,
    albDnsName: lb.DNSName!,
    albSecurityGroupId,
    listenerArn: listener.Listeners![0]!.ListenerArn!,
  };
}

/** The whole seed world: providers at 10.1.0.0/16, 10.2.0.0/16, …; the DMZ at 10.100.0.0/16. */
export async function createWorld(
  ec2: EC2Client,
  elbv2: ElasticLoadBalancingV2Client,
  opts: WorldOptions = {},
): Promise<World> {
  const providers: Record<string, Provider> = {};
  for (const [i, name] of (opts.providers ?? ['blue', 'green']).entries()) {
    providers[name] = await createProvider(ec2, elbv2, name, i + 1, {
      service: opts.services ?? false,
      acceptanceRequired: opts.acceptanceRequired ?? false,
      prefix: opts.prefix ?? 'w',
    });
  }
  return { dmz: await createDmz(ec2, elbv2, 100, opts.prefix ?? 'w'), providers };
}
