/**
 * Reliability, runtime bad input (issue 8, suite 5; the schema-level catalog is in
 * test/crds/invalid/). Each bad PublishedApp, applied next to a healthy one on the same
 * listener, must get its specific reason on Ready=False and a Warning event, must get no AWS
 * resource of its own when the reason can be decided before any change (all but a rejected
 * connection: the endpoint must exist to be rejected), and must not disturb the healthy app
 * (still Ready, same rule, same targets). A listener of an NLB is already refused by the CRD.
 *
 * Then AccessDenied on each operation the controller performed to create the healthy app, one
 * at a time (the controller talks to AWS through a proxy that answers AWS's 403 for the
 * denied operation): the app being created reports `AccessDenied` with a Warning naming the
 * IAM action and owns at most one of each resource; a denied change is refused again on the
 * next pass with nothing more made. Once every permission is back, each of these apps has
 * exactly one of each resource, as specified. A denied read is every app's problem (the
 * healthy app may report it too, but keeps its resources); a denied change is only the
 * changing app's (the healthy app never reports one).
 *
 * Last, an ALB really filled to AWS's quota of 100 rules (default rules not counted) →
 * `RuleLimitExceeded`.
 */
import { jest } from '@jest/globals';
import {
  CreateListenerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DeleteVpcEndpointServiceConfigurationsCommand,
  RejectVpcEndpointConnectionsCommand,
} from '@aws-sdk/client-ec2';
import { FINALIZER } from '../../src/api/kinds.ts';
import type { PublishedApp, PublishedAppSpec } from '../../src/api/v1alpha1.ts';
import { startAwsProxy, type AwsProxy, type RecordedCall } from '../env/aws-proxy/server.ts';
import { newTestContext, type TestContext } from '../env/context.ts';
import {
  applyApp,
  awsClients,
  condition,
  deleteApp,
  eventsFor,
  eventually,
  getApp,
  listenerRules,
  patchApp,
  startController,
  targetIps,
  waitForApp,
  waitForEvent,
  waitForReady,
  type Aws,
  type RunningController,
} from '../integration/published-app/harness.ts';
import { appSpec } from '../integration/published-app/specs.ts';
import { createProvider, createWorld, type World } from '../integration/published-app/world.ts';
import { shareListener } from '../integration/grants.ts';
import { accountThroughProxy, foreignSnapshot, inventory, ownedCounts } from './inventory.ts';

jest.setTimeout(300_000);

let ctx: TestContext;
let aws: Aws;
let world: World;
let proxy: AwsProxy;
let controller: RunningController;
let deletedServiceName: string;
let pickyServiceId: string;
let nlbListenerArn: string;
let foreignRuleArn: string;
let foreignBefore: string;
const FOREIGN_PRIORITY = 50;
const FOREIGN_PATH = '/foreign*';
/** Operations (`service:Operation`) the controller performed to create the healthy app, first seen first. */
let createOps: string[];

/** A TCP listener on the provider's NLB: a real listener ARN, but not an ALB's. */
async function nlbListener(vpcId: string, nlbArn: string): Promise<string> {
  const tg = await aws.elbv2.send(
    new CreateTargetGroupCommand({
      Name: 'nlb-tcp',
      Protocol: 'TCP',
      Port: 80,
      VpcId: vpcId,
      TargetType: 'ip',
    }),
  );
  const listener = await aws.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: nlbArn,
      Protocol: 'TCP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroups![0]!.TargetGroupArn! }],
    }),
  );
  return listener.Listeners![0]!.ListenerArn!;
}

/** A foreign fixed-response rule on the shared listener. */
async function foreignRule(priority: number, path: string): Promise<string> {
  const out = await aws.elbv2.send(
    new CreateRuleCommand({
      ListenerArn: world.dmz.listenerArn,
      Priority: priority,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [path] } }],
      Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '418' } }],
    }),
  );
  return out.Rules![0]!.RuleArn!;
}

beforeAll(async () => {
  ctx = await newTestContext('rel-bad-input');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true, providers: ['blue'] });
  await shareListener(ctx, world.dmz.listenerArn);
  await shareListener(ctx, world.dmz.listenerArn.replace(/\/[^/]+$/, '/0123456789abcdef'), { name: 'gone' });
  // A service that existed once: made, then deleted.
  const gone = await createProvider(aws.ec2, aws.elbv2, 'gone', 2, { service: true });
  await aws.ec2.send(new DeleteVpcEndpointServiceConfigurationsCommand({ ServiceIds: [gone.serviceId!] }));
  deletedServiceName = gone.serviceName!;
  // A service whose owner accepts connections by hand (and will reject ours).
  const picky = await createProvider(aws.ec2, aws.elbv2, 'picky', 3, {
    service: true,
    acceptanceRequired: true,
  });
  world.providers.picky = picky;
  pickyServiceId = picky.serviceId!;
  nlbListenerArn = await nlbListener(world.providers.blue!.vpcId, world.providers.blue!.nlbArn);
  foreignRuleArn = await foreignRule(FOREIGN_PRIORITY, FOREIGN_PATH);
  foreignBefore = await foreignSnapshot(aws.ec2, aws.elbv2);
  // The controller reaches AWS through its own proxy, so that permissions can be taken away.
  proxy = await startAwsProxy({ upstream: process.env.AWS_ENDPOINT_URL!, throttling: false });
  // Short resync and full walks: a refused app is retried soon after the permission is back.
  controller = await startController(
    { ...ctx, awsClientConfig: await accountThroughProxy(proxy.url, ctx.accountId) },
    // Twenty apps end up retrying side by side on a shared two-core machine: enough workers
    // that a new app is not queued behind their retries.
    { resyncPeriodMs: 1_000, concurrency: 8, app: { fullRecheckMs: 1_000 } },
  );
  proxy.resetCalls();
  await applyApp(ctx, 'healthy', appSpec(world, 'blue', '/healthy'));
  await waitForReady(ctx, 'healthy');
  createOps = [
    ...new Set(
      proxy
        .calls()
        .filter((c) => c.service !== 'sts')
        .map((c) => `${c.service}:${c.operation}`),
    ),
  ];
  healthy = await healthyState();
  expect(healthy.targets).toHaveLength(2);
});

afterAll(async () => {
  console.log(
    JSON.stringify({
      suite: 'reliability/bad-input',
      badInputsTried: tried.length,
      tried,
      reasonsSeen: [...reasonsSeen].sort(),
      deniedOperations: createOps.length,
      refusedBeforeAnyChange,
      invariantChecks: attempted,
      violations: attempted - held,
      ownedDespiteReason,
    }),
  );
  await controller.stop();
  await proxy.stop();
  aws.destroy();
  await ctx.cleanup();
});

type Kind = keyof ReturnType<typeof ownedCounts>;

interface BadCase {
  name: string;
  reason: string;
  /** The condition that carries the reason. */
  condition: string;
  spec: () => PublishedAppSpec;
  /** What the world does to the app once applied (e.g. the service owner rejects it). */
  provoke?: (name: string) => Promise<void>;
  /** Resource kinds the object may own: its reason can only be known after they exist. */
  mayOwn?: Kind[];
  /** Text the reason's message must name (the holder of a conflict). */
  names?: () => string;
}

const healthyKey = (): string => `${ctx.namespace}/healthy`;

const cases: BadCase[] = [
  {
    name: 'wrong-listener',
    reason: 'ListenerNotFound',
    condition: 'RouteConfigured',
    // Shared, well-formed, in the right account and load balancer, but no such listener.
    spec: () => appSpec(world, 'blue', '/wrong-listener', { listenerRef: { name: 'gone' } }),
  },
  {
    name: 'alb-other-vpc',
    reason: 'VpcMismatch',
    condition: 'EndpointAvailable',
    spec: () =>
      appSpec(world, 'blue', '/alb-other-vpc', {
        endpoint: {
          vpcId: world.providers.blue!.vpcId,
          subnetIds: world.providers.blue!.subnetIds.slice(0, 2),
        },
      }),
  },
  {
    name: 'subnet-elsewhere',
    reason: 'SubnetNotInVpc',
    condition: 'EndpointAvailable',
    spec: () =>
      appSpec(world, 'blue', '/subnet-elsewhere', {
        endpoint: {
          vpcId: world.dmz.vpcId,
          subnetIds: [world.dmz.subnetIds[0]!, world.providers.blue!.subnetIds[1]!],
        },
      }),
  },
  {
    name: 'deleted-service',
    reason: 'ServiceNotFound',
    condition: 'EndpointAvailable',
    spec: () => appSpec(world, 'blue', '/deleted-service', { service: { serviceName: deletedServiceName } }),
  },
  {
    name: 'rejected',
    reason: 'ConnectionRejected',
    condition: 'EndpointAvailable',
    spec: () => appSpec(world, 'picky', '/rejected'),
    async provoke(name) {
      const waiting = await waitForApp(
        ctx,
        name,
        'WaitingForAcceptance',
        (o) => condition(o, 'EndpointAvailable')?.[1] === 'WaitingForAcceptance',
      );
      await aws.ec2.send(
        new RejectVpcEndpointConnectionsCommand({
          ServiceId: pickyServiceId,
          VpcEndpointIds: [waiting.status!.endpointId!],
        }),
      );
    },
    // The endpoint must exist to be rejected; it is kept (not re-created in a loop). The
    // target group and the rule were made while it waited for acceptance.
    mayOwn: ['endpoints', 'securityGroups', 'targetGroups', 'rules'],
  },
  {
    name: 'foreign-priority',
    reason: 'PriorityConflict',
    condition: 'RouteConfigured',
    spec: () =>
      appSpec(world, 'blue', '/foreign-priority', {
        routing: { pathPatterns: ['/foreign-priority*'], priority: FOREIGN_PRIORITY },
      }),
    names: () => foreignRuleArn,
  },
  {
    // Also claims a path (/claimed) that the next case wants.
    name: 'our-priority',
    reason: 'PriorityConflict',
    condition: 'RouteConfigured',
    spec: () => ({
      ...appSpec(world, 'blue', '/claimed'),
      routing: { pathPatterns: ['/claimed'], priority: healthy.priority },
    }),
    names: healthyKey,
  },
  {
    name: 'same-path-claimed',
    reason: 'PathConflict',
    condition: 'RouteConfigured',
    // No rule serves /claimed: an earlier app's claim is enough.
    spec: () => ({ ...appSpec(world, 'blue', '/claimed'), routing: { pathPatterns: ['/claimed'] } }),
    names: () => `${ctx.namespace}/our-priority`,
  },
  {
    name: 'foreign-path',
    reason: 'PathConflict',
    condition: 'RouteConfigured',
    spec: () => ({ ...appSpec(world, 'blue', '/x'), routing: { pathPatterns: ['/mine*', FOREIGN_PATH] } }),
    names: () => foreignRuleArn,
  },
  {
    name: 'our-path',
    reason: 'PathConflict',
    condition: 'RouteConfigured',
    spec: () => appSpec(world, 'blue', '/healthy'),
    names: healthyKey,
  },
];

let healthy: { ruleArn: string; priority: number; paths: string; forward: string; targets: string[] };

async function healthyState(): Promise<typeof healthy> {
  const app = (await getApp(ctx, 'healthy'))!;
  const rule = (await listenerRules(aws.elbv2, world.dmz.listenerArn)).find(
    (r) => r.RuleArn === app.status!.ruleArn,
  );
  return {
    ruleArn: rule?.RuleArn ?? 'missing',
    priority: Number(rule?.Priority),
    paths: JSON.stringify(rule?.Conditions),
    forward: JSON.stringify(rule?.Actions),
    targets: await targetIps(aws.elbv2, app.status!.targetGroupArn!),
  };
}

const owned = async (app: PublishedApp) =>
  ownedCounts(await inventory(aws.ec2, aws.elbv2, world.dmz.listenerArn), app.metadata!.uid!);

async function deregistrationDelay(app: PublishedApp): Promise<string | undefined> {
  const out = await aws.elbv2.send(
    new DescribeTargetGroupAttributesCommand({ TargetGroupArn: app.status!.targetGroupArn! }),
  );
  return out.Attributes?.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value;
}

const NOTHING = { endpoints: 0, securityGroups: 0, targetGroups: 0, rules: 0 };
const ONE_OF_EACH = { endpoints: 1, securityGroups: 1, targetGroups: 1, rules: 1 };

/** Bad inputs applied; invariant checks attempted and held (a failed expect stops a test short of `held`). */
const tried: string[] = [];
const reasonsSeen = new Set<string>();
let attempted = 0;
let held = 0;
/** AccessDenied cases where the app was refused before it owned anything. */
let refusedBeforeAnyChange = 0;
/** What the late-decided cases did own, for the report. */
const ownedDespiteReason: Record<string, object> = {};

/** Waits for `reason` on `type` and on Ready, and a Warning event with it; @returns the app. */
async function expectRefused(
  name: string,
  type: string,
  reason: string,
  ...parts: string[]
): Promise<PublishedApp> {
  const app = await waitForApp(ctx, name, reason, (o) => condition(o, type)?.[1] === reason);
  expect(condition(app, 'Ready')).toEqual(['False', reason]);
  const event = await waitForEvent(ctx, name, reason, ...parts);
  expect(event.type).toBe('Warning');
  reasonsSeen.add(reason);
  return app;
}

it.each(cases)('$name → $reason, a Warning, no AWS resources of its own', async (bad) => {
  tried.push(`${bad.name}:${bad.reason}`);
  attempted += 3;
  await applyApp(ctx, bad.name, bad.spec());
  await bad.provoke?.(bad.name);
  const app = await expectRefused(bad.name, bad.condition, bad.reason, ...(bad.names ? [bad.names()] : []));
  const counts = await owned(app);
  if (bad.mayOwn) ownedDespiteReason[bad.name] = { ...counts };
  // What it may own, it owns once at most.
  for (const kind of bad.mayOwn ?? []) if (counts[kind] <= 1) counts[kind] = 0;
  expect(counts).toEqual(NOTHING);
  expect(await healthyState()).toEqual(healthy);
  held += 3;
});

it('a listener of an NLB is refused by the API server: the controller never sees it', async () => {
  tried.push('nlb-listener:schema');
  attempted += 1;
  await expect(
    applyApp(
      ctx,
      'nlb-listener',
      appSpec(world, 'blue', '/nlb', { listenerRef: undefined, listenerArn: nlbListenerArn }),
    ),
  ).rejects.toThrow(/spec\.listenerArn.*should match.*listener\/app\//);
  expect(await getApp(ctx, 'nlb-listener')).toBeUndefined();
  held += 1;
});

/** A call that changes something (EC2's and ELBv2's reads are Describe*). */
/** Generous: the earlier denied apps keep retrying (and failing on the same call) meanwhile. */
const DENIED_WAIT_MS = 90_000;

const isChange = (c: Pick<RecordedCall, 'service' | 'operation'>): boolean =>
  c.service !== 'sts' && !c.operation.startsWith('Describe');

it('AccessDenied on each operation of a create: reported at once, nothing duplicated', async () => {
  for (const [i, op] of createOps.entries()) {
    const [service, operation] = op.split(':') as [string, string];
    const name = `denied-${i}`;
    tried.push(`${name}(${op}):AccessDenied`);
    attempted += 3;
    proxy.resetCalls();
    proxy.setFaults([{ kind: 'accessDenied', rate: 1, service, operation }]);
    await applyApp(ctx, name, appSpec(world, 'blue', `/denied-${i}`));
    const action = `${service === 'elbv2' ? 'elasticloadbalancing' : service}:${operation}`;
    const app = await waitForApp(
      ctx,
      name,
      'AccessDenied',
      (o) => condition(o, 'Ready')?.[1] === 'AccessDenied',
      DENIED_WAIT_MS,
    );
    const event = await waitForEvent(ctx, name, 'AccessDenied', action);
    expect(event.type).toBe('Warning');
    reasonsSeen.add('AccessDenied');
    const meanwhile = await owned(app);
    expect({ op, meanwhile: Object.values(meanwhile).every((n) => n <= 1) }).toEqual({ op, meanwhile: true });
    refusedBeforeAnyChange += JSON.stringify(meanwhile) === JSON.stringify(NOTHING) ? 1 : 0;
    if (isChange({ service, operation })) {
      // The next pass is refused at the same call and changes nothing more.
      await eventually(`${name}: ${op} refused again`, () =>
        Promise.resolve(proxy.calls().filter((c) => c.fault === 'accessDenied').length >= 2),
      );
      expect({ op, counts: await owned(app) }).toEqual({ op, counts: meanwhile });
    }
    // (That a denied change never reached the healthy app is checked on its Events at the end.)
    expect(await healthyState()).toEqual(healthy);
    held += 3;
    // The previous apps go on converging meanwhile (a later denial may hold them up again).
  }
  proxy.clearFaults();
});

it('… and every app once denied converges to exactly one of each once allowed', async () => {
  attempted += 1;
  for (const [i, op] of createOps.entries()) {
    const ready = await waitForReady(ctx, `denied-${i}`, 60_000);
    expect({ op, counts: await owned(ready), delay: await deregistrationDelay(ready) }).toEqual({
      op,
      counts: ONE_OF_EACH,
      delay: String(ready.spec.target.deregistrationDelaySeconds),
    });
  }
  held += 1;
});

it('AccessDenied while deleting: a Warning and the reason, the finalizer stays, deleted once allowed', async () => {
  const name = 'denied-0';
  tried.push(`${name}(delete: elbv2:DeleteRule):AccessDenied`);
  attempted += 3;
  const app = (await getApp(ctx, name))!;
  proxy.setFaults([{ kind: 'accessDenied', rate: 1, service: 'elbv2', operation: 'DeleteRule' }]);
  await deleteApp(ctx, name);
  const refused = await waitForApp(
    ctx,
    name,
    'AccessDenied while deleting',
    (o) => o.metadata?.deletionTimestamp !== undefined && condition(o, 'Ready')?.[1] === 'AccessDenied',
  );
  expect(refused.metadata?.finalizers).toContain(FINALIZER);
  const event = await waitForEvent(ctx, name, 'AccessDenied', 'elasticloadbalancing:DeleteRule');
  expect([event.type, event.action]).toEqual(['Warning', 'Delete']);
  // The rule goes first: with it refused, nothing else was taken away.
  expect(await owned(app)).toEqual(ONE_OF_EACH);
  held += 3;
  attempted += 1;
  proxy.clearFaults();
  await eventually(`${name} gone`, async () => ((await getApp(ctx, name)) === undefined ? true : undefined));
  expect(await owned(app)).toEqual(NOTHING);
  held += 1;
});

it('a spec change refused at the endpoint step still gets its target group settings and tags once allowed', async () => {
  const name = 'denied-1';
  tried.push(`${name}(spec change, ec2:ModifyVpcEndpoint):AccessDenied`);
  attempted += 2;
  proxy.setFaults([{ kind: 'accessDenied', rate: 1, service: 'ec2', operation: 'ModifyVpcEndpoint' }]);
  // One change the endpoint step must make (refused), one the targets step must make after it.
  await patchApp(ctx, name, {
    endpoint: { subnetIds: world.dmz.subnetIds.slice(0, 3) },
    target: { deregistrationDelaySeconds: 17 },
    tags: { late: 'yes' },
  });
  await waitForApp(
    ctx,
    name,
    'refused at the new generation',
    (o) =>
      o.status?.observedGeneration === o.metadata?.generation &&
      condition(o, 'Ready')?.[1] === 'AccessDenied',
  );
  held += 1;
  proxy.clearFaults();
  const ready = await waitForReady(ctx, name, 60_000);
  await eventually(`${name}: deregistration delay 17`, async () =>
    (await deregistrationDelay(ready)) === '17' ? true : undefined,
  );
  await eventually(`${name}: the new tag on its target group`, async () => {
    const out = await aws.elbv2.send(
      new DescribeTagsCommand({ ResourceArns: [ready.status!.targetGroupArn!] }),
    );
    return out.TagDescriptions?.[0]?.Tags?.some((t) => t.Key === 'late' && t.Value === 'yes')
      ? true
      : undefined;
  });
  held += 1;
});

let fillers: string[] = [];

it('an ALB really filled to its 100 rules → RuleLimitExceeded, nothing created', async () => {
  tried.push('rule-limit:RuleLimitExceeded');
  attempted += 2;
  const present = await listenerRules(aws.elbv2, world.dmz.listenerArn);
  const used = new Set(present.map((r) => Number(r.Priority)));
  const free = Array.from({ length: 200 }, (_, i) => 100 + i).filter((p) => !used.has(p));
  // 100 besides the default rule (the ALB has this one listener).
  for (const priority of free.slice(0, 101 - present.length))
    fillers.push(await foreignRule(priority, `/filler-${priority}`));
  expect(await listenerRules(aws.elbv2, world.dmz.listenerArn)).toHaveLength(101);
  await applyApp(ctx, 'rule-limit', appSpec(world, 'blue', '/rule-limit'));
  const app = await expectRefused('rule-limit', 'RouteConfigured', 'RuleLimitExceeded', 'its quota is 100');
  expect(await owned(app)).toEqual(NOTHING);
  held += 2;
});

it('left the healthy app, the foreign rules and every foreign resource alone', async () => {
  attempted += 5;
  // After all the bad inputs and their resyncs, every bad app still reports its reason…
  // (A denied read reached them too, until the next pass after it was allowed again.)
  for (const bad of [...cases, { name: 'rule-limit', reason: 'RuleLimitExceeded' }]) {
    await waitForApp(ctx, bad.name, bad.reason, (o) => condition(o, 'Ready')?.[1] === bad.reason);
  }
  expect(condition(await getApp(ctx, 'healthy'), 'Ready')).toEqual(['True', 'Ready']);
  expect(await healthyState()).toEqual(healthy);
  // The healthy app's only Warnings: denied reads, which every app needs — never a denied
  // change, which only the changing app makes.
  const warnings = (await eventsFor(ctx, 'healthy')).filter((e) => e.type === 'Warning');
  expect(
    warnings.filter(
      (e) => e.reason !== 'AccessDenied' || !/perform: [a-z0-9]+:Describe/.test(e.message ?? ''),
    ),
  ).toEqual([]);
  held += 4;
  for (const arn of fillers) await aws.elbv2.send(new DeleteRuleCommand({ RuleArn: arn }));
  fillers = [];
  // The controller's egress rule on the ALB's SG (for apps that got an SG) is its own; the rest is not.
  const inv = await inventory(aws.ec2, aws.elbv2, world.dmz.listenerArn);
  const ours = new Set(inv.securityGroups.filter((g) => g.uid !== undefined).map((g) => g.id));
  const after = await foreignSnapshot(aws.ec2, aws.elbv2, ours);
  expect(after).toContain(foreignRuleArn);
  expect(after).toBe(foreignBefore);
  held += 1;
});
