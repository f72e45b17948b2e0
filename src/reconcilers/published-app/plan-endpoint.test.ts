import { endpointStateReport, planEndpoint, type ObservedEndpoint } from './plan-endpoint.ts';

const desired = {
  serviceName: 'svc-blue',
  vpcId: 'vpc-dmz',
  subnetIds: ['subnet-a', 'subnet-b'],
  securityGroupIds: ['sg-managed'],
  privateDnsEnabled: false,
};
const ep = (over: Partial<ObservedEndpoint> = {}): ObservedEndpoint => ({
  id: 'vpce-1',
  state: 'available',
  serviceName: 'svc-blue',
  vpcId: 'vpc-dmz',
  subnetIds: ['subnet-b', 'subnet-a'],
  securityGroupIds: ['sg-managed'],
  networkInterfaceIds: ['eni-a', 'eni-b'],
  createdAtMs: 1000,
  ...over,
});

describe('planEndpoint', () => {
  it('creates when none of ours exists', () => {
    expect(planEndpoint(desired, [])).toEqual({
      action: { type: 'createEndpoint', endpoint: desired },
      differences: ['endpoint missing'],
      obsolete: [],
    });
  });

  it('creates again when ours was deleted out of band', () => {
    expect(planEndpoint(desired, [ep({ state: 'deleted' })], 'vpce-1').action?.type).toBe('createEndpoint');
  });

  it('is in sync regardless of list order', () => {
    expect(planEndpoint(desired, [ep()])).toEqual({ current: ep(), differences: [], obsolete: [] });
  });

  it('puts back a subnet removed out of band and drops an extra SG in one modify', () => {
    const plan = planEndpoint(desired, [
      ep({ subnetIds: ['subnet-a', 'subnet-c'], securityGroupIds: ['sg-managed', 'sg-x'] }),
    ]);
    expect(plan.action).toEqual({
      type: 'modifyEndpoint',
      endpointId: 'vpce-1',
      addSubnetIds: ['subnet-b'],
      removeSubnetIds: ['subnet-c'],
      addSecurityGroupIds: [],
      removeSecurityGroupIds: ['sg-x'],
    });
    expect(plan.differences).toEqual([
      'subnet subnet-b missing',
      'unexpected subnet subnet-c',
      'unexpected security group sg-x',
    ]);
  });

  it.each<[string, boolean, boolean | undefined, string[]]>([
    ['turns private DNS on', true, false, ['private DNS missing']],
    ['turns private DNS on (AWS did not say)', true, undefined, ['private DNS missing']],
    ['puts private DNS back off', false, true, ['unexpected private DNS']],
  ])('%s', (_, wanted, live, differences) => {
    const plan = planEndpoint({ ...desired, privateDnsEnabled: wanted }, [ep({ privateDnsEnabled: live })]);
    expect(plan.action).toEqual({
      type: 'modifyEndpoint',
      endpointId: 'vpce-1',
      addSubnetIds: [],
      removeSubnetIds: [],
      addSecurityGroupIds: [],
      removeSecurityGroupIds: [],
      privateDnsEnabled: wanted,
    });
    expect(plan.differences).toEqual(differences);
  });

  it('leaves PrivateDnsEnabled out of a modify that does not change it', () => {
    const plan = planEndpoint({ ...desired, privateDnsEnabled: true }, [
      ep({ privateDnsEnabled: true, subnetIds: ['subnet-a'] }),
    ]);
    expect(plan.action).not.toHaveProperty('privateDnsEnabled');
  });

  it('adds extra SGs from the spec', () => {
    const plan = planEndpoint({ ...desired, securityGroupIds: ['sg-managed', 'sg-extra'] }, [ep()]);
    expect(plan.action).toMatchObject({ addSecurityGroupIds: ['sg-extra'], removeSecurityGroupIds: [] });
  });

  it.each(['rejected', 'failed', 'expired'])('does not modify or recreate a %s endpoint', (state) => {
    expect(planEndpoint(desired, [ep({ state, subnetIds: [] })])).toEqual({
      current: ep({ state, subnetIds: [] }),
      differences: [],
      obsolete: [],
    });
  });

  it('service changed: creates the new one, the old one becomes obsolete', () => {
    const old = ep({ serviceName: 'svc-old' });
    expect(planEndpoint(desired, [old], 'vpce-1')).toEqual({
      action: { type: 'createEndpoint', endpoint: desired },
      differences: ['endpoint missing'],
      obsolete: [old],
    });
  });

  it('prefers the recorded endpoint among duplicates, else the oldest', () => {
    const a = ep({ id: 'vpce-a', createdAtMs: 2000 });
    const b = ep({ id: 'vpce-b', createdAtMs: 1000 });
    expect(planEndpoint(desired, [a, b], 'vpce-a')).toMatchObject({ current: a, obsolete: [b] });
    expect(planEndpoint(desired, [a, b])).toMatchObject({ current: b, obsolete: [a] });
  });
});

describe('endpointStateReport', () => {
  it.each([
    ['available', true, 'Available', false],
    ['pendingAcceptance', false, 'WaitingForAcceptance', true],
    ['pending', false, 'Pending', true],
    ['rejected', false, 'ConnectionRejected', false],
    ['expired', false, 'ConnectionExpired', false],
    ['failed', false, 'EndpointFailed', false],
    ['partial', false, 'Pending', true],
  ])('%s', (state, available, reason, polls) => {
    const report = endpointStateReport(ep({ state }), 5000);
    expect(report).toMatchObject({ available, reason });
    expect(report.pollMs).toBe(polls ? 5000 : undefined);
  });
});
