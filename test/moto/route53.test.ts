/**
 * Extension 11: hosted zone ids start with Z; ChangeResourceRecordSets DELETE removes a record set only when named exactly
 * as it is, refuses otherwise with AWS's InvalidChangeBatch messages, and checks the whole
 * batch before changing anything. Also pins what moto itself does right for the controller:
 * TXT values kept quoted, UPSERT replacing, ListResourceRecordSets starting at a name.
 */
import { jest } from '@jest/globals';
import {
  ChangeResourceRecordSetsCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  type Change,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import type { MotoServer } from '../env/moto/server.ts';
import { createZone, recordSets, route53For, upsertTxt } from '../env/route53.ts';
import { randomAccountId, startTestMoto } from './helpers.ts';

jest.setTimeout(60_000);

let moto: MotoServer;
let route53: Route53Client;

beforeAll(async () => {
  moto = await startTestMoto('route53');
  route53 = route53For(moto.url, randomAccountId());
});

afterAll(async () => {
  route53.destroy();
  await moto.process.stop();
});

const txt = (action: Change['Action'], name: string, ttl: number, ...values: string[]): Change => ({
  Action: action,
  ResourceRecordSet: {
    Name: name,
    Type: 'TXT',
    TTL: ttl,
    ResourceRecords: values.map((v) => ({ Value: `"${v}"` })),
  },
});

async function change(zoneId: string, ...changes: Change[]): Promise<void> {
  await route53.send(
    new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } }),
  );
}

/** The rejection's code and message, or 'resolved'. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    const e = err as { name?: string; message?: string };
    return `${e.name ?? ''}: ${e.message ?? ''}`;
  }
}

it('zone ids start with Z; TXT values stay quoted, UPSERT replaces, and listing starts at the name asked for', async () => {
  const zoneId = await createZone(route53, 'list.example.net');
  expect(zoneId).toMatch(/^Z[A-Z0-9]{21}$/);
  const zone = await route53.send(new GetHostedZoneCommand({ Id: zoneId }));
  expect([zone.HostedZone!.Name, zone.HostedZone!.Config?.PrivateZone]).toEqual(['list.example.net.', false]);
  await upsertTxt(route53, zoneId, '_a.list.example.net', 'one');
  await upsertTxt(route53, zoneId, '_b.list.example.net', 'two');
  await upsertTxt(route53, zoneId, '_a.list.example.net', 'vpce:new');
  expect(await recordSets(route53, zoneId)).toEqual([
    'TXT _a.list.example.net = "vpce:new"',
    'TXT _b.list.example.net = "two"',
  ]);
  const from = await route53.send(
    new ListResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      StartRecordName: '_b.list.example.net',
      StartRecordType: 'TXT',
      MaxItems: 1,
    }),
  );
  expect(from.ResourceRecordSets!.map((r) => [r.Name, r.Type, r.TTL])).toEqual([
    ['_b.list.example.net.', 'TXT', 300],
  ]);
});

it('DELETE removes only an exact match and says why it refuses', async () => {
  const zoneId = await createZone(route53, 'del.example.net');
  await upsertTxt(route53, zoneId, '_a.del.example.net', 'theirs');
  await upsertTxt(route53, zoneId, '_keep.del.example.net', 'other');

  // Once ours, now someone else's value: the old value no longer deletes it.
  await change(zoneId, txt('UPSERT', '_b.del.example.net', 300, 'ours'));
  await change(zoneId, txt('UPSERT', '_b.del.example.net', 300, 'theirs now'));
  expect(await refusal(change(zoneId, txt('DELETE', '_b.del.example.net', 300, 'ours')))).toBe(
    "InvalidChangeBatch: Tried to delete resource record set [name='_b.del.example.net.', type='TXT'] but the values provided do not match the current values",
  );
  expect(await refusal(change(zoneId, txt('DELETE', '_a.del.example.net', 60, 'theirs')))).toMatch(
    /^InvalidChangeBatch: .*do not match/,
  );
  expect(await refusal(change(zoneId, txt('DELETE', '_none.del.example.net', 300, 'x')))).toBe(
    "InvalidChangeBatch: Tried to delete resource record set [name='_none.del.example.net.', type='TXT'] but it was not found",
  );

  await change(zoneId, txt('DELETE', '_a.del.example.net', 300, 'theirs'));
  expect(await recordSets(route53, zoneId)).toEqual([
    'TXT _b.del.example.net = "theirs now"',
    'TXT _keep.del.example.net = "other"',
  ]);
  expect(await refusal(change(zoneId, txt('DELETE', '_a.del.example.net', 300, 'theirs')))).toMatch(
    /not found$/,
  );
});

it('checks the whole batch first: a refused DELETE leaves its UPSERT undone', async () => {
  const zoneId = await createZone(route53, 'batch.example.net');
  const batch = change(
    zoneId,
    txt('UPSERT', '_new.batch.example.net', 300, 'vpce:new'),
    txt('DELETE', '_old.batch.example.net', 300, 'vpce:old'),
  );
  expect(await refusal(batch)).toMatch(/^InvalidChangeBatch: .*not found$/);
  expect(await recordSets(route53, zoneId)).toEqual([]);
});
