/**
 * Table tests of the soak's invariants: a consistent observation has no violation, and each
 * broken invariant is reported by name. Run: ./node_modules/.bin/node --test soak/*.test.ts
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TAG_KEYS } from '../src/api/kinds.ts';
import type { PublishedApp } from '../src/api/v1alpha1.ts';
import { checkInvariants, type Baseline, type ExpectedApp, type Observation } from './invariants.ts';

const UID = 'uid-1';
const tagged = (id: string, uid = UID) => ({ id, uid, tags: { [TAG_KEYS.uid]: uid, team: 'red' } });

const want: ExpectedApp = {
  name: 'app-1',
  uid: UID,
  spec: {
    service: { serviceName: 'svc' },
    endpoint: { vpcId: 'vpc', subnetIds: ['s-a', 's-b'] },
    listenerRef: { name: 'listener' },
    routing: { pathPatterns: ['/a1', '/a1/*'] },
    target: { port: 80, healthCheck: { path: '/health' }, deregistrationDelaySeconds: 0 },
    tags: { team: 'red' },
  },
};

const base: Baseline = { foreign: 'F', albSecurityGroup: new Map([['listener', 'sg-alb']]) };

/** A consistent observation of `want`. */
function good(): Observation {
  const app: PublishedApp = {
    apiVersion: 'publisher.privatelink.dev/v1alpha1',
    kind: 'PublishedApp',
    metadata: { name: 'app-1', uid: UID, generation: 3 },
    spec: want.spec,
    status: {
      observedGeneration: 3,
      endpointId: 'vpce-1',
      securityGroupId: 'sg-1',
      targetGroupArn: 'tg-1',
      ruleArn: 'rule-1',
      priority: 1001,
      conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: '', lastTransitionTime: '' }],
    },
  };
  return {
    apps: new Map([['app-1', app]]),
    inventory: {
      endpoints: [tagged('vpce-1'), { id: 'vpce-foreign', tags: {} }],
      securityGroups: [tagged('sg-1'), { id: 'sg-alb', tags: {} }],
      targetGroups: [{ ...tagged('tg-1'), name: 'plp-x' }],
      rules: [{ ...tagged('rule-1'), isDefault: false, forward: ['tg-1'] }],
    },
    rules: new Map([['rule-1', { paths: ['/a1/*', '/a1'], priority: 1001, forward: ['tg-1'] }]]),
    targetGroups: new Map([
      [
        'tg-1',
        {
          healthCheck: { path: '/health', intervalSeconds: 30 },
          deregistrationDelaySeconds: 0,
          targets: ['10.0.1.5', '10.0.2.7'],
          tags: { team: 'red' },
        },
      ],
    ]),
    endpoints: new Map([['vpce-1', { subnets: ['s-b', 's-a'], ips: ['10.0.2.7', '10.0.1.5'] }]]),
    ingress: new Map([['sg-1', [{ protocol: 'tcp', fromPort: 80, toPort: 80, source: 'sg-alb' }]]]),
    foreign: 'F',
  };
}

const names = (obs: Observation, deleted: string[] = []): string[] =>
  checkInvariants([want], deleted, obs, base).map((v) => v.invariant);

void describe('checkInvariants', () => {
  void it('finds nothing wrong in a consistent observation', () => {
    assert.deepEqual(checkInvariants([want], [], good(), base), []);
  });

  const cases: { name: string; breakIt: (o: Observation) => void; deleted?: string[]; expect: string[] }[] = [
    {
      name: 'object missing',
      breakIt: (o) => {
        (o.apps as Map<string, PublishedApp>).clear();
      },
      expect: ['exists'],
    },
    {
      name: 'Ready at an older generation',
      breakIt: (o) => (o.apps.get('app-1')!.metadata!.generation = 4),
      expect: ['ready'],
    },
    {
      name: 'a duplicate target group',
      breakIt: (o) => o.inventory.targetGroups.push({ ...tagged('tg-2'), name: 'plp-y' }),
      expect: ['exactlyOne'],
    },
    {
      name: 'status names another rule',
      breakIt: (o) => (o.apps.get('app-1')!.status!.ruleArn = 'rule-old'),
      expect: ['status'],
    },
    {
      name: 'endpoint in other subnets',
      breakIt: (o) => (o.endpoints.get('vpce-1')!.subnets = ['s-a']),
      expect: ['subnets'],
    },
    {
      name: 'a target missing',
      breakIt: (o) => o.targetGroups.get('tg-1')!.targets.pop(),
      expect: ['targets'],
    },
    {
      name: 'health check path drifted',
      breakIt: (o) => (o.targetGroups.get('tg-1')!.healthCheck.path = '/'),
      expect: ['healthCheck'],
    },
    {
      name: 'deregistration delay unset',
      breakIt: (o) => (o.targetGroups.get('tg-1')!.deregistrationDelaySeconds = 300),
      expect: ['deregistrationDelay'],
    },
    { name: 'a tag missing', breakIt: (o) => (o.targetGroups.get('tg-1')!.tags = {}), expect: ['tags'] },
    {
      name: 'rule path drifted',
      breakIt: (o) => (o.rules.get('rule-1')!.paths = ['/drifted', '/drifted/*']),
      expect: ['rulePaths'],
    },
    {
      name: 'rule priority not the recorded one',
      breakIt: (o) => (o.rules.get('rule-1')!.priority = 31000),
      expect: ['rulePriority'],
    },
    {
      name: 'rule forwards elsewhere',
      breakIt: (o) => (o.rules.get('rule-1')!.forward = ['tg-foreign']),
      expect: ['ruleForward'],
    },
    {
      name: 'ingress revoked',
      breakIt: (o) => (o.ingress as Map<string, unknown[]>).set('sg-1', []),
      expect: ['ingress'],
    },
    {
      name: 'a deleted app left its endpoint',
      breakIt: (o) => o.inventory.endpoints.push(tagged('vpce-old', 'uid-0')),
      deleted: ['uid-0'],
      expect: ['deletedLeavesNothing'],
    },
    {
      name: 'a resource of an unknown owner',
      breakIt: (o) => o.inventory.securityGroups.push(tagged('sg-stray', 'uid-9')),
      expect: ['noStrays'],
    },
    { name: 'a foreign resource changed', breakIt: (o) => (o.foreign = 'G'), expect: ['foreignUnchanged'] },
  ];
  for (const c of cases) {
    void it(`reports ${c.name}`, () => {
      const obs = good();
      c.breakIt(obs);
      assert.deepEqual(names(obs, c.deleted), c.expect);
    });
  }

  void it('holds an explicit priority to the spec, not to the status', () => {
    const obs = good();
    const explicit = { ...want, spec: { ...want.spec, routing: { ...want.spec.routing, priority: 2001 } } };
    assert.deepEqual(
      checkInvariants([explicit], [], obs, base).map((v) => v.detail),
      ['rule 1001, want 2001'],
    );
  });
});
