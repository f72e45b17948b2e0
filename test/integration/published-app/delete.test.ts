/**
 * Deletion removes everything the app owned — rule, target group, endpoint, our egress rule
 * on the ALB's SG, managed SG — and touches nothing else; `Retain` leaves AWS as it is.
 * The ALB's SG here restricts egress, so each app also owns one marked egress rule on it.
 */
import { jest } from '@jest/globals';
import { RevokeSecurityGroupEgressCommand } from '@aws-sdk/client-ec2';
import { CreateRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { PublishedApp } from '../../../src/api/v1alpha1.ts';
import { newTestContext, type TestContext } from '../../env/context.ts';
import {
  applyApp,
  awsClients,
  deleteApp,
  endpointsOf,
  eventually,
  getApp,
  listenerRules,
  securityGroupRules,
  securityGroupsOf,
  startController,
  targetGroup,
  waitForReady,
  type Aws,
  type RunningController,
} from './harness.ts';
import { appSpec } from './specs.ts';
import { createWorld, type World } from './world.ts';
import { shareListener } from '../grants.ts';

jest.setTimeout(150_000);

let ctx: TestContext;
let aws: Aws;
let world: World;
let controller: RunningController;
let foreignRuleArn: string;
let blue: PublishedApp;
let green: PublishedApp;

/** The ALB SG's egress rules that point at `groupId`. */
async function albEgressTo(groupId: string): Promise<number> {
  const sg = (await securityGroupRules(aws.ec2, world.dmz.albSecurityGroupId))!;
  return sg.egress.filter((p) => p.UserIdGroupPairs?.some((g) => g.GroupId === groupId)).length;
}

beforeAll(async () => {
  ctx = await newTestContext('papp-delete');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true });
  await shareListener(ctx, world.dmz.listenerArn);
  await aws.ec2.send(
    new RevokeSecurityGroupEgressCommand({
      GroupId: world.dmz.albSecurityGroupId,
      IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    }),
  );
  const foreign = await aws.elbv2.send(
    new CreateRuleCommand({
      ListenerArn: world.dmz.listenerArn,
      Priority: 1,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/foreign*'] } }],
      Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '418' } }],
    }),
  );
  foreignRuleArn = foreign.Rules![0]!.RuleArn!;
  controller = await startController(ctx);
  await applyApp(ctx, 'blue', appSpec(world, 'blue', '/blue'));
  await applyApp(ctx, 'green', appSpec(world, 'green', '/green', { deletionPolicy: 'Retain' }));
  blue = await waitForReady(ctx, 'blue');
  green = await waitForReady(ctx, 'green');
});

afterAll(async () => {
  await controller.stop();
  aws.destroy();
  await ctx.cleanup();
});

it('let each ALB reach its endpoint through one marked egress rule', async () => {
  expect(await albEgressTo(blue.status!.securityGroupId!)).toBe(1);
  expect(await albEgressTo(green.status!.securityGroupId!)).toBe(1);
});

it('deletes everything the app owned and nothing else', async () => {
  const st = blue.status!;
  await deleteApp(ctx, 'blue');
  await eventually('blue gone', async () => (await getApp(ctx, 'blue')) === undefined);
  const uid = blue.metadata!.uid!;
  expect(await endpointsOf(aws.ec2, uid)).toEqual([]);
  expect(await securityGroupsOf(aws.ec2, uid)).toEqual([]);
  expect(await targetGroup(aws.elbv2, st.targetGroupArn!)).toBeUndefined();
  const rules = await listenerRules(aws.elbv2, world.dmz.listenerArn);
  expect(rules.map((r) => r.RuleArn)).not.toContain(st.ruleArn);
  // Untouched: the foreign rule, green's rule, green's ALB egress rule, the ALB's ingress.
  expect(rules.map((r) => r.RuleArn)).toEqual(
    expect.arrayContaining([foreignRuleArn, green.status!.ruleArn]),
  );
  expect(await albEgressTo(st.securityGroupId!)).toBe(0);
  expect(await albEgressTo(green.status!.securityGroupId!)).toBe(1);
  const alb = (await securityGroupRules(aws.ec2, world.dmz.albSecurityGroupId))!;
  expect(alb.ingress).toEqual([expect.objectContaining({ IpProtocol: 'tcp', FromPort: 80, ToPort: 80 })]);
});

it('Retain removes the object and leaves AWS in place', async () => {
  const st = green.status!;
  await deleteApp(ctx, 'green');
  await eventually('green gone', async () => (await getApp(ctx, 'green')) === undefined);
  const uid = green.metadata!.uid!;
  expect((await endpointsOf(aws.ec2, uid)).map((e) => e.VpcEndpointId)).toEqual([st.endpointId]);
  expect(await securityGroupsOf(aws.ec2, uid)).toEqual([st.securityGroupId]);
  expect(await targetGroup(aws.elbv2, st.targetGroupArn!)).toBeDefined();
  expect((await listenerRules(aws.elbv2, world.dmz.listenerArn)).map((r) => r.RuleArn)).toContain(st.ruleArn);
});
