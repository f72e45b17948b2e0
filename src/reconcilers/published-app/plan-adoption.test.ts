import { TAG_KEYS } from '../../api/kinds.ts';
import type { PublishedAppSpecAdopt } from '../../api/v1alpha1.ts';
import {
  planAdoption,
  protocolPortMismatch,
  type AdoptionWants,
  type AdoptionWorld,
} from './plan-adoption.ts';

const LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/dmz/0123456789abcdef/1111111111111111';
const OTHER_LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/dmz/0123456789abcdef/2222222222222222';
const RULE = `${LISTENER.replace(':listener/', ':listener-rule/')}/3333333333333333`;
const TG = 'arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/blue-hand/4444444444444444';
const SERVICE = 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0';
const SELF = { clusterId: 'prod', uid: 'uid-blue' };

const WANT: AdoptionWants = {
  vpcId: 'vpc-dmz',
  serviceName: SERVICE,
  protocol: 'HTTP',
  port: 80,
  listenerArn: LISTENER,
};

const NAMED: PublishedAppSpecAdopt = {
  endpointId: 'vpce-0123456789abcdef0',
  securityGroupId: 'sg-0123456789abcdef0',
  targetGroupArn: TG,
  ruleArn: RULE,
};

/** The hand-built blue of seed 000, as AWS describes it: nothing tagged. */
function handBuilt(): Required<AdoptionWorld> {
  return {
    endpoint: {
      id: NAMED.endpointId!,
      vpcId: 'vpc-dmz',
      serviceName: SERVICE,
      state: 'available',
      type: 'Interface',
      tags: {},
    },
    securityGroup: { id: NAMED.securityGroupId!, vpcId: 'vpc-dmz', tags: { Name: 'blue-endpoint' } },
    targetGroup: { id: TG, vpcId: 'vpc-dmz', targetType: 'ip', protocol: 'HTTP', port: 80, tags: {} },
    rule: { id: RULE, isDefault: false, tags: {} },
  };
}

const ours = {
  [TAG_KEYS.cluster]: 'prod',
  [TAG_KEYS.uid]: 'uid-blue',
  [TAG_KEYS.owner]: 'PublishedApp/blue/blue',
};
const green = {
  [TAG_KEYS.cluster]: 'prod',
  [TAG_KEYS.uid]: 'uid-green',
  [TAG_KEYS.owner]: 'PublishedApp/green/green',
};

type Case = [string, (w: Required<AdoptionWorld>) => AdoptionWorld, string | undefined, ...string[]];

describe('planAdoption', () => {
  test.each<Case>([
    ['all four, hand-built: adopted', (w) => w, undefined],
    ['the endpoint is missing', ({ endpoint: _, ...w }) => w, 'endpoint/AdoptionTargetNotFound'],
    [
      'the endpoint is being deleted',
      (w) => ({ ...w, endpoint: { ...w.endpoint, state: 'deleting' } }),
      'endpoint/AdoptionTargetNotFound',
    ],
    [
      'the endpoint is in another VPC',
      (w) => ({ ...w, endpoint: { ...w.endpoint, vpcId: 'vpc-other' } }),
      'endpoint/AdoptionNeedsReplacement',
      'cannot move',
    ],
    [
      'the endpoint connects to another service',
      (w) => ({
        ...w,
        endpoint: { ...w.endpoint, serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0fffffffffffffff0' },
      }),
      'endpoint/AdoptionNeedsReplacement',
      'cannot change its service',
    ],
    [
      'a gateway endpoint',
      (w) => ({ ...w, endpoint: { ...w.endpoint, type: 'Gateway' } }),
      'endpoint/AdoptionNeedsReplacement',
      'not an interface endpoint',
    ],
    [
      'a rejected endpoint',
      (w) => ({ ...w, endpoint: { ...w.endpoint, state: 'rejected' } }),
      'endpoint/AdoptionNeedsReplacement',
    ],
    [
      'the endpoint owned by another app',
      (w) => ({ ...w, endpoint: { ...w.endpoint, tags: green } }),
      'endpoint/OwnedElsewhere',
      'PublishedApp/green/green of cluster prod',
    ],
    [
      'the endpoint owned by this app in another cluster',
      (w) => ({ ...w, endpoint: { ...w.endpoint, tags: { ...ours, [TAG_KEYS.cluster]: 'staging' } } }),
      'endpoint/OwnedElsewhere',
      'of cluster staging',
    ],
    [
      'half-tagged (only an owner tag) counts as owned',
      (w) => ({ ...w, rule: { ...w.rule, tags: { [TAG_KEYS.owner]: 'PublishedApp/x/y' } } }),
      'route/OwnedElsewhere',
    ],
    [
      'the SG is in another VPC',
      (w) => ({ ...w, securityGroup: { ...w.securityGroup, vpcId: 'vpc-other' } }),
      'securityGroups/AdoptionNeedsReplacement',
    ],
    ['the SG is missing', ({ securityGroup: _, ...w }) => w, 'securityGroups/AdoptionTargetNotFound'],
    [
      'an instance target group',
      (w) => ({ ...w, targetGroup: { ...w.targetGroup, targetType: 'instance' } }),
      'targets/AdoptionNeedsReplacement',
      'not ip',
    ],
    [
      'a target group of another port',
      (w) => ({ ...w, targetGroup: { ...w.targetGroup, port: 8080 } }),
      'targets/AdoptionNeedsReplacement',
      'HTTP:8080, the spec wants HTTP:80',
    ],
    [
      'a target group of another protocol',
      (w) => ({ ...w, targetGroup: { ...w.targetGroup, protocol: 'HTTPS' } }),
      'targets/AdoptionNeedsReplacement',
    ],
    [
      'a target group in another VPC',
      (w) => ({ ...w, targetGroup: { ...w.targetGroup, vpcId: 'vpc-other' } }),
      'targets/AdoptionNeedsReplacement',
    ],
    ['the target group is missing', ({ targetGroup: _, ...w }) => w, 'targets/AdoptionTargetNotFound'],
    [
      'a rule on another listener',
      (w) => ({
        ...w,
        rule: {
          ...w.rule,
          id: `${OTHER_LISTENER.replace(':listener/', ':listener-rule/')}/5555555555555555`,
        },
      }),
      'route/AdoptionNeedsReplacement',
      'the app attaches to',
    ],
    [
      'the default rule',
      (w) => ({ ...w, rule: { ...w.rule, isDefault: true } }),
      'route/AdoptionNeedsReplacement',
      'default rule',
    ],
    ['the rule is missing', ({ rule: _, ...w }) => w, 'route/AdoptionTargetNotFound'],
  ])('%s', (_name, world, want, ...message) => {
    const plan = planAdoption({ named: NAMED, world: world(handBuilt()), want: WANT, self: SELF });
    expect(plan.problem && `${plan.problem.aspect}/${plan.problem.reason}`).toBe(want);
    for (const m of message) expect(plan.problem?.message).toContain(m);
    expect(plan.tag).toHaveLength(want ? 0 : 4);
  });

  test('everything named is tagged, in the order the app is built', () => {
    const plan = planAdoption({ named: NAMED, world: handBuilt(), want: WANT, self: SELF });
    expect(plan.tag.map((t) => t.kind)).toEqual(['securityGroup', 'endpoint', 'targetGroup', 'rule']);
    expect(plan.tag.map((t) => t.id)).toEqual([NAMED.securityGroupId, NAMED.endpointId, TG, RULE]);
  });

  test('what carries this app’s tags already (an interrupted adoption) is not tagged again', () => {
    const w = handBuilt();
    const world = { ...w, endpoint: { ...w.endpoint, tags: ours }, rule: { ...w.rule, tags: ours } };
    const plan = planAdoption({ named: NAMED, world, want: WANT, self: SELF });
    expect(plan.problem).toBeUndefined();
    expect(plan.tag.map((t) => t.kind)).toEqual(['securityGroup', 'targetGroup']);
  });

  test('only what is named is judged: a missing rule does not matter when the rule is not adopted', () => {
    const { rule: _, ...world } = handBuilt();
    const plan = planAdoption({ named: { endpointId: NAMED.endpointId }, world, want: WANT, self: SELF });
    expect(plan).toEqual({ tag: [{ kind: 'endpoint', id: NAMED.endpointId }] });
  });
});

describe('protocolPortMismatch', () => {
  test.each<[string, { protocol?: string; port?: number }, string | undefined]>([
    ['same protocol and port', { protocol: 'HTTP', port: 80 }, undefined],
    ['another port', { protocol: 'HTTP', port: 8080 }, 'is HTTP:8080, the spec wants HTTP:80'],
    ['another protocol', { protocol: 'HTTPS', port: 80 }, 'is HTTPS:80, the spec wants HTTP:80'],
    ['nothing described', {}, 'is ?:?, the spec wants HTTP:80'],
  ])('%s', (_, tg, starts) => {
    const got = protocolPortMismatch(tg, { protocol: 'HTTP', port: 80 });
    if (starts === undefined) expect(got).toBeUndefined();
    else expect(got).toBe(`${starts}; a target group cannot change them`);
  });
});
