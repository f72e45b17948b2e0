import type { ListenerRule, ObservedSecurityGroup } from './aws-ops.ts';
import { patchListenerRules, patchSecurityGroup, readKeys } from './scope-reads.ts';
import { SharedReads, type ReadKey } from './shared-reads.ts';

const SCOPE = '111122223333|us-east-1';
const LISTENER = 'arn:listener/app/dmz/1/2';

const rule = (arn: string, priority: number, path = `/${arn}`): ListenerRule => ({
  arn,
  priority,
  isDefault: false,
  conditions: { pathPatterns: [path], hostHeaders: [] },
  forwardTargetGroupArns: [`tg-${arn}`],
  plainForward: true,
});
const group = (groupId: string, port: number): ObservedSecurityGroup => ({
  groupId,
  vpcId: 'vpc-dmz',
  tags: {},
  ingress: [{ protocol: 'tcp', fromPort: port, toPort: port, peer: { groupId: 'sg-alb' } }],
  egress: [],
});

/** A memo holding `value` under `key`, and a count of how often it was (re)loaded. */
async function memoOf<T>(key: ReadKey<T>, value: T) {
  const reads = new SharedReads(60_000);
  let loads = 0;
  const load = () => {
    loads++;
    return Promise.resolve(value);
  };
  await reads.get(key, load);
  return { reads, read: () => reads.get(key, load), loads: () => loads };
}

describe('patchListenerRules', () => {
  const rules = [rule('a', 1), rule('b', 2)];
  it.each([
    ['a created rule joins the list', 'c', rule('c', 3), ['a:1', 'b:2', 'c:3']],
    ['a modified rule replaces its old self in place', 'a', rule('a', 1, '/moved'), ['a:1', 'b:2']],
    ['a moved rule keeps its place with its new priority', 'b', rule('b', 7), ['a:1', 'b:7']],
    ['a deleted rule leaves', 'a', undefined, ['b:2']],
    ['deleting an unknown rule changes nothing', 'x', undefined, ['a:1', 'b:2']],
  ])('%s, without reloading the listener', async (_, arn, written, expected) => {
    const memo = await memoOf(readKeys.rules(SCOPE, LISTENER), rules);
    patchListenerRules(memo.reads, SCOPE, { listenerArn: LISTENER, arn, rule: written });
    const after = await memo.read();
    expect(after.map((r) => `${r.arn}:${r.priority}`)).toEqual(expected);
    if (written) expect(after.find((r) => r.arn === arn)).toBe(written);
    expect(memo.loads()).toBe(1);
  });

  it('touches only the listener it names', async () => {
    const memo = await memoOf(readKeys.rules(SCOPE, LISTENER), rules);
    patchListenerRules(memo.reads, SCOPE, { listenerArn: `${LISTENER}-other`, arn: 'a' });
    patchListenerRules(memo.reads, 'other|us-east-1', { listenerArn: LISTENER, arn: 'a' });
    expect((await memo.read()).map((r) => r.arn)).toEqual(['a', 'b']);
  });
});

describe('patchSecurityGroup', () => {
  it.each([
    ['a created group joins the list', group('sg-3', 80), ['sg-1:443', 'sg-2:443', 'sg-3:80']],
    ['a changed group replaces its old self', group('sg-1', 8080), ['sg-2:443', 'sg-1:8080']],
  ])('%s, without reloading the owned groups', async (_, written, expected) => {
    const memo = await memoOf(readKeys.securityGroups(SCOPE), [group('sg-1', 443), group('sg-2', 443)]);
    patchSecurityGroup(memo.reads, SCOPE, written);
    const after = await memo.read();
    expect(after.map((g) => `${g.groupId}:${g.ingress[0]?.fromPort}`)).toEqual(expected);
    expect(memo.loads()).toBe(1);
  });
});
