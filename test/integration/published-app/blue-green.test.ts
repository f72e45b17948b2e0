/**
 * The seed's architecture with services made directly through the API: two PublishedApps
 * `/blue*` and `/green*` on one DMZ ALB listener → both Ready, and AWS holds exactly what the
 * blog builds by hand: an endpoint per service in the DMZ subnets, an IP target group of its
 * ENI addresses, a path rule forwarding to it, and an endpoint SG admitting only the ALB.
 */
import { jest } from '@jest/globals';
import { newTestContext, type TestContext } from '../../env/context.ts';
import {
  awsClients,
  endpoint,
  endpointIps,
  forwardOf,
  listenerRules,
  pathsOf,
  securityGroupRules,
  startController,
  targetGroup,
  targetIps,
  waitForReady,
  applyApp,
  type Aws,
  type RunningController,
} from './harness.ts';
import { appSpec } from './specs.ts';
import { createWorld, type World } from './world.ts';
import { shareListener } from '../grants.ts';

jest.setTimeout(120_000);

let ctx: TestContext;
let aws: Aws;
let world: World;
let controller: RunningController;

beforeAll(async () => {
  ctx = await newTestContext('papp-blue-green');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true });
  await shareListener(ctx, world.dmz.listenerArn);
  controller = await startController(ctx);
});

afterAll(async () => {
  await controller.stop();
  aws.destroy();
  await ctx.cleanup();
});

it('publishes blue and green through one ALB listener', async () => {
  await applyApp(ctx, 'blue', appSpec(world, 'blue', '/blue'));
  await applyApp(ctx, 'green', appSpec(world, 'green', '/green'));
  const blue = await waitForReady(ctx, 'blue');
  const green = await waitForReady(ctx, 'green');

  for (const [app, provider, path] of [
    [blue, 'blue', '/blue'],
    [green, 'green', '/green'],
  ] as const) {
    const st = app.status!;
    // Endpoint: to the provider's service, in the DMZ subnets, with the managed SG.
    const ep = (await endpoint(aws.ec2, st.endpointId!))!;
    expect(ep.ServiceName).toBe(world.providers[provider]!.serviceName);
    expect(ep.VpcId).toBe(world.dmz.vpcId);
    expect([...ep.SubnetIds!].sort()).toEqual(world.dmz.subnetIds.slice(0, 2).sort());
    expect(ep.Groups!.map((g) => g.GroupId)).toEqual([st.securityGroupId]);
    expect(st.endpointState).toBe('available');

    // Target group: ip targets in the DMZ VPC, exactly the ENI IPs.
    const ips = await endpointIps(aws.ec2, st.endpointId!);
    expect(ips).toHaveLength(2);
    expect(st.endpointIPs).toEqual(ips);
    const tg = (await targetGroup(aws.elbv2, st.targetGroupArn!))!;
    expect(tg).toMatchObject({
      TargetType: 'ip',
      VpcId: world.dmz.vpcId,
      Protocol: 'HTTP',
      Port: 80,
      HealthCheckPath: '/health',
    });
    expect(tg.TargetGroupName!.length).toBeLessThanOrEqual(32);
    expect(await targetIps(aws.elbv2, st.targetGroupArn!)).toEqual(ips);
    expect(st.targets).toEqual({ registered: 2, healthy: 2 });

    // Rule: path condition → forward to that group, at the recorded priority.
    const rule = (await listenerRules(aws.elbv2, world.dmz.listenerArn)).find(
      (r) => r.RuleArn === st.ruleArn,
    )!;
    expect(pathsOf(rule)).toEqual([path, `${path}/*`].sort());
    expect(forwardOf(rule)).toEqual([st.targetGroupArn]);
    expect(Number(rule.Priority)).toBe(st.priority);
    expect(st.url).toBe(`http://${world.dmz.albDnsName}${path}`);

    // Endpoint SG: tcp/80 from the ALB SG only, no egress.
    const sg = (await securityGroupRules(aws.ec2, st.securityGroupId!))!;
    expect(sg.ingress).toHaveLength(1);
    expect(sg.ingress[0]).toMatchObject({ IpProtocol: 'tcp', FromPort: 80, ToPort: 80 });
    expect(sg.ingress[0]!.UserIdGroupPairs!.map((p) => p.GroupId)).toEqual([world.dmz.albSecurityGroupId]);
    expect(sg.ingress[0]!.IpRanges ?? []).toEqual([]);
    expect(sg.egress).toEqual([]);
  }
  // Distinct priorities were allocated; the default rule is still the 404.
  expect(blue.status!.priority).not.toBe(green.status!.priority);
  const rules = await listenerRules(aws.elbv2, world.dmz.listenerArn);
  expect(rules).toHaveLength(3);
  expect(rules.find((r) => r.IsDefault)!.Actions![0]!.Type).toBe('fixed-response');
});
