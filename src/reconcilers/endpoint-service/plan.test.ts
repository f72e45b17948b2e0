import { describe, expect, it } from '@jest/globals';
import {
  arnAccount,
  checkLoadBalancers,
  connectionBatches,
  connectionPolicy,
  connectionsToRejectOnDelete,
  describeModification,
  describePrincipalChange,
  desiredService,
  diffSets,
  isTransitional,
  loadBalancersToVerify,
  planConnections,
  planServiceModification,
  planTags,
  principalAccount,
  serviceClientToken,
  withRefusals,
  type ConnectionPlan,
  type ConnectionPolicy,
  type DesiredService,
  type ObservedConnection,
  type ObservedService,
} from './plan.ts';

const OWN = '111111111111';
const B = '222222222222';
const C = '333333333333';
const NLB1 = `arn:aws:elasticloadbalancing:us-east-1:${OWN}:loadbalancer/net/one/1`;
const NLB2 = `arn:aws:elasticloadbalancing:us-east-1:${OWN}:loadbalancer/net/two/2`;
const ALB = `arn:aws:elasticloadbalancing:us-east-1:${OWN}:loadbalancer/app/web/3`;

describe('desiredService', () => {
  it('applies the API defaults', () => {
    expect(desiredService({ networkLoadBalancerArns: [NLB1] }, { own: 'x' })).toEqual({
      networkLoadBalancerArns: [NLB1],
      acceptanceRequired: true,
      allowedPrincipals: [],
      autoAccept: { principals: [], rejectOthers: false },
      supportedIpAddressTypes: ['ipv4'],
      tags: { own: 'x' },
    });
  });

  it('keeps explicit values and drops duplicates', () => {
    const desired = desiredService(
      {
        networkLoadBalancerArns: [NLB1, NLB1, NLB2],
        acceptanceRequired: false,
        allowedPrincipals: ['*', '*'],
        autoAccept: { principals: [B], rejectOthers: true },
        privateDnsName: 'blue.example.com',
        supportedIpAddressTypes: ['ipv4', 'ipv6'],
      },
      { team: 'blue', own: 'real' },
    );
    expect(desired).toEqual({
      networkLoadBalancerArns: [NLB1, NLB2],
      acceptanceRequired: false,
      allowedPrincipals: ['*'],
      autoAccept: { principals: [B], rejectOthers: true },
      privateDnsName: 'blue.example.com',
      supportedIpAddressTypes: ['ipv4', 'ipv6'],
      tags: { team: 'blue', own: 'real' },
    });
  });

  it('treats an empty supportedIpAddressTypes list as the default', () => {
    expect(
      desiredService({ networkLoadBalancerArns: [NLB1], supportedIpAddressTypes: [] }, {})
        .supportedIpAddressTypes,
    ).toEqual(['ipv4']);
  });
});

describe('checkLoadBalancers', () => {
  it.each([
    { name: 'all network', wanted: [NLB1, NLB2], found: [nlb(NLB1), nlb(NLB2)], reason: undefined },
    { name: 'one missing', wanted: [NLB1, NLB2], found: [nlb(NLB1)], reason: 'LoadBalancerNotFound' },
    { name: 'none found', wanted: [NLB1], found: [], reason: 'LoadBalancerNotFound' },
    {
      name: 'an application LB',
      wanted: [NLB1, ALB],
      found: [nlb(NLB1), { arn: ALB, type: 'application' }],
      reason: 'NotNetworkLoadBalancer',
    },
    {
      name: 'missing beats wrong type',
      wanted: [NLB2, ALB],
      found: [{ arn: ALB, type: 'application' }],
      reason: 'LoadBalancerNotFound',
    },
    {
      name: 'a gateway LB',
      wanted: [NLB1],
      found: [{ arn: NLB1, type: 'gateway' }],
      reason: 'NotNetworkLoadBalancer',
    },
  ])('$name → $reason', ({ wanted, found, reason }) => {
    expect(checkLoadBalancers(wanted, found)?.reason).toBe(reason);
  });

  it('names the offending ARNs in the message', () => {
    expect(checkLoadBalancers([NLB1, NLB2], [nlb(NLB1)])?.message).toContain(NLB2);
    expect(checkLoadBalancers([ALB], [{ arn: ALB, type: 'application' }])?.message).toBe(
      `not a network load balancer: ${ALB} (application)`,
    );
  });
});

describe('diffSets', () => {
  it.each([
    { desired: [], observed: [], add: [], remove: [] },
    { desired: ['a', 'b'], observed: ['a', 'b'], add: [], remove: [] },
    { desired: ['b', 'a'], observed: ['a', 'b'], add: [], remove: [] },
    { desired: ['a', 'b'], observed: [], add: ['a', 'b'], remove: [] },
    { desired: [], observed: ['a'], add: [], remove: ['a'] },
    { desired: ['a', 'c'], observed: ['a', 'b'], add: ['c'], remove: ['b'] },
    { desired: ['a', 'a'], observed: ['b', 'b'], add: ['a'], remove: ['b'] },
  ])('$desired vs $observed', ({ desired, observed, add, remove }) => {
    expect(diffSets(desired, observed)).toEqual({ add, remove });
  });
});

describe('planServiceModification', () => {
  const desired: DesiredService = desiredService({ networkLoadBalancerArns: [NLB1] }, {});
  const observed: ObservedService = {
    serviceId: 'vpce-svc-1',
    serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-1',
    state: 'Available',
    acceptanceRequired: true,
    networkLoadBalancerArns: [NLB1],
    supportedIpAddressTypes: ['ipv4'],
    tags: {},
  };

  it('plans nothing when AWS matches the spec', () => {
    expect(planServiceModification(desired, observed)).toBeUndefined();
  });

  it('treats an unreported supportedIpAddressTypes as ipv4', () => {
    expect(planServiceModification(desired, { ...observed, supportedIpAddressTypes: [] })).toBeUndefined();
  });

  it.each([
    {
      name: 'NLB added in spec',
      desired: { ...desired, networkLoadBalancerArns: [NLB1, NLB2] },
      observed,
      want: { addNetworkLoadBalancerArns: [NLB2] },
    },
    {
      name: 'NLB replaced in spec',
      desired: { ...desired, networkLoadBalancerArns: [NLB2] },
      observed,
      want: { addNetworkLoadBalancerArns: [NLB2], removeNetworkLoadBalancerArns: [NLB1] },
    },
    {
      name: 'NLB detached out of band',
      desired: { ...desired, networkLoadBalancerArns: [NLB1, NLB2] },
      observed: { ...observed, networkLoadBalancerArns: [NLB2] },
      want: { addNetworkLoadBalancerArns: [NLB1] },
    },
    {
      name: 'acceptance turned off',
      desired: { ...desired, acceptanceRequired: false },
      observed,
      want: { acceptanceRequired: false },
    },
    {
      name: 'acceptance turned back on out of band',
      desired,
      observed: { ...observed, acceptanceRequired: false },
      want: { acceptanceRequired: true },
    },
    {
      name: 'private DNS name set',
      desired: { ...desired, privateDnsName: 'a.example.com' },
      observed,
      want: { privateDnsName: 'a.example.com' },
    },
    {
      name: 'private DNS name changed',
      desired: { ...desired, privateDnsName: 'b.example.com' },
      observed: { ...observed, privateDnsName: 'a.example.com' },
      want: { privateDnsName: 'b.example.com' },
    },
    {
      name: 'private DNS name removed',
      desired,
      observed: { ...observed, privateDnsName: 'a.example.com' },
      want: { removePrivateDnsName: true },
    },
    {
      name: 'ipv6 added',
      desired: { ...desired, supportedIpAddressTypes: ['ipv4', 'ipv6'] },
      observed,
      want: { addSupportedIpAddressTypes: ['ipv6'] },
    },
    {
      name: 'switched to ipv6 only',
      desired: { ...desired, supportedIpAddressTypes: ['ipv6'] },
      observed,
      want: { addSupportedIpAddressTypes: ['ipv6'], removeSupportedIpAddressTypes: ['ipv4'] },
    },
    {
      name: 'everything at once',
      desired: {
        ...desired,
        networkLoadBalancerArns: [NLB2],
        acceptanceRequired: false,
        privateDnsName: 'a.example.com',
      },
      observed,
      want: {
        addNetworkLoadBalancerArns: [NLB2],
        removeNetworkLoadBalancerArns: [NLB1],
        acceptanceRequired: false,
        privateDnsName: 'a.example.com',
      },
    },
  ])('$name', ({ desired: d, observed: o, want }) => {
    expect(planServiceModification(d, o)).toEqual({
      addNetworkLoadBalancerArns: [],
      removeNetworkLoadBalancerArns: [],
      addSupportedIpAddressTypes: [],
      removeSupportedIpAddressTypes: [],
      ...want,
    });
  });
});

describe('planTags', () => {
  it.each<{
    desired: Record<string, string>;
    observed: Record<string, string>;
    want: Record<string, string>;
  }>([
    { desired: { a: '1' }, observed: { a: '1', other: 'x' }, want: {} },
    { desired: { a: '1', b: '2' }, observed: { a: '1' }, want: { b: '2' } },
    { desired: { a: '1' }, observed: { a: 'changed' }, want: { a: '1' } },
    { desired: {}, observed: { a: '1' }, want: {} },
  ])('$desired over $observed → $want', ({ desired, observed, want }) => {
    expect(planTags(desired, observed)).toEqual(want);
  });
});

describe('principalAccount', () => {
  it.each([
    ['*', '*'],
    [B, B],
    [`arn:aws:iam::${B}:root`, B],
    [`arn:aws:iam::${B}:role/consumer`, B],
    [`arn:aws:iam::${B}:user/path/alice`, B],
    [`arn:aws-cn:iam::${B}:root`, B],
    ['12345', undefined],
    ['ec2.amazonaws.com', undefined],
    [`arn:aws:organizations::${B}:organization/o-abc`, undefined],
  ])('%s → %s', (principal, account) => {
    expect(principalAccount(principal)).toBe(account);
  });
});

describe('arnAccount', () => {
  it.each([
    [NLB1, OWN],
    [`arn:aws:iam::${B}:root`, B],
    ['not-an-arn', undefined],
    ['arn:aws:s3:::bucket', undefined],
  ])('%s → %s', (arn, account) => {
    expect(arnAccount(arn)).toBe(account);
  });
});

describe('planConnections', () => {
  const policy = (over: Partial<ConnectionPolicy> = {}): ConnectionPolicy => ({
    acceptanceRequired: true,
    allowedPrincipals: [`arn:aws:iam::${B}:root`, `arn:aws:iam::${C}:role/consumer`],
    autoAccept: { principals: [], rejectOthers: false },
    serviceAccount: OWN,
    ...over,
  });
  const pending = (endpointId: string, owner: string): ObservedConnection => ({
    endpointId,
    owner,
    state: 'pendingAcceptance',
  });
  const verdicts = (
    p: ConnectionPolicy,
    conns: ObservedConnection[],
  ): [string, string | undefined, string][] =>
    planConnections(p, conns).map((c) => [c.endpointId, c.decision, c.action]);

  it.each([
    {
      name: 'account id listed → accept; unlisted left pending',
      autoAccept: { principals: [B], rejectOthers: false },
      want: [
        ['vpce-b', 'Accepted', 'accept'],
        ['vpce-c', 'Pending', 'none'],
        ['vpce-own', 'Pending', 'none'],
        ['vpce-x', 'Pending', 'none'],
      ],
    },
    {
      name: 'account id listed with rejectOthers → the rest rejected',
      autoAccept: { principals: [B], rejectOthers: true },
      want: [
        ['vpce-b', 'Accepted', 'accept'],
        ['vpce-c', 'Rejected', 'reject'],
        ['vpce-own', 'Rejected', 'reject'],
        ['vpce-x', 'Rejected', 'reject'],
      ],
    },
    {
      name: 'role ARN stands for its account',
      autoAccept: { principals: [`arn:aws:iam::${C}:role/consumer`], rejectOthers: false },
      want: [
        ['vpce-b', 'Pending', 'none'],
        ['vpce-c', 'Accepted', 'accept'],
        ['vpce-own', 'Pending', 'none'],
        ['vpce-x', 'Pending', 'none'],
      ],
    },
    {
      name: 'root ARN stands for its account',
      autoAccept: { principals: [`arn:aws:iam::${B}:root`], rejectOthers: true },
      want: [
        ['vpce-b', 'Accepted', 'accept'],
        ['vpce-c', 'Rejected', 'reject'],
        ['vpce-own', 'Rejected', 'reject'],
        ['vpce-x', 'Rejected', 'reject'],
      ],
    },
    {
      name: '"*" accepts the allowed accounts and the service owner, not strangers',
      autoAccept: { principals: ['*'], rejectOthers: false },
      want: [
        ['vpce-b', 'Accepted', 'accept'],
        ['vpce-c', 'Accepted', 'accept'],
        ['vpce-own', 'Accepted', 'accept'],
        ['vpce-x', 'Pending', 'none'],
      ],
    },
    {
      name: '"*" with rejectOthers rejects a no-longer-allowed account',
      autoAccept: { principals: ['*'], rejectOthers: true },
      want: [
        ['vpce-b', 'Accepted', 'accept'],
        ['vpce-c', 'Accepted', 'accept'],
        ['vpce-own', 'Accepted', 'accept'],
        ['vpce-x', 'Rejected', 'reject'],
      ],
    },
    {
      name: 'no autoAccept → everything left pending',
      autoAccept: { principals: [], rejectOthers: false },
      want: [
        ['vpce-b', 'Pending', 'none'],
        ['vpce-c', 'Pending', 'none'],
        ['vpce-own', 'Pending', 'none'],
        ['vpce-x', 'Pending', 'none'],
      ],
    },
    {
      name: 'empty autoAccept with rejectOthers → everything rejected',
      autoAccept: { principals: [], rejectOthers: true },
      want: [
        ['vpce-b', 'Rejected', 'reject'],
        ['vpce-c', 'Rejected', 'reject'],
        ['vpce-own', 'Rejected', 'reject'],
        ['vpce-x', 'Rejected', 'reject'],
      ],
    },
    {
      name: 'own account listed by id',
      autoAccept: { principals: [OWN], rejectOthers: false },
      want: [
        ['vpce-b', 'Pending', 'none'],
        ['vpce-c', 'Pending', 'none'],
        ['vpce-own', 'Accepted', 'accept'],
        ['vpce-x', 'Pending', 'none'],
      ],
    },
  ])('$name', ({ autoAccept, want }) => {
    const conns = [
      pending('vpce-x', '999999999999'),
      pending('vpce-c', C),
      pending('vpce-own', OWN),
      pending('vpce-b', B),
    ];
    expect(verdicts(policy({ autoAccept }), conns)).toEqual(want);
  });

  it('"*" in allowedPrincipals lets "*" in autoAccept accept anyone', () => {
    const p = policy({ allowedPrincipals: ['*'], autoAccept: { principals: ['*'], rejectOthers: true } });
    expect(verdicts(p, [pending('vpce-x', '999999999999')])).toEqual([['vpce-x', 'Accepted', 'accept']]);
  });

  it('"*" without a known service account still accepts allowed accounts', () => {
    const p = policy({ serviceAccount: undefined, autoAccept: { principals: ['*'], rejectOthers: false } });
    expect(verdicts(p, [pending('vpce-b', B), pending('vpce-own', OWN)])).toEqual([
      ['vpce-b', 'Accepted', 'accept'],
      ['vpce-own', 'Pending', 'none'],
    ]);
  });

  it('acceptanceRequired false accepts leftover pending connections from anyone', () => {
    const p = policy({ acceptanceRequired: false, autoAccept: { principals: [], rejectOthers: true } });
    const plans = planConnections(p, [
      pending('vpce-x', '999999999999'),
      { endpointId: 'vpce-b', owner: B, state: 'available' },
    ]);
    expect(plans.map((c) => [c.endpointId, c.decision, c.action, c.why])).toEqual([
      ['vpce-b', 'Accepted', 'none', 'already accepted'],
      ['vpce-x', 'Accepted', 'accept', 'acceptanceRequired is false'],
    ]);
  });

  it.each([
    ['available', 'Accepted'],
    ['pending', 'Accepted'],
    ['Partial', 'Accepted'],
    ['rejected', 'Rejected'],
    ['Rejected', 'Rejected'],
    ['deleting', undefined],
    ['deleted', undefined],
    ['expired', undefined],
    ['failed', undefined],
  ])('already-decided state %s is reported as %s and never acted on', (state, decision) => {
    // rejectOthers and an unlisted owner would reject it if it were pending
    const p = policy({ autoAccept: { principals: [], rejectOthers: true } });
    const [plan] = planConnections(p, [{ endpointId: 'vpce-1', owner: '999999999999', state }]);
    expect(plan?.decision).toBe(decision);
    expect(plan?.action).toBe('none');
  });

  it('matches the SDK enum spelling PendingAcceptance as well as the wire spelling', () => {
    const p = policy({ autoAccept: { principals: [B], rejectOthers: false } });
    expect(verdicts(p, [{ endpointId: 'vpce-b', owner: B, state: 'PendingAcceptance' }])).toEqual([
      ['vpce-b', 'Accepted', 'accept'],
    ]);
  });

  it('explains each decision for the audit trail', () => {
    const p = policy({ autoAccept: { principals: [`arn:aws:iam::${B}:root`], rejectOthers: true } });
    const plans = planConnections(p, [pending('vpce-b', B), pending('vpce-c', C)]);
    expect(plans.map((c) => c.why)).toEqual([
      `owner matches autoAccept principal "arn:aws:iam::${B}:root"`,
      'owner not in autoAccept.principals and rejectOthers is true',
    ]);
  });

  it('batches mixed states into one accept list and one reject list', () => {
    const p = policy({ autoAccept: { principals: [B], rejectOthers: true } });
    const plans = planConnections(p, [
      pending('vpce-b1', B),
      { endpointId: 'vpce-b0', owner: B, state: 'available' },
      pending('vpce-c1', C),
      pending('vpce-b2', B),
      { endpointId: 'vpce-c0', owner: C, state: 'rejected' },
      pending('vpce-c2', C),
    ]);
    expect(connectionBatches(plans)).toEqual({
      accept: ['vpce-b1', 'vpce-b2'],
      reject: ['vpce-c1', 'vpce-c2'],
    });
  });

  it('returns nothing to do for no connections', () => {
    expect(connectionBatches(planConnections(policy(), []))).toEqual({ accept: [], reject: [] });
  });
});

describe('connectionsToRejectOnDelete', () => {
  it('rejects live connections and skips finished ones', () => {
    const states = [
      'pendingAcceptance',
      'pending',
      'available',
      'partial',
      'rejected',
      'deleting',
      'deleted',
      'expired',
      'failed',
    ];
    const conns = states.map((state) => ({ endpointId: `vpce-${state}`, owner: B, state }));
    expect(connectionsToRejectOnDelete(conns)).toEqual([
      'vpce-pendingAcceptance',
      'vpce-pending',
      'vpce-available',
      'vpce-partial',
    ]);
  });
});

describe('isTransitional', () => {
  it.each([
    ['pendingAcceptance', true],
    ['pending', true],
    ['deleting', true],
    ['available', false],
    ['rejected', false],
    ['deleted', false],
  ])('%s → %s', (state, transitional) => {
    expect(isTransitional(state)).toBe(transitional);
  });
});

describe('serviceClientToken', () => {
  const uid = '8c5f0f7e-3a3c-4b1e-9d54-2f1c3b8f0a11';
  it('is stable per object, differs per object and fits the 64-character limit', () => {
    expect(serviceClientToken(uid)).toBe(serviceClientToken(uid));
    expect(serviceClientToken(uid)).not.toBe(serviceClientToken(uid.replace('8', '9')));
    expect(serviceClientToken(uid)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes once a recorded service vanished, and is stable for that replacement', () => {
    expect(serviceClientToken(uid, 'vpce-svc-1')).not.toBe(serviceClientToken(uid));
    expect(serviceClientToken(uid, 'vpce-svc-1')).toBe(serviceClientToken(uid, 'vpce-svc-1'));
  });
});

function nlb(arn: string): { arn: string; type: string } {
  return { arn, type: 'network' };
}

describe('describeModification', () => {
  it('names every change', () => {
    expect(
      describeModification({
        addNetworkLoadBalancerArns: [NLB2],
        removeNetworkLoadBalancerArns: [NLB1],
        addSupportedIpAddressTypes: ['ipv6'],
        removeSupportedIpAddressTypes: [],
        acceptanceRequired: false,
        removePrivateDnsName: true,
      }),
    ).toBe(
      `attach NLB ${NLB2}; detach NLB ${NLB1}; add IP type ipv6; acceptanceRequired=false; remove privateDnsName`,
    );
  });
});

describe('loadBalancersToVerify', () => {
  const desired = desiredService({ networkLoadBalancerArns: [NLB1, NLB2] }, {});
  const observed = (arns: string[]): ObservedService => ({
    serviceId: 'vpce-svc-1',
    serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-1',
    state: 'Available',
    acceptanceRequired: true,
    networkLoadBalancerArns: arns,
    supportedIpAddressTypes: ['ipv4'],
    tags: {},
  });

  it.each([
    { name: 'a new service: every NLB', observed: undefined, want: [NLB1, NLB2] },
    { name: 'all attached: none', observed: observed([NLB1, NLB2]), want: [] },
    { name: 'one attached: the other', observed: observed([NLB1]), want: [NLB2] },
    { name: 'one to detach: none to check', observed: observed([NLB1, NLB2, ALB]), want: [] },
  ])('$name', ({ observed, want }) => {
    expect(loadBalancersToVerify(desired, observed)).toEqual(want);
  });
});

describe('describePrincipalChange', () => {
  it.each([
    { add: [], remove: [], want: '' },
    { add: ['a', 'b'], remove: [], want: 'allowed a, b' },
    { add: [], remove: ['c'], want: 'removed c' },
    { add: ['a'], remove: ['c', 'd'], want: 'allowed a; removed c, d' },
  ])('+$add -$remove', ({ add, remove, want }) => {
    expect(describePrincipalChange({ add, remove })).toBe(want);
  });
});

describe('connectionPolicy', () => {
  it.each([
    {
      name: "the service account is the first NLB's",
      spec: { networkLoadBalancerArns: [NLB1], allowedPrincipals: [B], autoAccept: { principals: ['*'] } },
      want: {
        acceptanceRequired: true,
        allowedPrincipals: [B],
        autoAccept: { principals: ['*'], rejectOthers: false },
        serviceAccount: OWN,
      },
    },
    {
      name: 'no NLB: no service account',
      spec: { networkLoadBalancerArns: [], acceptanceRequired: false },
      want: {
        acceptanceRequired: false,
        allowedPrincipals: [],
        autoAccept: { principals: [], rejectOthers: false },
        serviceAccount: undefined,
      },
    },
  ])('$name', ({ spec, want }) => {
    expect(connectionPolicy(desiredService(spec, {}))).toEqual(want);
  });
});

describe('withRefusals', () => {
  const plan = (endpointId: string, action: ConnectionPlan['action']): ConnectionPlan => ({
    endpointId,
    owner: B,
    state: 'pendingAcceptance',
    decision: action === 'accept' ? 'Accepted' : action === 'reject' ? 'Rejected' : 'Pending',
    action,
    why: 'because',
  });
  const refusal = { code: 'InvalidState', message: 'no' };

  it.each([
    { name: 'nothing refused: plans stand', refused: [], want: ['Accepted/because', 'Rejected/because'] },
    {
      name: 'a refused accept stays Pending, saying why',
      refused: ['vpce-a'],
      want: ['Pending/InvalidState: no', 'Rejected/because'],
    },
    {
      name: 'both refused',
      refused: ['vpce-a', 'vpce-r'],
      want: ['Pending/InvalidState: no', 'Pending/InvalidState: no'],
    },
  ])('$name', ({ refused, want }) => {
    const plans = [plan('vpce-a', 'accept'), plan('vpce-r', 'reject')];
    const result = withRefusals(plans, new Map(refused.map((id) => [id, refusal])));
    expect(result.map((p) => `${p.decision ?? ''}/${p.why}`)).toEqual(want);
    expect(result.map((p) => p.action)).toEqual(['accept', 'reject']);
  });
});
