/**
 * The verification TXT record published by the controller (spec.privateDnsHostedZoneId): UPSERT
 * of exactly the record AWS asks for in the named public zone, verification started, the name
 * verified; on a new name the old record removed and the new one published; on deletion the
 * record removed; a name holding a foreign value, a zone of another domain and an unknown zone
 * refused with their reasons — and never a record of the zone touched that the controller did
 * not publish. Route 53 is moto's (extension 11 makes its DELETE exact, as AWS's).
 */
import { jest } from '@jest/globals';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { EndpointService } from '../../../src/api/v1alpha1.ts';
import { newTestContext, type TestContext } from '../../env/context.ts';
import { createZone, recordSets, route53For, upsertTxt } from '../../env/route53.ts';
import {
  account,
  applyEndpointService,
  condition,
  createNetwork,
  createNlb,
  eventsFor,
  eventually,
  getEndpointService,
  patchSpec,
  startController,
  waitForEvent,
  waitForObject,
  type Account,
  type RunningController,
} from './harness.ts';

jest.setTimeout(120_000);

let ctx: TestContext;
let provider: Account;
let route53: Route53Client;
let zoneId: string;
let nlb: string;
let controller: RunningController;

/** Records in the zone that are not the controller's: they must survive every test. */
const FOREIGN = ['TXT _foreign.shop.example.net = "v=someone-else"', 'TXT example.net = "v=spf1 -all"'];

beforeAll(async () => {
  ctx = await newTestContext('eps-txt-record');
  provider = account(ctx.accountId, ctx.awsClientConfig);
  route53 = route53For(process.env.AWS_ENDPOINT_URL!, ctx.accountId);
  zoneId = await createZone(route53, 'example.net');
  await upsertTxt(route53, zoneId, '_foreign.shop.example.net', 'v=someone-else');
  await upsertTxt(route53, zoneId, 'example.net', 'v=spf1 -all');
  nlb = await createNlb(provider.elbv2, await createNetwork(provider.ec2, 1));
  controller = await startController(ctx, { dnsVerificationRetryMs: 1_000 });
});

afterAll(async () => {
  await controller.stop();
  route53.destroy();
  provider.destroy();
  await ctx.cleanup();
});

/** `TXT <name>.<domain> = "<value>"` for the record status says AWS asks for. */
function ourRecord(obj: EndpointService, domain: string): string {
  const { name, value } = obj.status!.privateDnsNameConfiguration!;
  return `TXT ${name!}.${domain} = "${value!}"`;
}

const verifiedAs = (domain: string) => (o: EndpointService) =>
  condition(o, 'PrivateDnsNameVerified')?.[0] === 'True' &&
  o.status?.publishedTxtRecords?.[0]?.name.endsWith(`.${domain}`) === true;

const route53Calls = (): number =>
  ['GetHostedZone', 'ListResourceRecordSets', 'ChangeResourceRecordSets']
    .map((op) => controller.calls(op))
    .reduce((a, b) => a + b, 0);

describe('an object with a zone', () => {
  it('publishes the TXT record AWS asks for, starts verification, and reports the name verified', async () => {
    await applyEndpointService(ctx, 'shop', {
      networkLoadBalancerArns: [nlb],
      acceptanceRequired: false,
      privateDnsName: 'shop.example.net',
      privateDnsHostedZoneId: zoneId,
    });
    const obj = await waitForObject(ctx, 'shop', 'verified', verifiedAs('shop.example.net'));
    const { name, value } = obj.status!.privateDnsNameConfiguration!;
    expect(obj.status!.privateDnsNameConfiguration!.state).toBe('verified');
    expect(condition(obj, 'PrivateDnsNameVerified')).toEqual(['True', 'Verified']);
    expect(obj.status!.publishedTxtRecords).toEqual([
      { hostedZoneId: zoneId, name: `${name!}.shop.example.net`, value: value! },
    ]);
    expect(await recordSets(route53, zoneId)).toEqual(
      [...FOREIGN, ourRecord(obj, 'shop.example.net')].sort(),
    );
    await waitForEvent(ctx, 'shop', 'TxtRecordPublished', `${name!}.shop.example.net`, zoneId);
    await waitForEvent(ctx, 'shop', 'PrivateDnsVerified', 'shop.example.net');
    expect(controller.calls('ChangeResourceRecordSets')).toBe(1);
    expect(controller.calls('StartVpcEndpointServicePrivateDnsVerification')).toBeGreaterThanOrEqual(1);
  });

  it('makes no Route 53 call for a verified name whose record it published', async () => {
    const before = route53Calls();
    await patchSpec(ctx, 'shop', { tags: { team: 'shop' } });
    await waitForObject(ctx, 'shop', 'generation 2 seen', (o) => o.status?.observedGeneration === 2);
    expect(route53Calls()).toBe(before);
  });

  it('on a new name publishes the new record and removes the old one', async () => {
    const old = (await getEndpointService(ctx, 'shop'))!;
    const oldRecord = ourRecord(old, 'shop.example.net');
    await patchSpec(ctx, 'shop', { privateDnsName: 'shop2.example.net' });
    const obj = await waitForObject(ctx, 'shop', 'new name verified', verifiedAs('shop2.example.net'));
    expect(obj.status!.publishedTxtRecords).toHaveLength(1);
    const sets = await recordSets(route53, zoneId);
    expect(sets).toEqual([...FOREIGN, ourRecord(obj, 'shop2.example.net')].sort());
    expect(sets).not.toContain(oldRecord);
    const removed = await waitForEvent(
      ctx,
      'shop',
      'TxtRecordRemoved',
      old.status!.publishedTxtRecords![0]!.name,
    );
    expect(removed.type).toBe('Normal');
    await waitForEvent(ctx, 'shop', 'TxtRecordPublished', obj.status!.publishedTxtRecords![0]!.name);
  });

  it('without the zone removes its record; with it again publishes it again', async () => {
    const before = (await getEndpointService(ctx, 'shop'))!;
    const published = ourRecord(before, 'shop2.example.net');
    await patchSpec(ctx, 'shop', { privateDnsHostedZoneId: null as unknown as undefined });
    const bare = await waitForObject(
      ctx,
      'shop',
      'record dropped',
      (o) => o.status?.publishedTxtRecords === undefined,
    );
    expect(condition(bare, 'PrivateDnsNameVerified')).toEqual(['True', 'Verified']);
    expect(await recordSets(route53, zoneId)).toEqual(FOREIGN);

    await patchSpec(ctx, 'shop', { privateDnsHostedZoneId: zoneId });
    await waitForObject(
      ctx,
      'shop',
      'record recorded again',
      (o) => o.status?.publishedTxtRecords?.length === 1,
    );
    expect(await recordSets(route53, zoneId)).toEqual([...FOREIGN, published].sort());
  });

  it('removes its record on deletion, nothing else', async () => {
    await ctx.kubectl(['delete', '-n', ctx.namespace, 'endpointservice', 'shop', '--wait=false']);
    await eventually('shop deleted', async () =>
      (await getEndpointService(ctx, 'shop')) ? undefined : true,
    );
    expect(await recordSets(route53, zoneId)).toEqual(FOREIGN);
  });

  it('leaves its record with deletionPolicy Retain', async () => {
    await applyEndpointService(ctx, 'keep', {
      networkLoadBalancerArns: [nlb],
      acceptanceRequired: false,
      privateDnsName: 'keep.example.net',
      privateDnsHostedZoneId: zoneId,
      deletionPolicy: 'Retain',
    });
    const obj = await waitForObject(ctx, 'keep', 'verified', verifiedAs('keep.example.net'));
    await ctx.kubectl(['delete', '-n', ctx.namespace, 'endpointservice', 'keep', '--wait=false']);
    await eventually('keep deleted', async () =>
      (await getEndpointService(ctx, 'keep')) ? undefined : true,
    );
    expect(await recordSets(route53, zoneId)).toEqual(
      [...FOREIGN, ourRecord(obj, 'keep.example.net')].sort(),
    );
  });
});

describe('refusals: nothing in the zone changes', () => {
  it('a name holding a foreign value: TxtRecordConflict, the value left as it is', async () => {
    await applyEndpointService(ctx, 'clash', {
      networkLoadBalancerArns: [nlb],
      acceptanceRequired: false,
      privateDnsName: 'clash.example.net',
    });
    const named = await waitForObject(
      ctx,
      'clash',
      'record named',
      (o) => !!o.status?.privateDnsNameConfiguration?.name,
    );
    const fqdn = `${named.status!.privateDnsNameConfiguration!.name!}.clash.example.net`;
    await upsertTxt(route53, zoneId, fqdn, 'v=mine');
    const before = await recordSets(route53, zoneId);

    await patchSpec(ctx, 'clash', { privateDnsHostedZoneId: zoneId });
    const obj = await waitForObject(
      ctx,
      'clash',
      'conflict reported',
      (o) => condition(o, 'PrivateDnsNameVerified')?.[1] === 'TxtRecordConflict',
    );
    expect(condition(obj, 'PrivateDnsNameVerified')?.[0]).toBe('False');
    expect(condition(obj, 'Ready')?.[0]).toBe('True');
    expect(obj.status?.publishedTxtRecords).toBeUndefined();
    const warning = await waitForEvent(ctx, 'clash', 'TxtRecordConflict', fqdn, 'v=mine');
    expect(warning.type).toBe('Warning');
    expect(await recordSets(route53, zoneId)).toEqual(before);
  });

  it.each([
    ['a zone of another domain', 'other', 'shop.other.org', () => zoneId, 'HostedZoneMismatch'],
    ['an unknown zone', 'nozone', 'nozone.example.net', () => 'Z0000NOSUCHZONE', 'NoSuchHostedZone'],
  ])('%s: %s', async (_, name, domain, zone, reason) => {
    const before = await recordSets(route53, zoneId);
    await applyEndpointService(ctx, name, {
      networkLoadBalancerArns: [nlb],
      acceptanceRequired: false,
      privateDnsName: domain,
      privateDnsHostedZoneId: zone(),
    });
    const obj = await waitForObject(
      ctx,
      name,
      reason,
      (o) => condition(o, 'PrivateDnsNameVerified')?.[1] === reason,
    );
    expect(obj.status?.publishedTxtRecords).toBeUndefined();
    expect(condition(obj, 'ServiceAvailable')?.[0]).toBe('True');
    expect((await eventsFor(ctx, name)).some((e) => e.type === 'Warning' && e.reason === reason)).toBe(true);
    expect(await recordSets(route53, zoneId)).toEqual(before);
  });
});

it('in dry run publishes nothing, and says what it would publish', async () => {
  await applyEndpointService(ctx, 'dry', {
    networkLoadBalancerArns: [nlb],
    acceptanceRequired: false,
    privateDnsName: 'dry.example.net',
  });
  const named = await waitForObject(
    ctx,
    'dry',
    'record named',
    (o) => !!o.status?.privateDnsNameConfiguration?.name,
  );
  const before = await recordSets(route53, zoneId);
  await controller.stop();
  const dry = await startController(ctx, { dryRun: true });
  try {
    await patchSpec(ctx, 'dry', { privateDnsHostedZoneId: zoneId });
    const fqdn = `${named.status!.privateDnsNameConfiguration!.name!}.dry.example.net`;
    await waitForEvent(ctx, 'dry', 'DryRun', `would publish TXT ${fqdn}`);
    expect(dry.calls('ChangeResourceRecordSets')).toBe(0);
    expect(await recordSets(route53, zoneId)).toEqual(before);
  } finally {
    await dry.stop();
    controller = await startController(ctx, { dnsVerificationRetryMs: 1_000 });
  }
});
