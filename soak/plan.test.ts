/**
 * Table tests of the soak's planner and options. Run with Node's own runner (soak/ is outside
 * the jest projects): ./node_modules/.bin/node --test soak/*.test.ts
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PublishedAppSpec } from '../src/api/v1alpha1.ts';
import { seededRandom } from '../test/env/aws-proxy/faults.ts';
import { parseSoakOptions } from './options.ts';
import { editSpec, faultEpisode, nextAction, possibleKinds, type PlanState, type SpecEdit } from './plan.ts';

const SUBNETS = ['s-a', 's-b', 's-c'];

function spec(subnetIds: string[]): PublishedAppSpec {
  return {
    service: { serviceName: 'svc' },
    endpoint: { vpcId: 'vpc', subnetIds },
    listenerRef: { name: 'l' },
    routing: { pathPatterns: ['/a1', '/a1/*'] },
    target: { port: 80, deregistrationDelaySeconds: 0 },
  };
}

void describe('possibleKinds', () => {
  const cases: { name: string; state: PlanState; has: string[]; lacks: string[] }[] = [
    {
      name: 'nothing deleted, faults off',
      state: { present: ['a', 'b'], absent: [], faultsOn: false },
      has: ['delete', 'faultsOn', 'editPaths', 'driftDeleteEndpoint'],
      lacks: ['recreate', 'faultsOff'],
    },
    {
      name: 'one app left, one deleted, faults on',
      state: { present: ['a'], absent: ['b'], faultsOn: true },
      has: ['recreate', 'faultsOff', 'editTags'],
      lacks: ['delete', 'faultsOn'],
    },
    {
      name: 'every app deleted',
      state: { present: [], absent: ['a'], faultsOn: false },
      has: ['recreate', 'faultsOn'],
      lacks: ['delete', 'editPaths', 'driftDeleteRule'],
    },
  ];
  for (const c of cases) {
    void it(c.name, () => {
      const kinds = possibleKinds(c.state);
      for (const k of c.has) assert.ok(kinds.includes(k as never), `${k} possible`);
      for (const k of c.lacks) assert.ok(!kinds.includes(k as never), `${k} impossible`);
    });
  }
});

void describe('nextAction', () => {
  void it('repeats with the seed, names a fitting app, and reaches every possible kind', () => {
    const state: PlanState = { present: ['a', 'b'], absent: ['c'], faultsOn: false };
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 2000 }, () => nextAction(random, state));
    };
    const actions = draw(7);
    assert.deepEqual(draw(7), actions);
    assert.notDeepEqual(draw(8), actions);
    for (const a of actions) {
      if (a.kind === 'recreate') assert.equal(a.app, 'c');
      else if (a.kind === 'faultsOn') assert.equal(a.app, undefined);
      else assert.ok(['a', 'b'].includes(a.app!), `${a.kind} on ${a.app}`);
    }
    assert.deepEqual(new Set(actions.map((a) => a.kind)), new Set(possibleKinds(state)));
  });
});

void describe('editSpec', () => {
  const cases: {
    edit: SpecEdit;
    subnets: string[];
    check: (before: PublishedAppSpec, after: PublishedAppSpec) => void;
  }[] = [
    {
      edit: 'addSubnet',
      subnets: ['s-a', 's-c'],
      check: (_, after) => {
        assert.deepEqual(after.endpoint.subnetIds, SUBNETS);
      },
    },
    {
      edit: 'addSubnet',
      subnets: SUBNETS,
      check: (before, after) => {
        assert.deepEqual(after.endpoint.subnetIds, before.endpoint.subnetIds);
      },
    },
    {
      edit: 'removeSubnet',
      subnets: ['s-b'],
      check: (_, after) => {
        assert.deepEqual(after.endpoint.subnetIds, ['s-b']);
      },
    },
    {
      edit: 'removeSubnet',
      subnets: SUBNETS,
      check: (_, after) => {
        assert.equal(after.endpoint.subnetIds.length, 2);
        assert.ok(after.endpoint.subnetIds.every((s) => SUBNETS.includes(s)));
      },
    },
    {
      edit: 'editPaths',
      subnets: SUBNETS,
      check: (_, after) => {
        assert.deepEqual(after.routing.pathPatterns, ['/a1-v4', '/a1-v4/*']);
      },
    },
    {
      edit: 'editDeregistrationDelay',
      subnets: SUBNETS,
      check: (_, after) => {
        assert.notEqual(after.target.deregistrationDelaySeconds, 0);
      },
    },
    {
      edit: 'editHealthCheck',
      subnets: SUBNETS,
      check: (_, after) => {
        assert.ok(after.target.healthCheck?.path?.startsWith('/'));
      },
    },
    {
      edit: 'editTags',
      subnets: SUBNETS,
      check: (_, after) => {
        assert.ok(['red', 'blue', 'green'].includes(after.tags?.team ?? ''));
      },
    },
  ];
  for (const [i, c] of cases.entries()) {
    void it(`${c.edit} on ${c.subnets.join(',')}`, () => {
      const before = spec(c.subnets);
      const copy = structuredClone(before);
      const after = editSpec(seededRandom(i), c.edit, before, {
        index: 1,
        version: 3,
        dmzSubnetIds: SUBNETS,
      });
      assert.deepEqual(before, copy, 'the input is left alone');
      c.check(before, after);
    });
  }
});

void describe('faultEpisode', () => {
  void it('one to three distinct kinds at rate ± 0.1, within [0.01, 1]', () => {
    for (const rate of [0, 0.2, 0.9]) {
      const random = seededRandom(3);
      for (let i = 0; i < 200; i++) {
        const rules = faultEpisode(random, rate);
        assert.ok(rules.length >= 1 && rules.length <= 3);
        assert.equal(new Set(rules.map((r) => r.kind)).size, rules.length);
        for (const r of rules) {
          assert.ok(
            r.rate >= Math.max(0.01, rate - 0.1) - 1e-9 && r.rate <= Math.min(1, rate + 0.1) + 1e-9,
            String(r.rate),
          );
        }
      }
    }
  });
});

void describe('parseSoakOptions', () => {
  void it('defaults to the issue: 2 h, 200 apps', () => {
    const o = parseSoakOptions([]);
    assert.equal(o.minutes, 120);
    assert.equal(o.apps, 200);
  });
  void it('reads the flags', () => {
    const o = parseSoakOptions([
      '--minutes',
      '20',
      '--apps',
      '40',
      '--seed',
      '3',
      '--fault-rate',
      '0.3',
      '--check-every',
      '5',
    ]);
    assert.deepEqual([o.minutes, o.apps, o.seed, o.faultRate, o.checkEveryMinutes], [20, 40, 3, 0.3, 5]);
  });
  for (const argv of [
    ['--apps', '0'],
    ['--apps', '2.5'],
    ['--fault-rate', '1.5'],
    ['--seed', '-1'],
    ['--nope', '1'],
  ]) {
    void it(`refuses ${argv.join(' ')}`, () => {
      assert.throws(() => parseSoakOptions(argv));
    });
  }
});
