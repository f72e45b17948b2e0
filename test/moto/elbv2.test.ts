/**
 * Extension 7: ELBv2 fidelity — NLB/listener ARNs by type, SetRulePriorities swaps, rules
 * ordered by priority, the 50-tag quota, idempotent CreateTargetGroup.
 */
import { jest } from '@jest/globals';
import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  SetRulePrioritiesCommand,
  type CreateTargetGroupCommandInput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { MotoServer } from '../env/moto/server.ts';
import {
  clientsFor,
  createNetwork,
  errorCode,
  startTestMoto,
  type AccountClients,
  type Network,
} from './helpers.ts';

// Hooks start and stop a server; a loaded 2-core machine needs more than jest's 5 s.
jest.setTimeout(60_000);

let moto: MotoServer;
let account: AccountClients;
let network: Network;
let listenerArn: string;
let targetGroupArn: string;

beforeAll(async () => {
  moto = await startTestMoto('elbv2');
  account = clientsFor(moto);
  network = await createNetwork(account.ec2, 1);
  const alb = await account.elbv2.send(
    new CreateLoadBalancerCommand({
      Name: 'alb',
      Type: 'application',
      Subnets: network.subnetIds,
      SecurityGroups: [network.securityGroupId],
    }),
  );
  const tg = await account.elbv2.send(
    new CreateTargetGroupCommand({
      Name: 'web',
      Protocol: 'HTTP',
      Port: 80,
      VpcId: network.vpcId,
      TargetType: 'ip',
    }),
  );
  targetGroupArn = tg.TargetGroups![0]!.TargetGroupArn!;
  const listener = await account.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: alb.LoadBalancers![0]!.LoadBalancerArn!,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    }),
  );
  listenerArn = listener.Listeners![0]!.ListenerArn!;
});

afterAll(async () => {
  account.destroy();
  await moto.process.stop();
});

async function createRule(priority: number, path: string): Promise<string> {
  const out = await account.elbv2.send(
    new CreateRuleCommand({
      ListenerArn: listenerArn,
      Priority: priority,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [path] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
    }),
  );
  return out.Rules![0]!.RuleArn!;
}

async function rulesByPriority(): Promise<[string, string][]> {
  const out = await account.elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
  return out.Rules!.map((r) => [r.Priority!, r.RuleArn!]);
}

describe('ARNs', () => {
  it('use net/ for network load balancers and their listeners, app/ for application ones', async () => {
    const nlb = await account.elbv2.send(
      new CreateLoadBalancerCommand({
        Name: 'nlb',
        Type: 'network',
        Scheme: 'internal',
        Subnets: network.subnetIds,
      }),
    );
    const nlbArn = nlb.LoadBalancers![0]!.LoadBalancerArn!;
    expect(nlbArn).toMatch(/:loadbalancer\/net\/nlb\/[0-9a-f]+$/);
    const described = await account.elbv2.send(
      new DescribeLoadBalancersCommand({ LoadBalancerArns: [nlbArn] }),
    );
    expect(described.LoadBalancers![0]!.Type).toBe('network');
    const tcp = await account.elbv2.send(
      new CreateTargetGroupCommand({ Name: 'tcp', Protocol: 'TCP', Port: 80, VpcId: network.vpcId }),
    );
    const listener = await account.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: nlbArn,
        Protocol: 'TCP',
        Port: 80,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tcp.TargetGroups![0]!.TargetGroupArn! }],
      }),
    );
    expect(listener.Listeners![0]!.ListenerArn).toMatch(/:listener\/net\/nlb\//);
    expect(listenerArn).toMatch(/:listener\/app\/alb\//);
  });

  it('keep tags given at creation on the re-keyed NLB', async () => {
    const nlb = await account.elbv2.send(
      new CreateLoadBalancerCommand({
        Name: 'nlb-tagged',
        Type: 'network',
        Subnets: network.subnetIds,
        Tags: [{ Key: 'owner', Value: 'me' }],
      }),
    );
    const arn = nlb.LoadBalancers![0]!.LoadBalancerArn!;
    const tags = await account.elbv2.send(new DescribeTagsCommand({ ResourceArns: [arn] }));
    expect(tags.TagDescriptions![0]!.Tags).toEqual([{ Key: 'owner', Value: 'me' }]);
  });
});

describe('rules', () => {
  it('DescribeRules orders by priority with the default rule last', async () => {
    const r30 = await createRule(30, '/c/*');
    const r10 = await createRule(10, '/a/*');
    const r20 = await createRule(20, '/b/*');
    const rules = await rulesByPriority();
    expect(rules.slice(0, 3)).toEqual([
      ['10', r10],
      ['20', r20],
      ['30', r30],
    ]);
    expect(rules.at(-1)![0]).toBe('default');
  });

  it('SetRulePriorities swaps two priorities in one call', async () => {
    const a = await createRule(100, '/x/*');
    const b = await createRule(101, '/y/*');
    await account.elbv2.send(
      new SetRulePrioritiesCommand({
        RulePriorities: [
          { RuleArn: a, Priority: 101 },
          { RuleArn: b, Priority: 100 },
        ],
      }),
    );
    const rules = new Map((await rulesByPriority()).map(([p, arn]) => [arn, p]));
    expect([rules.get(a), rules.get(b)]).toEqual(['101', '100']);
  });

  it('SetRulePriorities still refuses a priority held by a rule that is not moving', async () => {
    const a = await createRule(200, '/p/*');
    await createRule(201, '/q/*');
    expect(
      await errorCode(
        account.elbv2.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: a, Priority: 201 }] })),
      ),
    ).toBe('PriorityInUseException');
  });
});

describe('tags', () => {
  it('AddTags allows up to 50 tags per resource and refuses the 51st', async () => {
    const tags = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
    await account.elbv2.send(new AddTagsCommand({ ResourceArns: [targetGroupArn], Tags: tags.slice(0, 30) }));
    await account.elbv2.send(new AddTagsCommand({ ResourceArns: [targetGroupArn], Tags: tags.slice(30) }));
    const described = await account.elbv2.send(new DescribeTagsCommand({ ResourceArns: [targetGroupArn] }));
    expect(described.TagDescriptions![0]!.Tags).toHaveLength(50);
    // Overwriting an existing key is not a new tag.
    await account.elbv2.send(
      new AddTagsCommand({ ResourceArns: [targetGroupArn], Tags: [{ Key: 'k0', Value: 'new' }] }),
    );
    expect(
      await errorCode(
        account.elbv2.send(
          new AddTagsCommand({ ResourceArns: [targetGroupArn], Tags: [{ Key: 'k50', Value: 'x' }] }),
        ),
      ),
    ).toBe('TooManyTagsException');
  });
});

describe('CreateTargetGroup', () => {
  const input: CreateTargetGroupCommandInput = {
    Name: 'same',
    Protocol: 'HTTP',
    Port: 8080,
    TargetType: 'ip',
    HealthCheckPath: '/healthz',
  };

  it('returns the existing group for the same name and settings', async () => {
    const first = await account.elbv2.send(new CreateTargetGroupCommand({ ...input, VpcId: network.vpcId }));
    const again = await account.elbv2.send(new CreateTargetGroupCommand({ ...input, VpcId: network.vpcId }));
    expect(again.TargetGroups![0]!.TargetGroupArn).toBe(first.TargetGroups![0]!.TargetGroupArn);
  });

  it('fails with DuplicateTargetGroupName for the same name with other settings', async () => {
    await account.elbv2.send(new CreateTargetGroupCommand({ ...input, Name: 'dup', VpcId: network.vpcId }));
    for (const change of [
      { Port: 8081 },
      { HealthCheckPath: '/other' },
      { TargetType: 'instance' as const },
    ]) {
      expect(
        await errorCode(
          account.elbv2.send(
            new CreateTargetGroupCommand({ ...input, Name: 'dup', VpcId: network.vpcId, ...change }),
          ),
        ),
      ).toBe('DuplicateTargetGroupNameException');
    }
  });
});
