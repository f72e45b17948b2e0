import { desiredIngress, planAlbEgress, planManagedSg, ruleKey, type SgRule } from './plan-sg.ts';

const fromGroup = (groupId: string, port = 80, description?: string): SgRule => ({
  protocol: 'tcp',
  fromPort: port,
  toPort: port,
  peer: { groupId },
  ...(description ? { description } : {}),
});
const anywhere: SgRule = { protocol: '-1', peer: { cidrIpv4: '0.0.0.0/0' } };

describe('ruleKey', () => {
  it.each<[SgRule, SgRule, boolean]>([
    [fromGroup('sg-1'), { ...fromGroup('sg-1'), description: 'x' }, true],
    [fromGroup('sg-1'), { ...fromGroup('sg-1'), protocol: '6' }, true],
    [fromGroup('sg-1'), fromGroup('sg-2'), false],
    [fromGroup('sg-1'), fromGroup('sg-1', 443), false],
    [anywhere, { ...anywhere, fromPort: -1, toPort: -1 }, true],
    [
      { protocol: 'tcp', fromPort: 80, toPort: 80, peer: { cidrIpv4: '10.0.0.0/8' } },
      { protocol: 'tcp', fromPort: 80, toPort: 80, peer: { cidrIpv6: '10.0.0.0/8' } },
      false,
    ],
  ])('%j ≡ %j: %s', (a, b, same) => {
    expect(ruleKey(a) === ruleKey(b)).toBe(same);
  });
});

describe('planManagedSg', () => {
  const desired = desiredIngress(['sg-alb2', 'sg-alb1', 'sg-alb1'], 80);

  it('wants port/tcp from each distinct ALB SG', () => {
    expect(desired).toEqual([fromGroup('sg-alb1'), fromGroup('sg-alb2')]);
  });

  it.each<{ name: string; ingress: SgRule[]; egress: SgRule[]; want: ReturnType<typeof planManagedSg> }>([
    {
      name: 'in sync',
      ingress: [fromGroup('sg-alb2'), fromGroup('sg-alb1')],
      egress: [],
      want: { authorizeIngress: [], revokeIngress: [], revokeEgress: [] },
    },
    {
      name: 'new group',
      ingress: [],
      egress: [],
      want: { authorizeIngress: desired, revokeIngress: [], revokeEgress: [] },
    },
    {
      name: 'default egress of a new group revoked',
      ingress: desired,
      egress: [anywhere],
      want: { authorizeIngress: [], revokeIngress: [], revokeEgress: [anywhere] },
    },
    {
      name: 'hand-added 0.0.0.0/0 and a removed ALB rule',
      ingress: [
        fromGroup('sg-alb1'),
        { protocol: 'tcp', fromPort: 80, toPort: 80, peer: { cidrIpv4: '0.0.0.0/0' } },
      ],
      egress: [],
      want: {
        authorizeIngress: [fromGroup('sg-alb2')],
        revokeIngress: [{ protocol: 'tcp', fromPort: 80, toPort: 80, peer: { cidrIpv4: '0.0.0.0/0' } }],
        revokeEgress: [],
      },
    },
    {
      name: 'port change',
      ingress: [fromGroup('sg-alb1', 8080), fromGroup('sg-alb2', 8080)],
      egress: [],
      want: {
        authorizeIngress: desired,
        revokeIngress: [fromGroup('sg-alb1', 8080), fromGroup('sg-alb2', 8080)],
        revokeEgress: [],
      },
    },
  ])('$name', ({ ingress, egress, want }) => {
    const plan = planManagedSg(desired, ingress, egress);
    expect(plan).toEqual(want);
  });
});

describe('planAlbEgress', () => {
  const M = 'plp-marker';
  const ours = fromGroup('sg-managed', 80, M);
  it.each<{
    name: string;
    groups: { groupId: string; egress: SgRule[] }[];
    want: ReturnType<typeof planAlbEgress>;
  }>([
    {
      name: 'ALB egress open to all: nothing',
      groups: [{ groupId: 'sg-alb', egress: [anywhere] }],
      want: { authorize: [], revoke: [] },
    },
    {
      name: 'open egress on the second ALB SG is enough',
      groups: [
        { groupId: 'sg-alb', egress: [] },
        {
          groupId: 'sg-alb2',
          egress: [{ protocol: 'tcp', fromPort: 0, toPort: 65535, peer: { cidrIpv4: '0.0.0.0/0' } }],
        },
      ],
      want: { authorize: [], revoke: [] },
    },
    {
      name: 'restricted egress: our marked rule added to the first ALB SG',
      groups: [
        {
          groupId: 'sg-alb',
          egress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, peer: { cidrIpv4: '0.0.0.0/0' } }],
        },
        { groupId: 'sg-alb2', egress: [] },
      ],
      want: { authorize: [{ groupId: 'sg-alb', rule: ours }], revoke: [] },
    },
    {
      name: 'restricted egress, our rule present: nothing',
      groups: [{ groupId: 'sg-alb', egress: [ours] }],
      want: { authorize: [], revoke: [] },
    },
    {
      name: 'someone opened egress: our rule is no longer needed',
      groups: [{ groupId: 'sg-alb', egress: [ours, anywhere] }],
      want: { authorize: [], revoke: [{ groupId: 'sg-alb', rule: ours }] },
    },
    {
      name: 'a foreign rule to the managed SG counts',
      groups: [{ groupId: 'sg-alb', egress: [fromGroup('sg-managed', 80, 'theirs')] }],
      want: { authorize: [], revoke: [] },
    },
    {
      name: 'port changed: old marked rule replaced',
      groups: [{ groupId: 'sg-alb', egress: [fromGroup('sg-managed', 8080, M)] }],
      want: {
        authorize: [{ groupId: 'sg-alb', rule: ours }],
        revoke: [{ groupId: 'sg-alb', rule: fromGroup('sg-managed', 8080, M) }],
      },
    },
  ])('$name', ({ groups, want }) => {
    expect(planAlbEgress(groups, 80, 'sg-managed', M)).toEqual(want);
  });
});
