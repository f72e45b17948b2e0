/**
 * Spec changes are made in place where AWS allows it: a new priority with SetRulePriorities
 * and new paths with ModifyRule (same rule ARN throughout, so traffic always has a rule);
 * a new target port needs a new target group (ports are immutable), which is filled before
 * the rule is switched to it and the old group deleted. Health check and deregistration delay
 * change in place. Extra endpoint SGs follow the spec, and so do tags on everything owned.
 */
import { jest } from '@jest/globals';
import { CreateSecurityGroupCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import {
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { TAG_KEYS } from '../../../src/api/kinds.ts';
import { newTestContext, type TestContext } from '../../env/context.ts';
import {
  applyApp,
  awsClients,
  endpoint,
  eventually,
  forwardOf,
  getApp,
  listenerRules,
  patchApp,
  pathsOf,
  securityGroupRules,
  startController,
  targetGroup,
  targetIps,
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
const calls: string[] = [];

beforeAll(async () => {
  ctx = await newTestContext('papp-spec-change');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true, providers: ['blue'] });
  await shareListener(ctx, world.dmz.listenerArn);
  controller = await startController(ctx, { observer: (c) => calls.push(c.operation) });
  await applyApp(
    ctx,
    'blue',
    appSpec(world, 'blue', '/blue', { routing: { pathPatterns: ['/blue*'], priority: 7 } }),
  );
  await waitForReady(ctx, 'blue');
});

afterAll(async () => {
  await controller.stop();
  aws.destroy();
  await ctx.cleanup();
});

it('moves the rule to a new priority and new paths in place', async () => {
  const before = (await getApp(ctx, 'blue'))!.status!;
  calls.length = 0;
  await patchApp(ctx, 'blue', { routing: { pathPatterns: ['/azure*'], priority: 8 } });
  const after = (await waitForReady(ctx, 'blue')).status!;
  expect(after.ruleArn).toBe(before.ruleArn);
  expect(after.priority).toBe(8);
  const rule = (await listenerRules(aws.elbv2, world.dmz.listenerArn)).find(
    (r) => r.RuleArn === before.ruleArn,
  )!;
  expect(rule.Priority).toBe('8');
  expect(pathsOf(rule)).toEqual(['/azure*']);
  expect(after.url).toBe(`http://${world.dmz.albDnsName}/azure`);
  expect(calls).toEqual(expect.arrayContaining(['ModifyRule', 'SetRulePriorities']));
  expect(calls).not.toContain('DeleteRule');
  expect(calls).not.toContain('CreateRule');
});

it('moves to a new target group when the port changes, then deletes the old one', async () => {
  const before = (await getApp(ctx, 'blue'))!.status!;
  await patchApp(ctx, 'blue', { target: { port: 8080 } });
  const after = await eventually('new target group in use', async () => {
    const app = await waitForReady(ctx, 'blue');
    return app.status!.targetGroupArn !== before.targetGroupArn ? app.status! : undefined;
  });
  expect(await targetGroup(aws.elbv2, after.targetGroupArn!)).toMatchObject({ Port: 8080, TargetType: 'ip' });
  expect(await targetIps(aws.elbv2, after.targetGroupArn!)).toEqual(after.endpointIPs);
  const rule = (await listenerRules(aws.elbv2, world.dmz.listenerArn)).find(
    (r) => r.RuleArn === before.ruleArn,
  )!;
  expect(forwardOf(rule)).toEqual([after.targetGroupArn]);
  await eventually(
    'old target group deleted',
    async () => (await targetGroup(aws.elbv2, before.targetGroupArn!)) === undefined,
  );
  const sg = (await securityGroupRules(aws.ec2, after.securityGroupId!))!;
  expect(sg.ingress).toEqual([expect.objectContaining({ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080 })]);
});

it('changes the health check and deregistration delay of the target group in place', async () => {
  const before = (await getApp(ctx, 'blue'))!.status!;
  calls.length = 0;
  await patchApp(ctx, 'blue', {
    target: {
      port: 8080,
      healthCheck: { path: '/healthz', intervalSeconds: 15, healthyThresholdCount: 3, matcher: '200-299' },
      deregistrationDelaySeconds: 45,
    },
  });
  const tg = await eventually('health check changed', async () => {
    const group = await targetGroup(aws.elbv2, before.targetGroupArn!);
    return group?.HealthCheckPath === '/healthz' ? group : undefined;
  });
  expect(tg).toMatchObject({
    HealthCheckIntervalSeconds: 15,
    HealthyThresholdCount: 3,
    Matcher: { HttpCode: '200-299' },
  });
  await eventually('deregistration delay changed', async () => {
    const attrs = await aws.elbv2.send(
      new DescribeTargetGroupAttributesCommand({ TargetGroupArn: before.targetGroupArn! }),
    );
    return attrs.Attributes?.some(
      (a) => a.Key === 'deregistration_delay.timeout_seconds' && a.Value === '45',
    );
  });
  // In place: the same target group, no new one.
  expect((await waitForReady(ctx, 'blue')).status!.targetGroupArn).toBe(before.targetGroupArn);
  expect(calls).toEqual(expect.arrayContaining(['ModifyTargetGroup', 'ModifyTargetGroupAttributes']));
  expect(calls).not.toContain('CreateTargetGroup');
});

it('attaches extra security groups from the spec to the endpoint, and detaches them again', async () => {
  const extra = await aws.ec2.send(
    new CreateSecurityGroupCommand({
      VpcId: world.dmz.vpcId,
      GroupName: 'extra',
      Description: 'extra endpoint SG',
    }),
  );
  const { endpointId, securityGroupId } = (await getApp(ctx, 'blue'))!.status!;
  const groupsOf = async () =>
    ((await endpoint(aws.ec2, endpointId!))!.Groups ?? []).map((g) => g.GroupId).sort();
  await patchApp(ctx, 'blue', { endpoint: { securityGroupIds: [extra.GroupId] } });
  const both = [securityGroupId, extra.GroupId].sort();
  await eventually(
    'extra SG attached',
    async () => JSON.stringify(await groupsOf()) === JSON.stringify(both),
  );
  await waitForReady(ctx, 'blue');
  await patchApp(ctx, 'blue', { endpoint: { securityGroupIds: [] } });
  await eventually(
    'extra SG detached',
    async () => JSON.stringify(await groupsOf()) === JSON.stringify([securityGroupId]),
  );
});

it('puts new and changed spec.tags on the endpoint, SG, target group and rule; keeps others', async () => {
  await patchApp(ctx, 'blue', { tags: { app: 'azure', team: 'edge' } });
  const { endpointId, securityGroupId, targetGroupArn, ruleArn } = (await waitForReady(ctx, 'blue')).status!;
  const tagsOf = async (): Promise<Record<string, string>[]> => {
    const e = await endpoint(aws.ec2, endpointId!);
    const g = (await aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [securityGroupId!] })))
      .SecurityGroups?.[0];
    const elb = await aws.elbv2.send(new DescribeTagsCommand({ ResourceArns: [targetGroupArn!, ruleArn!] }));
    return [e?.Tags, g?.Tags, ...(elb.TagDescriptions ?? []).map((d) => d.Tags)].map((t) =>
      Object.fromEntries((t ?? []).map((x) => [x.Key!, x.Value!])),
    );
  };
  const all = await eventually('tags on all four', async () => {
    const t = await tagsOf();
    return t.length === 4 && t.every((m) => m.app === 'azure' && m.team === 'edge') ? t : undefined;
  });
  // Ownership tags stay as they were.
  for (const m of all) expect(m[TAG_KEYS.uid]).toBe((await getApp(ctx, 'blue'))!.metadata!.uid);
});
