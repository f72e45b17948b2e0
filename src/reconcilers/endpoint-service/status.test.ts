import { describe, expect, it } from '@jest/globals';
import type { ConnectionPlan, ObservedService } from './plan.ts';
import type { EndpointServiceStatus } from '../../api/v1alpha1.ts';
import { buildStatus, connectionsCondition, principalsCondition, serviceCondition } from './status.ts';

const T0 = new Date('2026-11-25T08:00:00.123Z');
const T1 = new Date('2026-11-25T09:00:00Z');

const service: ObservedService = {
  serviceId: 'vpce-svc-1',
  serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-1',
  state: 'Available',
  acceptanceRequired: true,
  networkLoadBalancerArns: [],
  supportedIpAddressTypes: ['ipv4'],
  tags: {},
};

const ok = { status: 'True' as const, reason: 'Ok', message: 'fine' };
const accepted: ConnectionPlan = {
  endpointId: 'vpce-1',
  owner: '222222222222',
  state: 'available',
  decision: 'Accepted',
  action: 'none',
  why: 'already accepted',
};

function condition(status: EndpointServiceStatus, type: string): [string | undefined, string | undefined] {
  const c = status.conditions?.find((x) => x.type === type);
  return [c?.status, c?.reason];
}

describe('buildStatus', () => {
  it('is Ready only when all three phase conditions are True', () => {
    const s = buildStatus(
      undefined,
      { service, connections: [accepted], conditions: { service: ok, principals: ok, connections: ok } },
      3,
      T0,
    );
    expect(condition(s, 'Ready')).toEqual(['True', 'Ready']);
    expect(s).toMatchObject({
      observedGeneration: 3,
      serviceId: 'vpce-svc-1',
      serviceName: service.serviceName,
      serviceState: 'Available',
      connections: [
        { endpointId: 'vpce-1', owner: '222222222222', state: 'available', decision: 'Accepted' },
      ],
      connectionCounts: { total: 1, available: 1, pendingAcceptance: 0 },
    });
    expect(
      s.conditions?.every(
        (c) => c.lastTransitionTime === '2026-11-25T08:00:00Z' && c.observedGeneration === 3,
      ),
    ).toBe(true);
  });

  it.each([
    { failing: 'service', type: 'ServiceAvailable' },
    { failing: 'principals', type: 'PrincipalsSynced' },
    { failing: 'connections', type: 'ConnectionsReconciled' },
  ] as const)('a False $failing condition makes Ready False with its reason', ({ failing, type }) => {
    const conditions = {
      service: ok,
      principals: ok,
      connections: ok,
      [failing]: { status: 'False', reason: 'AccessDenied', message: 'no' },
    };
    const s = buildStatus(undefined, { conditions }, 1, T0);
    expect(condition(s, type)).toEqual(['False', 'AccessDenied']);
    expect(condition(s, 'Ready')).toEqual(['False', 'AccessDenied']);
  });

  it('marks phases never reached as Unknown, and Ready False', () => {
    const s = buildStatus(
      undefined,
      { conditions: { service: { status: 'False', reason: 'LoadBalancerNotFound', message: 'x' } } },
      1,
      T0,
    );
    expect(condition(s, 'PrincipalsSynced')).toEqual(['Unknown', 'NotYetReconciled']);
    expect(condition(s, 'ConnectionsReconciled')).toEqual(['Unknown', 'NotYetReconciled']);
    expect(condition(s, 'Ready')).toEqual(['False', 'LoadBalancerNotFound']);
    expect(s.serviceId).toBeUndefined();
  });

  it('keeps what a failed reconcile did not observe', () => {
    const prev = buildStatus(
      undefined,
      { service, connections: [accepted], conditions: { service: ok, principals: ok, connections: ok } },
      1,
      T0,
    );
    const next = buildStatus(
      prev,
      { conditions: { principals: { status: 'False', reason: 'Throttled', message: 'slow down' } } },
      2,
      T1,
    );
    expect(next.serviceId).toBe('vpce-svc-1');
    expect(next.connections).toEqual(prev.connections);
    expect(condition(next, 'ServiceAvailable')).toEqual(['True', 'Ok']);
    expect(condition(next, 'Ready')).toEqual(['False', 'Throttled']);
    expect(next.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime).toBe('2026-11-25T09:00:00Z');
  });

  it('gives an identical status for an unchanged world (no write on resync)', () => {
    const report = {
      service,
      connections: [accepted],
      conditions: { service: ok, principals: ok, connections: ok },
    };
    const first = buildStatus(undefined, report, 1, T0);
    expect(buildStatus(first, report, 1, T1)).toEqual(first);
  });

  it('lets notReady override Ready (deletion blocked)', () => {
    const prev = buildStatus(
      undefined,
      { service, conditions: { service: ok, principals: ok, connections: ok } },
      1,
      T0,
    );
    const s = buildStatus(
      prev,
      { conditions: {}, notReady: { reason: 'DeletionBlocked', message: 'refused' } },
      1,
      T1,
    );
    expect(condition(s, 'Ready')).toEqual(['False', 'DeletionBlocked']);
    expect(condition(s, 'ServiceAvailable')).toEqual(['True', 'Ok']);
  });

  it('reports the private DNS verification record only while a private DNS name is set', () => {
    const dns = { state: 'pendingVerification', type: 'TXT', name: '_abc', value: 'vpce:xyz' };
    const withDns = { ...service, privateDnsName: 'a.example.com', privateDnsNameConfiguration: dns };
    const s1 = buildStatus(undefined, { service: withDns, conditions: {} }, 1, T0);
    expect(s1.privateDnsNameConfiguration).toEqual(dns);
    const s2 = buildStatus(
      s1,
      { service: { ...service, privateDnsNameConfiguration: dns }, conditions: {} },
      2,
      T0,
    );
    expect(s2.privateDnsNameConfiguration).toBeUndefined();
  });

  it('sets PrivateDnsNameVerified outside Ready, keeps it when not reported, drops it on null', () => {
    const all = { service: ok, principals: ok, connections: ok };
    const failed = { status: 'False' as const, reason: 'VerificationFailed', message: 'publish it' };
    const s1 = buildStatus(undefined, { service, conditions: all, privateDns: failed }, 1, T0);
    expect(condition(s1, 'PrivateDnsNameVerified')).toEqual(['False', 'VerificationFailed']);
    expect(condition(s1, 'Ready')).toEqual(['True', 'Ready']);
    const s2 = buildStatus(s1, { conditions: {} }, 1, T1);
    expect(condition(s2, 'PrivateDnsNameVerified')).toEqual(['False', 'VerificationFailed']);
    const s3 = buildStatus(s2, { service, conditions: all, privateDns: null }, 2, T1);
    expect(s3.conditions?.map((c) => c.type)).not.toContain('PrivateDnsNameVerified');
    expect(condition(s3, 'Ready')).toEqual(['True', 'Ready']);
  });

  it('lists the published TXT records as reported, keeps them when not reported, drops an empty list', () => {
    const record = { hostedZoneId: 'Z1', name: '_abc.shop.example.net', value: 'vpce:xyz' };
    const s1 = buildStatus(undefined, { conditions: {}, publishedTxtRecords: [record] }, 1, T0);
    expect(s1.publishedTxtRecords).toEqual([record]);
    expect(buildStatus(s1, { conditions: {} }, 1, T1).publishedTxtRecords).toEqual([record]);
    expect(
      buildStatus(s1, { conditions: {}, publishedTxtRecords: [] }, 1, T1).publishedTxtRecords,
    ).toBeUndefined();
  });

  it('omits decision for connections whose state implies none', () => {
    const gone: ConnectionPlan = {
      endpointId: 'vpce-2',
      owner: '2',
      state: 'deleted',
      action: 'none',
      why: 'connection is deleted',
    };
    expect(buildStatus(undefined, { connections: [gone], conditions: {} }, 1, T0).connections).toEqual([
      { endpointId: 'vpce-2', owner: '2', state: 'deleted' },
    ]);
  });
});

describe('serviceCondition', () => {
  it.each([
    ['Available', 'True', 'ServiceAvailable'],
    ['Pending', 'False', 'ServicePending'],
    ['Failed', 'False', 'ServiceFailed'],
    ['Deleting', 'False', 'ServiceDeleting'],
  ])('%s → %s %s', (state, status, reason) => {
    expect(serviceCondition({ ...service, state })).toMatchObject({ status, reason });
  });
});

describe('connectionsCondition', () => {
  it('is True and names connections left for a person', () => {
    const waiting: ConnectionPlan = {
      ...accepted,
      endpointId: 'vpce-9',
      state: 'pendingAcceptance',
      decision: 'Pending',
    };
    expect(connectionsCondition([accepted, waiting])).toEqual({
      status: 'True',
      reason: 'AwaitingManualAcceptance',
      message: 'left for manual acceptance: vpce-9 (222222222222)',
    });
  });

  it('is True with nothing left pending', () => {
    expect(connectionsCondition([accepted])).toMatchObject({
      status: 'True',
      reason: 'ConnectionsReconciled',
    });
    expect(connectionsCondition([])).toMatchObject({ status: 'True', reason: 'ConnectionsReconciled' });
  });
});

describe('principalsCondition', () => {
  it.each([
    { count: 0, message: '0 allowed principal(s) in place' },
    { count: 3, message: '3 allowed principal(s) in place' },
  ])('$count principal(s)', ({ count, message }) => {
    expect(principalsCondition(count)).toEqual({ status: 'True', reason: 'PrincipalsSynced', message });
  });
});
