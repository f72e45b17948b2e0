/**
 * The paged describes against the real emulator: every page and every id chunk is walked,
 * with the number of calls the batching promises, and ownership tags/filters select exactly
 * the owned resources.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  CreateVpcEndpointServiceConfigurationCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createAwsClientFactory, type ClosableAwsClientFactory } from '../../src/aws/clients.ts';
import {
  collect,
  elbv2Tags,
  listenerRules,
  networkInterfacesById,
  securityGroupRules,
  targetGroups,
  vpcEndpointConnections,
  vpcEndpoints,
  vpcEndpointServiceConfigurations,
} from '../../src/aws/paging.ts';
import { isOwnedBy, ownerFilters, ownershipTags, type Owner } from '../../src/aws/tags.ts';
import type { AwsCallObserverCall, AwsClients } from '../../src/aws/types.ts';
import { newTestContext, type TestContext } from '../env/context.ts';

const TIMEOUT_MS = 120_000;

let ctx: TestContext;
let factory: ClosableAwsClientFactory;
let aws: AwsClients;
const calls: AwsCallObserverCall[] = [];
let vpcId: string;
let subnetIds: string[];

const owner: Owner = {
  clusterId: 'paging-test',
  kind: 'PublishedApp',
  namespace: 'ns',
  name: 'app',
  uid: 'uid-1',
};
const stranger: Owner = { ...owner, name: 'other', uid: 'uid-2' };

/** How many calls of `operation` `run` makes. */
async function countCalls<T>(
  operation: string,
  run: () => Promise<T>,
): Promise<{ result: T; count: number }> {
  const before = calls.length;
  const result = await run();
  return { result, count: calls.slice(before).filter((c) => c.operation === operation).length };
}

// These suites test the client factory itself, not the controller: they talk to moto directly
// so the run's recording proxy lists only the controller's actions (the IAM policy test reads
// that list). jest gives each test file its own process.env.
process.env.AWS_ENDPOINT_URL = process.env.PLP_MOTO_URL;

beforeAll(async () => {
  ctx = await newTestContext('aws-paging');
  factory = createAwsClientFactory({
    defaultRegion: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    observer: (call) => calls.push(call),
    // Full share with refill ×20: set-up calls should not be what this file waits on.
    apiShare: 1,
    refillScale: 20,
  });
  aws = factory.clientsFor({ roleArn: `arn:aws:iam::${ctx.accountId}:role/privatelink-publisher` });
  const vpc = await aws.ec2.send(new CreateVpcCommand({ CidrBlock: '10.50.0.0/16' }));
  vpcId = vpc.Vpc!.VpcId!;
  subnetIds = await Promise.all(
    ['a', 'b'].map(async (az, i) => {
      const out = await aws.ec2.send(
        new CreateSubnetCommand({
          VpcId: vpcId,
          CidrBlock: `10.50.${i}.0/24`,
          AvailabilityZone: `us-east-1${az}`,
        }),
      );
      return out.Subnet!.SubnetId!;
    }),
  );
}, TIMEOUT_MS);

afterAll(async () => {
  factory.destroy();
  await ctx.cleanup();
});

test(
  'listener rules are walked page by page (Marker)',
  async () => {
    const lb = await aws.elbv2.send(
      new CreateLoadBalancerCommand({ Name: 'paging-alb', Subnets: subnetIds }),
    );
    const tg = await aws.elbv2.send(
      new CreateTargetGroupCommand({
        Name: 'paging-default',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: vpcId,
        TargetType: 'ip',
      }),
    );
    const tgArn = tg.TargetGroups![0]!.TargetGroupArn!;
    const listener = await aws.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancers![0]!.LoadBalancerArn!,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }],
      }),
    );
    const listenerArn = listener.Listeners![0]!.ListenerArn!;
    for (const priority of [1, 2, 3, 4, 5]) {
      await aws.elbv2.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: priority,
          Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [`/app${priority}/*`] } }],
          Actions: [{ Type: 'forward', TargetGroupArn: tgArn }],
        }),
      );
    }

    const { result, count } = await countCalls('DescribeRules', () =>
      collect(listenerRules(aws.elbv2, listenerArn, { pageSize: 2 })),
    );
    // Five rules plus the default rule, two per page.
    expect(result.map((r) => r.Priority).sort()).toEqual(['1', '2', '3', '4', '5', 'default']);
    expect(count).toBe(3);
  },
  TIMEOUT_MS,
);

test(
  'target groups and their tags: DescribeTags takes 20 ARNs per call',
  async () => {
    const created: string[] = [];
    for (let i = 0; i < 25; i++) {
      const out = await aws.elbv2.send(
        new CreateTargetGroupCommand({
          Name: `paging-tg-${i}`,
          Protocol: 'HTTP',
          Port: 80,
          VpcId: vpcId,
          TargetType: 'ip',
          Tags: ownershipTags(i % 5 === 0 ? stranger : owner, { index: String(i) }),
        }),
      );
      created.push(out.TargetGroups![0]!.TargetGroupArn!);
    }

    const all = await collect(targetGroups(aws.elbv2));
    expect(all.map((g) => g.TargetGroupArn)).toEqual(expect.arrayContaining(created));

    const { result: tags, count } = await countCalls('DescribeTags', () =>
      elbv2Tags(aws.elbv2, [...created, created[0]!]),
    );
    expect(count).toBe(2);
    expect([...tags.keys()].sort()).toEqual([...created].sort());
    const owned = created.filter((arn) => isOwnedBy(tags.get(arn), owner));
    expect(owned).toHaveLength(20);
    expect(owned).not.toContain(created[0]);
  },
  TIMEOUT_MS,
);

test(
  'network interfaces by id: missing ids are skipped, 200 ids per call',
  async () => {
    const real: string[] = [];
    for (let i = 0; i < 3; i++) {
      const out = await aws.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetIds[0] }));
      real.push(out.NetworkInterface!.NetworkInterfaceId!);
    }
    const missing = Array.from(
      { length: 201 },
      (_, i) => `eni-${(0xf0000000 + i).toString(16).padStart(17, '0')}`,
    );

    const { result, count } = await countCalls('DescribeNetworkInterfaces', () =>
      collect(
        networkInterfacesById(aws.ec2, [...missing.slice(0, 100), ...real, ...missing.slice(100), real[0]!]),
      ),
    );
    expect(result.map((eni) => eni.NetworkInterfaceId).sort()).toEqual([...real].sort());
    expect(result.every((eni) => eni.PrivateIpAddress)).toBe(true);
    expect(count).toBe(2); // 204 distinct ids
  },
  TIMEOUT_MS,
);

test(
  'security group rules selected by ownership tag',
  async () => {
    const sg = await aws.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'paging-sg', Description: 'paging', VpcId: vpcId }),
    );
    const groupId = sg.GroupId!;
    for (const [port, who] of [
      [443, owner],
      [8443, stranger],
    ] as const) {
      await aws.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
          ],
          TagSpecifications: [{ ResourceType: 'security-group-rule', Tags: ownershipTags(who) }],
        }),
      );
    }

    const inGroup = await collect(
      securityGroupRules(aws.ec2, { Filters: [{ Name: 'group-id', Values: [groupId] }] }),
    );
    expect(
      inGroup
        .filter((r) => !r.IsEgress)
        .map((r) => r.FromPort)
        .sort(),
    ).toEqual([443, 8443]);

    const ours = await collect(
      securityGroupRules(aws.ec2, { Filters: ownerFilters({ clusterId: owner.clusterId, uid: owner.uid }) }),
    );
    expect(ours.map((r) => r.FromPort)).toEqual([443]);
    expect(ours.every((r) => isOwnedBy(r.Tags, owner))).toBe(true);
  },
  TIMEOUT_MS,
);

test(
  'endpoint services, endpoints and connections selected by ownership tag',
  async () => {
    const nlb = await aws.elbv2.send(
      new CreateLoadBalancerCommand({
        Name: 'paging-nlb',
        Type: 'network',
        Scheme: 'internal',
        Subnets: subnetIds,
      }),
    );
    const service = await aws.ec2.send(
      new CreateVpcEndpointServiceConfigurationCommand({
        NetworkLoadBalancerArns: [nlb.LoadBalancers![0]!.LoadBalancerArn!],
        AcceptanceRequired: true,
        TagSpecifications: [
          {
            ResourceType: 'vpc-endpoint-service',
            Tags: ownershipTags({ ...owner, kind: 'EndpointService' }),
          },
        ],
      }),
    );
    const serviceId = service.ServiceConfiguration!.ServiceId!;
    const serviceName = service.ServiceConfiguration!.ServiceName!;

    const services = await collect(vpcEndpointServiceConfigurations(aws.ec2));
    const ownedServices = services.filter((s) => isOwnedBy(s.Tags, owner));
    expect(ownedServices.map((s) => s.ServiceId)).toEqual([serviceId]);

    for (const who of [owner, stranger]) {
      await aws.ec2.send(
        new CreateVpcEndpointCommand({
          VpcEndpointType: 'Interface',
          VpcId: vpcId,
          ServiceName: serviceName,
          SubnetIds: [subnetIds[0]!],
          TagSpecifications: [{ ResourceType: 'vpc-endpoint', Tags: ownershipTags(who) }],
        }),
      );
    }
    const ours = await collect(
      vpcEndpoints(aws.ec2, { Filters: ownerFilters({ clusterId: owner.clusterId, uid: owner.uid }) }),
    );
    expect(ours).toHaveLength(1);
    expect(ours[0]!.ServiceName).toBe(serviceName);
    expect(isOwnedBy(ours[0]!.Tags, owner)).toBe(true);
    const everyOwned = await collect(
      vpcEndpoints(aws.ec2, { Filters: ownerFilters({ clusterId: owner.clusterId }) }),
    );
    expect(everyOwned).toHaveLength(2);

    const connections = await collect(
      vpcEndpointConnections(aws.ec2, { Filters: [{ Name: 'service-id', Values: [serviceId] }] }),
    );
    expect(connections.map((c) => c.VpcEndpointId).sort()).toEqual(
      everyOwned.map((e) => e.VpcEndpointId).sort(),
    );
  },
  TIMEOUT_MS,
);
