/**
 * spec.adopt for both kinds: seed 000's blue and green, clicked together straight through the
 * AWS API (endpoint service; DMZ endpoint, SG, IP target group with the ENI addresses, path
 * rule), are taken over without replacing anything — ids unchanged, the rule never forwarding
 * to an empty group at any moment the test samples — then held like anything the controller
 * built (drift put back). Only through a listener and identity that grant adoption, never what
 * someone else owns, never what only a new resource could bring to the spec; a refusal changes
 * nothing. The object's dry-run annotation says every change before anything is tagged. An
 * adopting object defaults to Retain: deletion leaves everything and takes off only our tags.
 */
import { jest } from '@jest/globals';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcEndpointCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
} from '@aws-sdk/client-ec2';
import {
  AddTagsCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeTagsCommand,
  ModifyRuleCommand,
  RegisterTargetsCommand,
  RemoveTagsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DRY_RUN_ANNOTATION, TAG_KEYS } from '../../../src/api/kinds.ts';
import type { PublishedAppSpec } from '../../../src/api/v1alpha1.ts';
import { newTestContext, type TestContext } from '../../env/context.ts';
import { applyEndpointService, getEndpointService, waitForObject } from '../endpoint-service/harness.ts';
import { grantIdentity, removeIdentity, shareListener } from '../grants.ts';
import {
  applyApp,
  awsClients,
  condition,
  deleteApp,
  endpoint,
  endpointIps,
  eventsFor,
  eventually,
  forwardOf,
  getApp,
  listenerRules,
  pathsOf,
  securityGroupRules,
  startController,
  targetGroup,
  targetIps,
  waitForApp,
  waitForEvent,
  waitForReady,
  type Aws,
  type RunningController,
} from './harness.ts';
import { appSpec } from './specs.ts';
import { createWorld, type World } from './world.ts';

jest.setTimeout(240_000);

let ctx: TestContext;
let aws: Aws;
let world: World;
let adopter: string;
let controller: RunningController;

/** What seed 000 clicks together in the DMZ for one provider. */
interface HandBuilt {
  securityGroupId: string;
  endpointId: string;
  targetGroupArn: string;
  ruleArn: string;
}

/** The DMZ side of `provider`, built by hand: SG from the ALB, endpoint, IP group of its ENIs, path rule. */
async function handBuild(provider: string, path: string, priority: number): Promise<HandBuilt> {
  const { ec2, elbv2 } = aws;
  const sg = await ec2.send(
    new CreateSecurityGroupCommand({
      VpcId: world.dmz.vpcId,
      GroupName: `hand-${provider}-endpoint`,
      Description: `${provider} endpoint, by hand`,
    }),
  );
  const securityGroupId = sg.GroupId!;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: securityGroupId,
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
  const ep = await ec2.send(
    new CreateVpcEndpointCommand({
      VpcEndpointType: 'Interface',
      VpcId: world.dmz.vpcId,
      ServiceName: world.providers[provider]!.serviceName!,
      SubnetIds: world.dmz.subnetIds.slice(0, 2),
      SecurityGroupIds: [securityGroupId],
    }),
  );
  const endpointId = ep.VpcEndpoint!.VpcEndpointId!;
  const ips = await eventually(`${endpointId} has its ENIs`, async () => {
    const found = await endpointIps(ec2, endpointId);
    return found.length === 2 ? found : undefined;
  });
  const tg = await elbv2.send(
    new CreateTargetGroupCommand({
      Name: `hand-${provider}`,
      TargetType: 'ip',
      Protocol: 'HTTP',
      Port: 80,
      VpcId: world.dmz.vpcId,
      HealthCheckPath: '/',
    }),
  );
  const targetGroupArn = tg.TargetGroups![0]!.TargetGroupArn!;
  await elbv2.send(
    new RegisterTargetsCommand({
      TargetGroupArn: targetGroupArn,
      Targets: ips.map((Id) => ({ Id, Port: 80 })),
    }),
  );
  const rule = await elbv2.send(
    new CreateRuleCommand({
      ListenerArn: world.dmz.listenerArn,
      Priority: priority,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [path, `${path}/*`] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
    }),
  );
  return { securityGroupId, endpointId, targetGroupArn, ruleArn: rule.Rules![0]!.RuleArn! };
}

function sortTags(tags: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  const entries = (tags ?? []).map((t): [string, string] => [t.Key ?? '', t.Value ?? '']);
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

/** Everything hand-built, as AWS has it: what "nothing changed" and "ids unchanged" compare. */
async function snapshot(hand: HandBuilt): Promise<object> {
  const { ec2, elbv2 } = aws;
  const ep = (await endpoint(ec2, hand.endpointId))!;
  const sg = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [hand.securityGroupId] })))
    .SecurityGroups![0]!;
  const rule = (await listenerRules(elbv2, world.dmz.listenerArn)).find((r) => r.RuleArn === hand.ruleArn);
  const elbTags = await elbv2.send(
    new DescribeTagsCommand({ ResourceArns: [hand.targetGroupArn, hand.ruleArn] }),
  );
  return {
    endpoint: {
      state: ep.State,
      subnets: [...ep.SubnetIds!].sort(),
      groups: ep.Groups!.map((g) => g.GroupId),
      tags: sortTags(ep.Tags),
    },
    sg: { rules: await securityGroupRules(ec2, hand.securityGroupId), tags: sortTags(sg.Tags) },
    targetGroup: {
      tg: await targetGroup(elbv2, hand.targetGroupArn),
      targets: await targetIps(elbv2, hand.targetGroupArn),
    },
    rule: {
      priority: rule?.Priority,
      paths: rule && pathsOf(rule),
      forward: rule && forwardOf(rule),
    },
    elbTags: Object.fromEntries(elbTags.TagDescriptions!.map((d) => [d.ResourceArn!, sortTags(d.Tags)])),
  };
}

/** The adopting spec: the hand-built blue, named, on the listener that grants adoption. */
function adoptingSpec(hand: HandBuilt, extra: Partial<PublishedAppSpec> = {}): PublishedAppSpec {
  return appSpec(world, 'blue', '/blue', {
    adopt: { ...hand },
    listenerRef: { name: 'adopting' },
    ...extra,
  });
}

/** The app is refused with `reason` on `type`, said by an Event, and AWS is exactly as before. */
async function expectRefused(
  name: string,
  hand: HandBuilt,
  refusal: { type: string; reason: string; says: string },
): Promise<void> {
  const before = await snapshot(hand);
  const app = await waitForApp(
    ctx,
    name,
    refusal.reason,
    (o) => condition(o, refusal.type)?.[1] === refusal.reason,
  );
  expect(condition(app, 'Ready')).toEqual(['False', refusal.reason]);
  await waitForEvent(ctx, name, refusal.reason, refusal.says);
  expect(app.status?.adopted).toBeUndefined();
  expect(await snapshot(hand)).toEqual(before);
  await deleteApp(ctx, name);
  await eventually(`${name} gone`, async () => ((await getApp(ctx, name)) ? undefined : true));
}

/**
 * Samples, until stopped, how many targets the group the rule forwards to holds: the data
 * path as a request would meet it.
 */
function sampleForwardedTargets(ruleArn: string): { stop(): Promise<number[]> } {
  const counts: number[] = [];
  const state = { running: true };
  const loop = (async () => {
    while (state.running) {
      const rule = (await listenerRules(aws.elbv2, world.dmz.listenerArn)).find((r) => r.RuleArn === ruleArn);
      const [tg] = rule ? forwardOf(rule) : [];
      counts.push(tg ? (await targetIps(aws.elbv2, tg)).length : 0);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    async stop() {
      state.running = false;
      await loop;
      return counts;
    },
  };
}

let blue: HandBuilt;
let green: HandBuilt;

beforeAll(async () => {
  ctx = await newTestContext('papp-adoption');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true });
  adopter = `${ctx.namespace}-adopter`;
  await grantIdentity(ctx, adopter, { allowAdoption: true, allowedNamespaces: { names: [ctx.namespace] } });
  // The DMZ team grants adoption on one SharedListener (its own namespace), not on the other.
  await shareListener(ctx, world.dmz.listenerArn, {
    name: 'adopting',
    spec: { aws: { identity: adopter }, adoption: { namespaces: { from: 'Same' } } },
  });
  await shareListener(ctx, world.dmz.listenerArn, { name: 'plain', spec: { aws: { identity: adopter } } });
  blue = await handBuild('blue', '/blue', 10);
  green = await handBuild('green', '/green', 20);
  controller = await startController(ctx, { endpointServices: true });
});

afterAll(async () => {
  await controller.stop();
  await removeIdentity(ctx, adopter);
  aws.destroy();
  await ctx.cleanup();
});

it('refuses adoption through a listener that does not grant it, before any AWS call', async () => {
  await applyApp(ctx, 'no-grant', adoptingSpec(blue, { listenerRef: { name: 'plain' } }));
  await expectRefused('no-grant', blue, {
    type: 'RouteConfigured',
    reason: 'AdoptionNotPermitted',
    says: 'grants adoption (spec.adoption) to no namespace',
  });
});

it('refuses a target group another cluster owns, tagging nothing', async () => {
  const otherTags = [
    { Key: TAG_KEYS.cluster, Value: 'another-cluster' },
    { Key: TAG_KEYS.owner, Value: 'PublishedApp/team-green/green' },
    { Key: TAG_KEYS.uid, Value: 'someone-else' },
  ];
  await aws.elbv2.send(
    new AddTagsCommand({
      ResourceArns: [blue.targetGroupArn],
      Tags: otherTags,
    }),
  );
  await applyApp(ctx, 'owned', adoptingSpec(blue));
  await expectRefused('owned', blue, {
    type: 'TargetsSynced',
    reason: 'OwnedElsewhere',
    says: 'PublishedApp/team-green/green of cluster another-cluster',
  });
  await aws.elbv2.send(
    new RemoveTagsCommand({
      ResourceArns: [blue.targetGroupArn],
      TagKeys: otherTags.map((t) => t.Key),
    }),
  );
});

it('refuses what only a new resource could serve: a target group of another port', async () => {
  const spec = adoptingSpec(blue);
  await applyApp(ctx, 'replace', { ...spec, target: { ...spec.target, port: 8080 } });
  await expectRefused('replace', blue, {
    type: 'TargetsSynced',
    reason: 'AdoptionNeedsReplacement',
    says: 'is HTTP:80, the spec wants HTTP:8080',
  });
});

it('adopts the hand-built blue in place, provider side and DMZ side, never emptying the data path', async () => {
  const before = await snapshot(blue);
  // Dry run first: every change is said, nothing tagged, no status.
  // Annotated from the start: no pass may run without it.
  await applyApp(ctx, 'blue', adoptingSpec(blue), { [DRY_RUN_ANNOTATION]: 'true' });
  for (const id of [blue.securityGroupId, blue.endpointId, blue.targetGroupArn, blue.ruleArn])
    await waitForEvent(
      ctx,
      'blue',
      'DryRun',
      `adopt ${id}: tag it as owned by PublishedApp/${ctx.namespace}/blue`,
    );
  await waitForEvent(ctx, 'blue', 'DryRun', 'revoke egress');
  await waitForEvent(ctx, 'blue', 'DryRun', `set health check of ${blue.targetGroupArn}`);
  expect((await eventsFor(ctx, 'blue')).some((e) => /would create/.test(e.message ?? ''))).toBe(false);
  expect((await getApp(ctx, 'blue'))?.status).toBeUndefined();
  expect(await snapshot(blue)).toEqual(before);

  // The provider adopts its service; the DMZ side is adopted once the annotation goes.
  const provider = world.providers.blue!;
  await applyEndpointService(ctx, 'blue', {
    aws: { identity: adopter },
    adopt: { serviceId: provider.serviceId! },
    networkLoadBalancerArns: [provider.nlbArn],
    acceptanceRequired: false,
  });
  const sampler = sampleForwardedTargets(blue.ruleArn);
  await ctx.kubectl(['annotate', '-n', ctx.namespace, 'publishedapp', 'blue', `${DRY_RUN_ANNOTATION}-`]);
  const app = await waitForReady(ctx, 'blue', 60_000);
  const counts = await sampler.stop();
  expect(counts.length).toBeGreaterThan(3);
  expect(Math.min(...counts)).toBeGreaterThan(0);

  // Nothing replaced: the status names the hand-built ids, and the endpoint still has its IPs.
  const st = app.status!;
  expect({
    securityGroupId: st.securityGroupId,
    endpointId: st.endpointId,
    targetGroupArn: st.targetGroupArn,
    ruleArn: st.ruleArn,
  }).toEqual(blue);
  expect(st.adopted).toEqual(blue);
  expect(st.deletionPolicy).toBe('Retain');
  expect(st.priority).toBe(10);
  await waitForEvent(ctx, 'blue', 'Adopted', blue.endpointId);
  const ips = await endpointIps(aws.ec2, blue.endpointId);
  expect(await targetIps(aws.elbv2, blue.targetGroupArn)).toEqual(ips);
  // Converged to the spec in place: no egress on the endpoint SG, the spec's health check, tags.
  const sg = (await securityGroupRules(aws.ec2, blue.securityGroupId))!;
  expect(sg.egress).toEqual([]);
  expect(sg.ingress[0]!.UserIdGroupPairs!.map((p) => p.GroupId)).toEqual([world.dmz.albSecurityGroupId]);
  expect((await targetGroup(aws.elbv2, blue.targetGroupArn))!.HealthCheckPath).toBe('/health');
  const tags = (await aws.elbv2.send(new DescribeTagsCommand({ ResourceArns: [blue.ruleArn] })))
    .TagDescriptions![0]!;
  expect(sortTags(tags.Tags)).toMatchObject({ app: 'blue', [TAG_KEYS.uid]: app.metadata!.uid });

  const es = await waitForObject(ctx, 'blue', 'Ready', (o) => condition(o, 'Ready')?.[0] === 'True');
  expect(es.status?.serviceId).toBe(provider.serviceId);
  expect(es.status?.deletionPolicy).toBe('Retain');

  // Drift on the adopted rule is put back like on a created one.
  await aws.elbv2.send(
    new ModifyRuleCommand({
      RuleArn: blue.ruleArn,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/elsewhere'] } }],
    }),
  );
  await waitForEvent(ctx, 'blue', 'Drifted', 'path patterns');
  await eventually('rule put back', async () => {
    const rule = (await listenerRules(aws.elbv2, world.dmz.listenerArn)).find(
      (r) => r.RuleArn === blue.ruleArn,
    );
    return rule && pathsOf(rule).join() === '/blue,/blue/*' ? true : undefined;
  });
});

it('adopts only what is named: green keeps its endpoint and rule, gets a new group and SG before the old go out of use', async () => {
  const handTargets = await targetIps(aws.elbv2, green.targetGroupArn);
  const sampler = sampleForwardedTargets(green.ruleArn);
  await applyApp(
    ctx,
    'green',
    appSpec(world, 'green', '/green', {
      adopt: { endpointId: green.endpointId, ruleArn: green.ruleArn },
      listenerRef: { name: 'adopting' },
    }),
  );
  const app = await waitForReady(ctx, 'green', 60_000);
  const counts = await sampler.stop();
  expect(Math.min(...counts)).toBeGreaterThan(0);
  const st = app.status!;
  expect(st.endpointId).toBe(green.endpointId);
  expect(st.ruleArn).toBe(green.ruleArn);
  expect(st.targetGroupArn).not.toBe(green.targetGroupArn);
  expect(st.securityGroupId).not.toBe(green.securityGroupId);
  // The rule moved to the new group; the endpoint to the managed SG.
  const rule = (await listenerRules(aws.elbv2, world.dmz.listenerArn)).find(
    (r) => r.RuleArn === green.ruleArn,
  )!;
  expect(forwardOf(rule)).toEqual([st.targetGroupArn]);
  expect((await endpoint(aws.ec2, green.endpointId))!.Groups!.map((g) => g.GroupId)).toEqual([
    st.securityGroupId,
  ]);
  // What was not adopted is not the controller's: the hand-built group and SG are untouched.
  expect(await targetIps(aws.elbv2, green.targetGroupArn)).toEqual(handTargets);
  expect(await securityGroupRules(aws.ec2, green.securityGroupId)).toMatchObject({
    ingress: [expect.objectContaining({ FromPort: 80 })],
  });
});

it('deletes with Retain: everything stays, only the ownership tags go', async () => {
  const blueUid = (await getApp(ctx, 'blue'))!.metadata!.uid!;
  await deleteApp(ctx, 'blue');
  await ctx.kubectl(['delete', '-n', ctx.namespace, 'endpointservice', 'blue', '--wait=false']);
  await eventually('blue gone', async () => ((await getApp(ctx, 'blue')) ? undefined : true));
  await eventually('endpoint service blue gone', async () =>
    (await getEndpointService(ctx, 'blue')) ? undefined : true,
  );
  await waitForEvent(ctx, 'blue', 'Retained', 'left in place');
  const after = (await snapshot(blue)) as {
    endpoint: { state: string; tags: Record<string, string> };
    sg: { tags: Record<string, string> };
    elbTags: Record<string, Record<string, string>>;
  };
  expect(after.endpoint.state).toBe('available');
  for (const tags of [after.endpoint.tags, after.sg.tags, ...Object.values(after.elbTags)]) {
    expect(Object.keys(tags).filter((k) => k.startsWith('publisher.privatelink.dev/'))).toEqual([]);
    expect(tags.app).toBe('blue');
  }
  expect(JSON.stringify(after)).not.toContain(blueUid);
  const rule = (await listenerRules(aws.elbv2, world.dmz.listenerArn)).find(
    (r) => r.RuleArn === blue.ruleArn,
  )!;
  expect(forwardOf(rule)).toEqual([blue.targetGroupArn]);
  expect(await targetIps(aws.elbv2, blue.targetGroupArn)).toEqual(
    await endpointIps(aws.ec2, blue.endpointId),
  );
  const service = await aws.ec2.send(
    new DescribeVpcEndpointServiceConfigurationsCommand({ ServiceIds: [world.providers.blue!.serviceId!] }),
  );
  const serviceTags = sortTags(service.ServiceConfigurations![0]!.Tags);
  expect(Object.keys(serviceTags).filter((k) => k.startsWith('publisher.privatelink.dev/'))).toEqual([]);
});
