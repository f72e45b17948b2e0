import { describe, expect, test } from '@jest/globals';
import type { PublishedApp, PublishedAppStatus } from '../../api/v1alpha1.ts';
import type { ListenerRule, ObservedSecurityGroup, ObservedTargetGroup, TaggedEndpoint } from './aws-ops.ts';
import {
  Checkpoints,
  desiredFingerprint,
  observedFingerprint,
  sliceOf,
  statusCheckpoint,
  withStatusCheckpoint,
  type ObservedSlice,
} from './checkpoint.ts';

const UID_TAG = 'uid';

const endpoint = (over: Partial<TaggedEndpoint> = {}): TaggedEndpoint => ({
  id: 'vpce-1',
  state: 'available',
  serviceName: 'com.amazonaws.vpce.svc-1',
  vpcId: 'vpc-1',
  subnetIds: ['subnet-a', 'subnet-b'],
  securityGroupIds: ['sg-1'],
  networkInterfaceIds: ['eni-a', 'eni-b'],
  createdAtMs: 0,
  tags: { [UID_TAG]: 'u1' },
  ...over,
});

const group = (over: Partial<ObservedSecurityGroup> = {}): ObservedSecurityGroup => ({
  groupId: 'sg-1',
  vpcId: 'vpc-1',
  tags: { [UID_TAG]: 'u1' },
  ingress: [{ protocol: 'tcp', fromPort: 80, toPort: 80, peer: { groupId: 'sg-alb' } }],
  egress: [],
  ...over,
});

const rule = (over: Partial<ListenerRule> = {}): ListenerRule => ({
  arn: 'rule-1',
  priority: 1000,
  conditions: { pathPatterns: ['/blue'], hostHeaders: [] },
  forwardTargetGroupArns: ['tg-1'],
  plainForward: true,
  isDefault: false,
  ...over,
});

const healthCheck = {
  path: '/health',
  intervalSeconds: 30,
  timeoutSeconds: 5,
  healthyThresholdCount: 5,
  unhealthyThresholdCount: 2,
  matcher: '200-399',
};

const targetGroup = (over: Partial<ObservedTargetGroup> = {}): ObservedTargetGroup => ({
  arn: 'tg-1',
  targetType: 'ip',
  vpcId: 'vpc-1',
  protocol: 'HTTP',
  port: 80,
  healthCheck,
  ...over,
});

const slice = (over: Partial<ObservedSlice> = {}): ObservedSlice => ({
  endpoints: [endpoint()],
  securityGroups: [group()],
  rule: rule(),
  targetGroup: targetGroup(),
  ...over,
});

describe('observedFingerprint', () => {
  const base = observedFingerprint(slice());

  test.each<[string, ObservedSlice]>([
    ['subnet order', slice({ endpoints: [endpoint({ subnetIds: ['subnet-b', 'subnet-a'] })] })],
    ['ENI order', slice({ endpoints: [endpoint({ networkInterfaceIds: ['eni-b', 'eni-a'] })] })],
    ['endpoint creation time', slice({ endpoints: [endpoint({ createdAtMs: 5 })] })],
    [
      'rule description of an SG rule',
      slice({ securityGroups: [group({ ingress: [{ ...group().ingress[0]!, description: 'x' }] })] }),
    ],
  ])('ignores %s', (_what, s) => {
    expect(observedFingerprint(s)).toBe(base);
  });

  test.each<[string, ObservedSlice]>([
    ['a replaced ENI', slice({ endpoints: [endpoint({ networkInterfaceIds: ['eni-a', 'eni-c'] })] })],
    ['the endpoint state', slice({ endpoints: [endpoint({ state: 'pending' })] })],
    ['private DNS turned on', slice({ endpoints: [endpoint({ privateDnsEnabled: true })] })],
    ['a removed subnet', slice({ endpoints: [endpoint({ subnetIds: ['subnet-a'] })] })],
    ['an SG of the endpoint', slice({ endpoints: [endpoint({ securityGroupIds: ['sg-1', 'sg-2'] })] })],
    ['a second endpoint', slice({ endpoints: [endpoint(), endpoint({ id: 'vpce-2' })] })],
    ['the endpoint gone', slice({ endpoints: [] })],
    ['a revoked ingress rule', slice({ securityGroups: [group({ ingress: [] })] })],
    [
      'an added egress rule',
      slice({ securityGroups: [group({ egress: [{ protocol: '-1', peer: { cidrIpv4: '0.0.0.0/0' } }] })] }),
    ],
    ['the rule gone', slice({ rule: undefined })],
    ['the rule priority', slice({ rule: rule({ priority: 7 }) })],
    ['the rule path', slice({ rule: rule({ conditions: { pathPatterns: ['/x'], hostHeaders: [] } }) })],
    ['the forward target', slice({ rule: rule({ forwardTargetGroupArns: ['tg-2'] }) })],
    ['an extra action', slice({ rule: rule({ plainForward: false }) })],
    [
      'the health-check path',
      slice({ targetGroup: targetGroup({ healthCheck: { ...healthCheck, path: '/' } }) }),
    ],
    [
      'the health-check matcher',
      slice({ targetGroup: targetGroup({ healthCheck: { ...healthCheck, matcher: '200' } }) }),
    ],
    ['the target group gone from the ALB', slice({ targetGroup: undefined })],
  ])('changes with %s', (_what, s) => {
    expect(observedFingerprint(s)).not.toBe(base);
  });
});

test('sliceOf picks the app by UID tag, its rule and target group by ARN', () => {
  const other = endpoint({ id: 'vpce-9', tags: { [UID_TAG]: 'u2' } });
  const scope = {
    endpoints: [endpoint(), other],
    securityGroups: [group(), group({ groupId: 'sg-9', tags: { [UID_TAG]: 'u2' } })],
    rules: [rule(), rule({ arn: 'rule-9' })],
    targetGroups: [targetGroup(), targetGroup({ arn: 'tg-9' })],
  };
  expect(sliceOf({ uid: 'u1', ruleArn: 'rule-1', targetGroupArn: 'tg-1' }, scope, UID_TAG)).toEqual(slice());
  const bare = sliceOf({ uid: 'u1', ruleArn: undefined, targetGroupArn: undefined }, scope, UID_TAG);
  expect([bare.rule, bare.targetGroup]).toEqual([undefined, undefined]);
  const u2 = sliceOf({ uid: 'u2', ruleArn: 'rule-9', targetGroupArn: 'tg-9' }, scope, UID_TAG);
  expect([u2.endpoints, u2.targetGroup?.arn]).toEqual([[other], 'tg-9']);
});

describe('desiredFingerprint', () => {
  const app = (generation: number, path: string): PublishedApp =>
    ({ metadata: { generation }, spec: { routing: { pathPatterns: [path] } } }) as unknown as PublishedApp;

  test('changes with the generation, the spec and the resolved service name only', () => {
    const base = desiredFingerprint(app(1, '/a'), 'svc-1');
    expect(desiredFingerprint(app(1, '/a'), 'svc-1')).toBe(base);
    expect(desiredFingerprint(app(2, '/a'), 'svc-1')).not.toBe(base);
    expect(desiredFingerprint(app(1, '/b'), 'svc-1')).not.toBe(base);
    expect(desiredFingerprint(app(1, '/a'), 'svc-2')).not.toBe(base);
    expect(desiredFingerprint(app(1, '/a'), undefined)).not.toBe(base);
  });

  test("changes with the SharedListener's front door", () => {
    const door = (apiId: string) => ({
      apiId,
      vpcLink: { subnetIds: ['subnet-1'] },
      owner: { namespace: 'dmz', name: 'api', uid: 'u1' },
    });
    const base = desiredFingerprint(app(1, '/a'), 'svc-1');
    const behind = desiredFingerprint(app(1, '/a'), 'svc-1', door('api1'));
    expect(behind).not.toBe(base);
    expect(desiredFingerprint(app(1, '/a'), 'svc-1', door('api1'))).toBe(behind);
    expect(desiredFingerprint(app(1, '/a'), 'svc-1', door('api2'))).not.toBe(behind);
  });
});

describe('Checkpoints', () => {
  const clock = (start = 0) => {
    const c = { t: start, now: () => c.t };
    return c;
  };

  test('holds until the jittered full re-check is due, then is due until re-recorded', () => {
    const c = clock();
    const cps = new Checkpoints(1_000, c.now, () => 0.5); // jitter factor 1.0
    expect(cps.check('u', 'd')).toBe('none');
    cps.record('u', 'd', 'o');
    expect(cps.check('u', 'd')).toBe('holds');
    expect(cps.observed('u')).toBe('o');
    c.t = 999;
    expect(cps.check('u', 'd')).toBe('holds');
    c.t = 1_000;
    expect(cps.check('u', 'd')).toBe('due');
  });

  test('a different desired fingerprint never holds', () => {
    const cps = new Checkpoints(1_000, () => 0);
    cps.record('u', 'd1', 'o');
    expect(cps.check('u', 'd2')).toBe('none');
  });

  test.each([
    [0, 800],
    [1, 1_200],
  ])('jitter: random %d → due at %d ms', (random, dueAt) => {
    const c = clock();
    const cps = new Checkpoints(1_000, c.now, () => random);
    cps.record('u', 'd', 'o');
    c.t = dueAt - 1;
    expect(cps.check('u', 'd')).toBe('holds');
    c.t = dueAt + 1;
    expect(cps.check('u', 'd')).toBe('due');
  });

  test('forget drops the checkpoint; 0 disables checkpoints', () => {
    const cps = new Checkpoints(1_000, () => 0);
    cps.record('u', 'd', 'o');
    cps.forget('u');
    expect(cps.check('u', 'd')).toBe('none');
    expect(cps.observed('u')).toBeUndefined();
    const off = new Checkpoints(0, () => 0);
    off.record('u', 'd', 'o');
    expect(off.check('u', 'd')).toBe('none');
  });
});

describe('status checkpoint', () => {
  const status: PublishedAppStatus = {
    observedGeneration: 2,
    endpointId: 'vpce-1',
    endpointIPs: ['10.0.1.5', '10.0.2.7'],
    targetGroupArn: 'tg',
    ruleArn: 'rule',
    priority: 1000,
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'Ready',
        message: 'in place',
        observedGeneration: 2,
        lastTransitionTime: '2026-12-07T10:00:00Z',
      },
    ],
    lastSyncTime: '2026-12-07T10:00:00Z',
  };
  const clean = { desired: 'd', observed: 'o' };

  test('a clean pass leaves one in the status; any other pass none', () => {
    const written = withStatusCheckpoint({ ...status, checkpoint: 'old' }, clean);
    expect(written.checkpoint).toBe(statusCheckpoint('d', 'o', status));
    expect(withStatusCheckpoint({ ...status, checkpoint: 'old' }, undefined)).not.toHaveProperty(
      'checkpoint',
    );
  });

  test('holds for the same spec, slice and status, whatever the key order and lastSyncTime', () => {
    const kept = withStatusCheckpoint(status, clean).checkpoint;
    // As the API server hands it back: keys in another order, lastSyncTime refreshed since.
    const readBack = Object.fromEntries(
      Object.entries({ ...status, lastSyncTime: '2026-12-07T10:10:00Z', checkpoint: kept }).reverse(),
    ) as PublishedAppStatus;
    expect(statusCheckpoint('d', 'o', readBack)).toBe(kept);
  });

  test.each<[string, () => string]>([
    ['another spec', () => statusCheckpoint('d2', 'o', status)],
    ['another AWS slice', () => statusCheckpoint('d', 'o2', status)],
    [
      'endpointIPs edited by hand',
      () => statusCheckpoint('d', 'o', { ...status, endpointIPs: ['10.0.1.5'] }),
    ],
    [
      'a condition that is no longer True',
      () =>
        statusCheckpoint('d', 'o', {
          ...status,
          conditions: [{ ...status.conditions![0]!, status: 'False', reason: 'Drifted' }],
        }),
    ],
  ])('does not hold with %s', (_name, other) => {
    expect(other()).not.toBe(withStatusCheckpoint(status, clean).checkpoint);
  });

  test('firstLook is true once per app per process (until the app is dropped)', () => {
    const cps = new Checkpoints(1_000, () => 0);
    expect(cps.firstLook('u')).toBe(true);
    expect(cps.firstLook('u')).toBe(false);
    expect(cps.firstLook('v')).toBe(true);
    cps.drop('u');
    expect(cps.firstLook('u')).toBe(true);
  });
});
