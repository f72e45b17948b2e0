/**
 * The data path follows AWS whatever else fails. While one step's AWS calls are denied (the
 * security group's, the rule's) or the spec's rule is refused (its priority taken), an ENI
 * replaced out of band still reaches the target group and status.endpointIPs; the failing
 * step is reported with its reason, and converges once allowed or fixed.
 */
import { jest } from '@jest/globals';
import { AuthorizeSecurityGroupIngressCommand, ModifyVpcEndpointCommand } from '@aws-sdk/client-ec2';
import { CreateRuleCommand, DeleteRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { startAwsProxy, type AwsProxy } from '../env/aws-proxy/server.ts';
import type { FaultRule } from '../env/aws-proxy/faults.ts';
import { newTestContext, type TestContext } from '../env/context.ts';
import { shareListener } from '../integration/grants.ts';
import {
  applyApp,
  awsClients,
  condition,
  endpoint,
  endpointIps,
  eventually,
  getApp,
  patchApp,
  startController,
  targetIps,
  waitForApp,
  waitForReady,
  type Aws,
  type RunningController,
} from '../integration/published-app/harness.ts';
import { appSpec } from '../integration/published-app/specs.ts';
import { createWorld, type World } from '../integration/published-app/world.ts';
import { accountThroughProxy } from './inventory.ts';

jest.setTimeout(180_000);

let ctx: TestContext;
let aws: Aws;
let world: World;
let proxy: AwsProxy;
let controller: RunningController;

beforeAll(async () => {
  ctx = await newTestContext('rel-data-path');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true, providers: ['blue'] });
  await shareListener(ctx, world.dmz.listenerArn);
  // The controller reaches AWS through its own proxy, so that permissions can be taken away.
  proxy = await startAwsProxy({ upstream: process.env.AWS_ENDPOINT_URL!, throttling: false });
  controller = await startController(
    { ...ctx, awsClientConfig: await accountThroughProxy(proxy.url, ctx.accountId) },
    { resyncPeriodMs: 1_000, app: { fullRecheckMs: 1_000 } },
  );
  await applyApp(ctx, 'blue', appSpec(world, 'blue', '/blue'));
  await waitForReady(ctx, 'blue');
});

afterAll(async () => {
  await controller.stop();
  await proxy.stop();
  aws.destroy();
  await ctx.cleanup();
});

/**
 * Replaces the ENI of the endpoint's second subnet out of band (subnet removed and added
 * back: a new ENI, so a new address as far as the controller can know).
 * @returns the endpoint's live IPs afterwards.
 */
async function replaceEni(endpointId: string): Promise<string[]> {
  const subnet = world.dmz.subnetIds[1]!;
  const before = (await endpoint(aws.ec2, endpointId))!.NetworkInterfaceIds!;
  await aws.ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: endpointId, RemoveSubnetIds: [subnet] }));
  await aws.ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: endpointId, AddSubnetIds: [subnet] }));
  const after = (await endpoint(aws.ec2, endpointId))!.NetworkInterfaceIds!;
  expect(after.filter((id) => !before.includes(id))).toHaveLength(1);
  return endpointIps(aws.ec2, endpointId);
}

type AppStatus = NonNullable<NonNullable<Awaited<ReturnType<typeof getApp>>>['status']>;

/**
 * Replaces an ENI and waits until the target group and status.endpointIPs are the endpoint's
 * live IPs (and TargetsSynced is True). @returns the app then.
 */
async function replaceEniAndFollow(
  before: AppStatus,
): Promise<NonNullable<Awaited<ReturnType<typeof getApp>>>> {
  const live = await replaceEni(before.endpointId!);
  await eventually('targets = live ENI IPs', async () =>
    JSON.stringify(await targetIps(aws.elbv2, before.targetGroupArn!)) === JSON.stringify(live)
      ? true
      : undefined,
  );
  return waitForApp(
    ctx,
    'blue',
    'status on the live ENIs, targets synced',
    (o) =>
      JSON.stringify(o.status?.endpointIPs) === JSON.stringify(live) &&
      condition(o, 'TargetsSynced')?.[0] === 'True',
  );
}

const cases: {
  name: string;
  denied: FaultRule;
  condition: string;
  /** Gives the denied step something to do. */
  breakIt: (status: AppStatus) => Promise<void>;
}[] = [
  {
    name: 'security group',
    denied: { kind: 'accessDenied', rate: 1, service: 'ec2', operation: 'RevokeSecurityGroupIngress' },
    condition: 'SecurityGroupsSynced',
    breakIt: async (status) => {
      await aws.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: status.securityGroupId!,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          ],
        }),
      );
    },
  },
  {
    name: 'rule',
    denied: { kind: 'accessDenied', rate: 1, service: 'elbv2', operation: 'CreateRule' },
    condition: 'RouteConfigured',
    breakIt: async (status) => {
      await aws.elbv2.send(new DeleteRuleCommand({ RuleArn: status.ruleArn! }));
    },
  },
];

it.each(cases)(
  'targets follow a replaced ENI while the $name step is denied',
  async ({ denied, condition: type, breakIt }) => {
    const before = (await waitForReady(ctx, 'blue')).status!;
    proxy.setFaults([denied]);
    try {
      await breakIt(before);
      await waitForApp(
        ctx,
        'blue',
        `${type} AccessDenied`,
        (o) => condition(o, type)?.[1] === 'AccessDenied',
      );
      const app = await replaceEniAndFollow(before);
      // Still refused where it is refused.
      expect(condition(app, type)?.[1]).toBe('AccessDenied');
      expect(condition(app, 'Ready')).toEqual(['False', 'AccessDenied']);
    } finally {
      proxy.clearFaults();
    }
    await waitForReady(ctx, 'blue', 60_000);
  },
);

it('targets follow a replaced ENI while the spec asks for a priority a foreign rule holds', async () => {
  const before = (await waitForReady(ctx, 'blue')).status!;
  await aws.elbv2.send(
    new CreateRuleCommand({
      ListenerArn: world.dmz.listenerArn,
      Priority: 5,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/foreign'] } }],
      Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '418' } }],
    }),
  );
  await patchApp(ctx, 'blue', { routing: { pathPatterns: ['/blue', '/blue/*'], priority: 5 } });
  await waitForApp(
    ctx,
    'blue',
    'PriorityConflict',
    (o) => condition(o, 'RouteConfigured')?.[1] === 'PriorityConflict',
  );
  const app = await replaceEniAndFollow(before);
  // The rule the app had is left as it was, and still recorded.
  expect(app.status!.ruleArn).toBe(before.ruleArn);
  expect(app.status!.priority).toBe(before.priority);
  expect(condition(app, 'Ready')).toEqual(['False', 'PriorityConflict']);
  await patchApp(ctx, 'blue', { routing: { pathPatterns: ['/blue', '/blue/*'], priority: null } });
  await waitForReady(ctx, 'blue', 60_000);
});
