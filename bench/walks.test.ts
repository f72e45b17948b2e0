/**
 * Table tests of the steady-state arithmetic. Run with Node's own runner:
 * ./node_modules/.bin/node --test bench/walks.test.ts
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordedCall } from '../test/env/aws-proxy/server.ts';
import { amortisedWalkCallsPerSecond, callsPerWalk, lastReconcileCallAt, metricSum } from './walks.ts';

const at = (time: number, operation: string): RecordedCall => ({
  time,
  account: '1',
  region: 'us-east-1',
  service: 'ec2',
  operation,
  outcome: 'ok',
  status: 200,
  latencyMs: 1,
});

void describe('lastReconcileCallAt', () => {
  const cases: [string, RecordedCall[], number | undefined][] = [
    ['no calls', [], undefined],
    ['observation reads only', [at(5, 'DescribeVpcEndpoints'), at(9, 'DescribeRules')], undefined],
    [
      'the latest write, observation reads after it ignored',
      [at(3, 'CreateVpcEndpoint'), at(7, 'RegisterTargets'), at(9, 'DescribeRules')],
      7,
    ],
    [
      'a verification pass: a read no observation makes',
      [at(3, 'CreateRule'), at(8, 'DescribeTargetHealth')],
      8,
    ],
    ['out of order', [at(8, 'CreateRule'), at(2, 'CreateTags')], 8],
  ];
  for (const [name, calls, want] of cases) {
    void it(name, () => {
      assert.equal(lastReconcileCallAt(calls), want);
    });
  }
});

void describe('metricSum', () => {
  const text = [
    '# HELP controller_runtime_reconcile_total Total number of reconciliations per controller',
    '# TYPE controller_runtime_reconcile_total counter',
    'controller_runtime_reconcile_total{controller="publishedapp",result="success"} 120',
    'controller_runtime_reconcile_total{controller="publishedapp",result="error"} 3',
    'controller_runtime_reconcile_total{controller="endpointservice",result="success"} 40',
    'controller_runtime_reconcile_total_other{controller="publishedapp"} 1000',
    'workqueue_depth{name="publishedapp"} 7',
    'process_resident_memory_bytes 1.5e8',
  ].join('\n');
  const cases: [string, string, Record<string, string>, number][] = [
    ['every series of a name', 'controller_runtime_reconcile_total', {}, 163],
    ['filtered by a label', 'controller_runtime_reconcile_total', { controller: 'publishedapp' }, 123],
    [
      'filtered by two labels',
      'controller_runtime_reconcile_total',
      { controller: 'publishedapp', result: 'error' },
      3,
    ],
    ['a gauge', 'workqueue_depth', { name: 'publishedapp' }, 7],
    ['no labels, exponent', 'process_resident_memory_bytes', {}, 1.5e8],
    ['no match', 'workqueue_depth', { name: 'endpointservice' }, 0],
    ['unknown name', 'nope', {}, 0],
  ];
  for (const [name, metric, labels, want] of cases) {
    void it(name, () => {
      assert.equal(metricSum(text, metric, labels), want);
    });
  }
});

void describe('callsPerWalk', () => {
  const cases: [string, Parameters<typeof callsPerWalk>[0], number][] = [
    [
      'the observation’s share is taken out',
      { calls: 260, seconds: 120, walks: 200, observationCallsPerSecond: 0.5 },
      1,
    ],
    ['no observation', { calls: 300, seconds: 60, walks: 100, observationCallsPerSecond: 0 }, 3],
    ['never negative', { calls: 10, seconds: 60, walks: 5, observationCallsPerSecond: 1 }, 0],
  ];
  for (const [name, w, want] of cases) {
    void it(name, () => {
      assert.ok(Math.abs(callsPerWalk(w) - want) < 1e-9, `${callsPerWalk(w)} ≠ ${want}`);
    });
  }
  void it('no walks: NaN', () => {
    assert.ok(Number.isNaN(callsPerWalk({ calls: 5, seconds: 60, walks: 0, observationCallsPerSecond: 0 })));
  });
});

void describe('amortisedWalkCallsPerSecond', () => {
  const cases: [number, number, number, number][] = [
    [1000, 2, 3600, 2000 / 3600],
    [100, 1, 3600, 100 / 3600],
    [300, 3, 600, 1.5],
  ];
  for (const [apps, perWalk, period, want] of cases) {
    void it(`${apps} apps × ${perWalk} calls / ${period} s`, () => {
      assert.ok(Math.abs(amortisedWalkCallsPerSecond(apps, perWalk, period) - want) < 1e-12);
    });
  }
});
