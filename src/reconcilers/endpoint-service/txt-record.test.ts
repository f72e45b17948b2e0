import type { ObservedService } from './plan.ts';
import {
  desiredTxtRecord,
  inZone,
  planPublish,
  planRemoval,
  quoteTxt,
  route53Due,
  staleRecords,
  unquoteTxt,
  type ObservedRecordSet,
} from './txt-record.ts';

const service = (name?: string, record?: { name?: string; value?: string }): ObservedService => ({
  serviceId: 'vpce-svc-1',
  serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-1',
  state: 'Available',
  acceptanceRequired: false,
  networkLoadBalancerArns: [],
  supportedIpAddressTypes: ['ipv4'],
  tags: {},
  ...(name ? { privateDnsName: name } : {}),
  ...(record
    ? { privateDnsNameConfiguration: { state: 'pendingVerification', type: 'TXT', ...record } }
    : {}),
});
const OURS = { hostedZoneId: 'ZONE1', name: '_abc.shop.example.net', value: 'vpce:xyz' };
const OLD = { hostedZoneId: 'ZONE1', name: '_old.old.example.net', value: 'vpce:old' };
const PUBLIC = { name: 'example.net', privateZone: false };
const set = (ttl: number | undefined, ...values: string[]): ObservedRecordSet => ({ ttl, values });

describe('desiredTxtRecord', () => {
  it.each([
    ['no zone', undefined, service('shop.example.net', { name: '_abc', value: 'vpce:xyz' }), undefined],
    ['no private DNS name', 'ZONE1', service(undefined, { name: '_abc', value: 'vpce:xyz' }), undefined],
    ['AWS has named no record yet', 'ZONE1', service('shop.example.net'), undefined],
    ['a record without its value', 'ZONE1', service('shop.example.net', { name: '_abc' }), undefined],
    [
      'zone, name and record',
      'ZONE1',
      service('shop.example.net', { name: '_abc', value: 'vpce:xyz' }),
      OURS,
    ],
    ['the name lower-cased', 'ZONE1', service('Shop.Example.NET', { name: '_ABC', value: 'vpce:xyz' }), OURS],
  ])('%s', (_, zone, svc, expected) => {
    expect(desiredTxtRecord(zone, svc)).toEqual(expected);
  });
});

describe('inZone', () => {
  it.each([
    ['_abc.shop.example.net', 'example.net.', true],
    ['_abc.shop.example.net', 'shop.example.net', true],
    ['example.net', 'example.net', true],
    ['_abc.shop.example.net', 'other.net', false],
    ['_abc.shopexample.net', 'example.net', false],
    ['_abc.SHOP.example.net.', 'Example.Net', true],
  ])('%s in %s → %s', (name, zone, expected) => {
    expect(inZone(name, zone)).toBe(expected);
  });
});

describe('planPublish', () => {
  it.each([
    ['a free name: UPSERT', PUBLIC, undefined, { action: 'upsert' }],
    ['exactly our value already: nothing', PUBLIC, set(300, 'vpce:xyz'), { action: 'none' }],
    ['our value at another TTL: nothing', PUBLIC, set(60, 'vpce:xyz'), { action: 'none' }],
    [
      'a foreign value: refused',
      PUBLIC,
      set(300, 'someone else'),
      {
        action: 'refuse',
        reason: 'TxtRecordConflict',
        message:
          'not publishing TXT _abc.shop.example.net: _abc.shop.example.net already holds TXT "someone else"; left untouched',
      },
    ],
    [
      'our value among others: refused (not only ours)',
      PUBLIC,
      set(300, 'vpce:xyz', 'v=spf1'),
      expect.objectContaining({ action: 'refuse', reason: 'TxtRecordConflict' }),
    ],
    [
      'a zone of another domain: refused',
      { name: 'other.org', privateZone: false },
      undefined,
      {
        action: 'refuse',
        reason: 'HostedZoneMismatch',
        message:
          'not publishing TXT _abc.shop.example.net: _abc.shop.example.net is not inside hosted zone other.org',
      },
    ],
    [
      'a private zone: refused',
      { name: 'example.net', privateZone: true },
      undefined,
      expect.objectContaining({ action: 'refuse', reason: 'HostedZoneNotPublic' }),
    ],
    [
      'the zone is checked before the record',
      { name: 'other.org', privateZone: false },
      set(300, 'someone else'),
      expect.objectContaining({ reason: 'HostedZoneMismatch' }),
    ],
  ])('%s', (_, zone, current, expected) => {
    expect(planPublish(OURS, zone, current)).toEqual(expected);
  });
});

describe('planRemoval', () => {
  it.each([
    ['exactly our value: DELETE with the TTL found', set(60, 'vpce:xyz'), { action: 'delete', ttl: 60 }],
    ['gone: forget', undefined, { action: 'forget', why: 'already gone' }],
    [
      'changed by someone: forget, untouched',
      set(300, 'theirs'),
      { action: 'forget', why: 'it no longer holds only our value' },
    ],
    [
      'a value added next to ours: forget, untouched',
      set(300, 'vpce:xyz', 'theirs'),
      { action: 'forget', why: 'it no longer holds only our value' },
    ],
  ])('%s', (_, current, expected) => {
    expect(planRemoval(OURS, current)).toEqual(expected);
  });
});

describe('staleRecords / route53Due', () => {
  const other = { ...OURS, hostedZoneId: 'ZONE2' };
  it.each([
    ['nothing owned, nothing wanted', [], undefined, false, [], false],
    ['wanted, not yet published', [], OURS, false, [], true],
    ['published and recorded: no call', [OURS], OURS, false, [], false],
    ['recorded, verification about to start: checked', [OURS], OURS, true, [], true],
    ['the name changed: the old one goes', [OLD], OURS, false, [OLD], true],
    ['the zone changed: the old zone’s record goes', [other], OURS, false, [other], true],
    ['no longer wanted: every owned record goes', [OURS, OLD], undefined, false, [OURS, OLD], true],
  ])('%s', (_, owned, desired, verificationDue, stale, due) => {
    expect(staleRecords(owned, desired)).toEqual(stale);
    expect(route53Due(owned, desired, verificationDue)).toBe(due);
  });
});

describe('TXT quoting', () => {
  it.each([
    ['vpce:xyz', '"vpce:xyz"'],
    ['say "hi"', '"say \\"hi\\""'],
  ])('%s ⇄ %s', (value, quoted) => {
    expect(quoteTxt(value)).toBe(quoted);
    expect(unquoteTxt(quoted)).toBe(value);
  });

  it('joins the strings of a split value and keeps an unquoted one', () => {
    expect(unquoteTxt('"vpce:" "xyz"')).toBe('vpce:xyz');
    expect(unquoteTxt('vpce:xyz')).toBe('vpce:xyz');
  });
});
