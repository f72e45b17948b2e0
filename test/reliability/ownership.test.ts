/**
 * Reliability, ownership (issue 8, suite 6). A world seeded with foreign things the
 * controller must never touch — rules on the shared listener, a target group with targets,
 * security groups with rules (also on the ALB's own SG, hardened: no allow-all egress, so the
 * controller adds its own marked egress rule there and must take it back), an endpoint — some named like the
 * controller's (`plp-…`) but none carrying its tags. Two apps are created, one is updated
 * (paths and subnets), one's rule is deleted out of band and repaired, then both are deleted.
 * The Describe* snapshot of everything foreign must be byte-for-byte the same at the end.
 */
import { jest } from '@jest/globals';
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcEndpointCommand,
  RevokeSecurityGroupEgressCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { newTestContext, type TestContext } from '../env/context.ts';
import {
  applyApp,
  awsClients,
  deleteApp,
  eventually,
  getApp,
  listenerRules,
  pathsOf,
  startController,
  waitForApp,
  waitForReady,
  type Aws,
  type RunningController,
} from '../integration/published-app/harness.ts';
import { appSpec } from '../integration/published-app/specs.ts';
import { createWorld, type World } from '../integration/published-app/world.ts';
import { shareListener } from '../integration/grants.ts';
import { foreignSnapshot, inventory, ownedCounts, seedForeignRules } from './inventory.ts';

jest.setTimeout(240_000);

let ctx: TestContext;
let aws: Aws;
let world: World;
let controller: RunningController;
let before: string;
const uids: string[] = [];
let comparisons = 0;

/** Look-alike names: the controller's prefix and shape, but not its tags. */
const LOOKALIKE_TG = 'plp-abcdefghijklmnopqrstuvwxyz23';

async function seedForeign(): Promise<void> {
  const { ec2, elbv2 } = aws;
  const { dmz } = world;
  const tg = await elbv2.send(
    new CreateTargetGroupCommand({
      Name: LOOKALIKE_TG,
      Protocol: 'HTTP',
      Port: 80,
      VpcId: dmz.vpcId,
      TargetType: 'ip',
    }),
  );
  const tgArn = tg.TargetGroups![0]!.TargetGroupArn!;
  await elbv2.send(
    new RegisterTargetsCommand({
      TargetGroupArn: tgArn,
      Targets: [
        { Id: '10.100.1.10', Port: 80 },
        { Id: '10.100.2.10', Port: 80 },
      ],
    }),
  );
  await elbv2.send(
    new CreateTargetGroupCommand({
      Name: 'plp-unused-lookalike',
      Protocol: 'HTTP',
      Port: 8080,
      VpcId: dmz.vpcId,
      TargetType: 'ip',
    }),
  );
  // Rules on the shared listener, one forwarding to the look-alike group, one at a low priority.
  await seedForeignRules(elbv2, dmz.listenerArn, tgArn);
  // Security groups named like the controller's endpoint SGs, with rules; and a foreign rule on the ALB's SG.
  const sgA = await ec2.send(
    new CreateSecurityGroupCommand({
      VpcId: dmz.vpcId,
      GroupName: `plp-${ctx.namespace}-app-a-00000000`,
      Description: 'looks like ours, is not',
    }),
  );
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: sgA.GroupId!,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 80,
          ToPort: 80,
          UserIdGroupPairs: [{ GroupId: world.dmz.albSecurityGroupId }],
        },
      ],
    }),
  );
  const sgB = await ec2.send(
    new CreateSecurityGroupCommand({
      VpcId: dmz.vpcId,
      GroupName: 'legacy-endpoint',
      Description: 'foreign',
    }),
  );
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: sgB.GroupId!,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.100.0.0/16' }] },
      ],
    }),
  );
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: dmz.albSecurityGroupId,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    }),
  );
  // A hardened ALB SG: no allow-all egress, so the controller must add (and later remove) its own.
  await ec2.send(
    new RevokeSecurityGroupEgressCommand({
      GroupId: dmz.albSecurityGroupId,
      IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    }),
  );
  await ec2.send(
    new AuthorizeSecurityGroupEgressCommand({
      GroupId: dmz.albSecurityGroupId,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, UserIdGroupPairs: [{ GroupId: sgA.GroupId! }] },
      ],
    }),
  );
  // An endpoint to the blue service in the DMZ, Name-tagged like an app's.
  await ec2.send(
    new CreateVpcEndpointCommand({
      VpcEndpointType: 'Interface',
      VpcId: dmz.vpcId,
      ServiceName: world.providers.blue!.serviceName!,
      SubnetIds: [dmz.subnetIds[2]!],
      SecurityGroupIds: [sgA.GroupId!],
      TagSpecifications: [
        { ResourceType: 'vpc-endpoint', Tags: [{ Key: 'Name', Value: `plp-${ctx.namespace}-app-a` }] },
      ],
    }),
  );
}

/** Foreign state, hiding only the controller's own egress rules on the ALB SG while apps exist. */
async function foreignNow(): Promise<string> {
  const inv = await inventory(aws.ec2, aws.elbv2, world.dmz.listenerArn);
  const ours = new Set(inv.securityGroups.filter((g) => g.uid !== undefined).map((g) => g.id));
  comparisons++;
  return foreignSnapshot(aws.ec2, aws.elbv2, ours);
}

beforeAll(async () => {
  ctx = await newTestContext('rel-ownership');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true });
  await shareListener(ctx, world.dmz.listenerArn);
  await seedForeign();
  before = await foreignSnapshot(aws.ec2, aws.elbv2);
  controller = await startController(ctx);
});

afterAll(async () => {
  await controller.stop();
  aws.destroy();
  await ctx.cleanup();
});

it('creates two apps next to the foreign things', async () => {
  await applyApp(ctx, 'app-a', appSpec(world, 'blue', '/a'));
  await applyApp(ctx, 'app-b', appSpec(world, 'green', '/b'));
  for (const name of ['app-a', 'app-b']) uids.push((await waitForReady(ctx, name)).metadata!.uid!);
  const inv = await inventory(aws.ec2, aws.elbv2, world.dmz.listenerArn);
  for (const uid of uids) {
    expect(ownedCounts(inv, uid)).toEqual({ endpoints: 1, securityGroups: 1, targetGroups: 1, rules: 1 });
  }
  expect(await foreignNow()).toBe(before);
  // The unfiltered snapshot does see the controller's egress rules on the ALB's SG: the
  // final comparison, made unfiltered, would notice one left behind.
  expect(await foreignSnapshot(aws.ec2, aws.elbv2)).not.toBe(before);
});

it('updates one app (paths and subnets)', async () => {
  const spec = appSpec(world, 'blue', '/a2', {
    endpoint: { vpcId: world.dmz.vpcId, subnetIds: world.dmz.subnetIds.slice(1, 3) },
  });
  await applyApp(ctx, 'app-a', spec);
  const app = await waitForReady(ctx, 'app-a', 90_000);
  const rule = (await listenerRules(aws.elbv2, world.dmz.listenerArn)).find(
    (r) => r.RuleArn === app.status!.ruleArn,
  );
  expect(pathsOf(rule!)).toEqual(['/a2', '/a2/*']);
  expect(await foreignNow()).toBe(before);
});

it('repairs a rule deleted out of band', async () => {
  const old = (await getApp(ctx, 'app-b'))!.status!.ruleArn!;
  await aws.elbv2.send(new DeleteRuleCommand({ RuleArn: old }));
  const repaired = await waitForApp(
    ctx,
    'app-b',
    'a new rule',
    (o) => !!o.status?.ruleArn && o.status.ruleArn !== old,
  );
  await eventually('the new rule on the listener', async () =>
    (await listenerRules(aws.elbv2, world.dmz.listenerArn)).some(
      (r) => r.RuleArn === repaired.status!.ruleArn,
    ),
  );
  await waitForReady(ctx, 'app-b');
  expect(await foreignNow()).toBe(before);
});

it('deletes both apps, leaving nothing of theirs and every foreign thing byte-for-byte', async () => {
  await deleteApp(ctx, 'app-a');
  await deleteApp(ctx, 'app-b');
  for (const name of ['app-a', 'app-b']) {
    await eventually(`${name} gone`, async () => (await getApp(ctx, name)) === undefined, 90_000);
  }
  const inv = await inventory(aws.ec2, aws.elbv2, world.dmz.listenerArn);
  for (const uid of uids) {
    expect(ownedCounts(inv, uid)).toEqual({ endpoints: 0, securityGroups: 0, targetGroups: 0, rules: 0 });
  }
  // No ignored pairs now: the ALB's SG too must be exactly as it was.
  comparisons++;
  const after = await foreignSnapshot(aws.ec2, aws.elbv2);
  const counts = JSON.parse(after) as Record<string, unknown[]>;
  console.log(
    JSON.stringify({
      suite: 'reliability/ownership',
      foreignResources: Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v.length])),
      phases: ['create', 'update', 'drift-repair', 'delete'],
      snapshotComparisons: comparisons,
      violations: after === before ? 0 : 1,
    }),
  );
  expect(after).toBe(before);
});
