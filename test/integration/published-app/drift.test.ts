/**
 * Drift put back on resync: the rule deleted or its path edited, a target deregistered,
 * 0.0.0.0/0 added to the managed SG — each restored, with a `Drifted` Event. A target
 * someone else registered is reported and kept.
 */
import { jest } from '@jest/globals';
import { AuthorizeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import {
  DeleteRuleCommand,
  DeregisterTargetsCommand,
  ModifyRuleCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { newTestContext, type TestContext } from '../../env/context.ts';
import {
  applyApp,
  awsClients,
  condition,
  eventually,
  forwardOf,
  getApp,
  listenerRules,
  pathsOf,
  securityGroupRules,
  startController,
  targetIps,
  waitForApp,
  waitForEvent,
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

beforeAll(async () => {
  ctx = await newTestContext('papp-drift');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true, providers: ['blue'] });
  await shareListener(ctx, world.dmz.listenerArn);
  controller = await startController(ctx);
  await applyApp(
    ctx,
    'blue',
    appSpec(world, 'blue', '/blue', { routing: { pathPatterns: ['/blue', '/blue/*'], priority: 7 } }),
  );
  await waitForReady(ctx, 'blue');
});

afterAll(async () => {
  await controller.stop();
  aws.destroy();
  await ctx.cleanup();
});

const status = async () => (await getApp(ctx, 'blue'))!.status!;

/** The app's rule as the listener holds it: at priority 7, forwarding to its group, with its paths. */
async function ruleInPlace(): Promise<boolean> {
  const st = await status();
  const rule = (await listenerRules(aws.elbv2, world.dmz.listenerArn)).find((r) => r.Priority === '7');
  return (
    rule !== undefined &&
    JSON.stringify(pathsOf(rule)) === JSON.stringify(['/blue', '/blue/*']) &&
    JSON.stringify(forwardOf(rule)) === JSON.stringify([st.targetGroupArn])
  );
}

it('recreates a deleted rule at its priority', async () => {
  const { ruleArn } = await status();
  await aws.elbv2.send(new DeleteRuleCommand({ RuleArn: ruleArn! }));
  await eventually('rule back', ruleInPlace);
  await waitForEvent(ctx, 'blue', 'Drifted', 'rule missing');
  await waitForReady(ctx, 'blue');
});

it('puts back an edited path', async () => {
  const { ruleArn } = await status();
  await aws.elbv2.send(
    new ModifyRuleCommand({
      RuleArn: ruleArn!,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/hijacked'] } }],
    }),
  );
  await eventually('path back', ruleInPlace);
  await waitForEvent(ctx, 'blue', 'Drifted', '/hijacked');
  const after = await waitForReady(ctx, 'blue');
  expect(after.status!.ruleArn).toBe(ruleArn); // modified in place, not recreated
});

it('registers a deregistered target again', async () => {
  const st = await status();
  const [victim] = st.endpointIPs!;
  await aws.elbv2.send(
    new DeregisterTargetsCommand({
      TargetGroupArn: st.targetGroupArn!,
      Targets: [{ Id: victim!, Port: 80 }],
    }),
  );
  await eventually('target back', async () =>
    (await targetIps(aws.elbv2, st.targetGroupArn!)).includes(victim!),
  );
  await waitForEvent(ctx, 'blue', 'Drifted', `${victim!}:80 missing`);
  expect(await targetIps(aws.elbv2, st.targetGroupArn!)).toEqual(st.endpointIPs);
});

it('revokes 0.0.0.0/0 added to the managed security group', async () => {
  const { securityGroupId } = await status();
  await aws.ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: securityGroupId!,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    }),
  );
  await eventually('0.0.0.0/0 revoked', async () => {
    const sg = await securityGroupRules(aws.ec2, securityGroupId!);
    return (
      sg !== undefined && sg.ingress.every((p) => (p.IpRanges ?? []).length === 0) && sg.ingress.length === 1
    );
  });
  await waitForEvent(ctx, 'blue', 'Drifted', '0.0.0.0/0');
  const sg = (await securityGroupRules(aws.ec2, securityGroupId!))!;
  expect(sg.ingress[0]!.UserIdGroupPairs!.map((p) => p.GroupId)).toEqual([world.dmz.albSecurityGroupId]);
  await waitForReady(ctx, 'blue');
});

it('reports a foreign target and leaves it in place', async () => {
  const st = await status();
  await aws.elbv2.send(
    new RegisterTargetsCommand({
      TargetGroupArn: st.targetGroupArn!,
      Targets: [{ Id: '10.100.3.99', Port: 80 }],
    }),
  );
  const app = await waitForApp(
    ctx,
    'blue',
    'ForeignTargets',
    (o) => condition(o, 'TargetsSynced')?.[1] === 'ForeignTargets',
  );
  expect(app.status!.conditions!.find((c) => c.type === 'TargetsSynced')!.message).toContain(
    '10.100.3.99:80',
  );
  expect(condition(app, 'Ready')).toEqual(['False', 'ForeignTargets']);
  await waitForEvent(ctx, 'blue', 'ForeignTargets', '10.100.3.99:80');
  await new Promise((r) => setTimeout(r, 3_000)); // resyncs
  expect(await targetIps(aws.elbv2, st.targetGroupArn!)).toEqual([...st.endpointIPs!, '10.100.3.99'].sort());
});
