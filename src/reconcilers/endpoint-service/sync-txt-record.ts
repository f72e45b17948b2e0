/**
 * The verification TXT record in Route 53 (spec.privateDnsHostedZoneId): the wanted record
 * published (UPSERT) unless the planner refuses, then every record the controller published
 * and no longer wants removed (DELETE of exactly what it published). What it owns is kept in
 * `status.publishedTxtRecords`, updated after each change so a failure part-way loses nothing.
 */
import type { PublishedTxtRecord } from '../../api/v1alpha1.ts';
import { unlessNotFound } from '../../aws/errors.ts';
import { TerminalError } from '../../controller/types.ts';
import * as r53 from './route53-ops.ts';
import type { Session } from './session.ts';
import { planPublish, planRemoval, sameRecord, staleRecords, type ObservedRecordSet } from './txt-record.ts';

/** What the object owns in Route 53: this pass's changes, else what status records. */
export function ownedTxtRecords(s: Session): readonly PublishedTxtRecord[] {
  return s.report.publishedTxtRecords ?? s.obj.status?.publishedTxtRecords ?? [];
}

/**
 * Publishes `desired` (when given) and removes the other owned records.
 * @throws TerminalError with the planner's reason (TxtRecordConflict, HostedZoneMismatch,
 * HostedZoneNotPublic) after the removals, when the wanted record cannot be published.
 */
export async function syncTxtRecords(s: Session, desired: PublishedTxtRecord | undefined): Promise<void> {
  s.phase = 'privateDns';
  const refusal = desired ? await publish(s, desired) : undefined;
  await removeTxtRecords(s, staleRecords(ownedTxtRecords(s), desired));
  if (refusal) throw new TerminalError(refusal.reason, refusal.message);
}

/** Removes these owned records (all of them on deletion); a record already gone counts as removed. */
export async function removeTxtRecords(s: Session, records: readonly PublishedTxtRecord[]): Promise<void> {
  for (const record of records) await remove(s, record);
}

/** @returns the refusal, or undefined when the record is in place (or a dry run would publish it). */
async function publish(
  s: Session,
  record: PublishedTxtRecord,
): Promise<{ reason: string; message: string } | undefined> {
  const zone = await r53.getHostedZone(s.route53, record.hostedZoneId);
  const current = await r53.readTxtRecordSet(s.route53, record.hostedZoneId, record.name);
  const plan = planPublish(record, zone, current);
  if (plan.action === 'refuse') return plan;
  const what = `TXT ${record.name} = "${record.value}" in hosted zone ${record.hostedZoneId}`;
  if (plan.action === 'upsert') {
    if (s.skip('PublishTxtRecord', `publish ${what}`)) return undefined;
    await r53.upsertTxtRecord(s.route53, record);
    s.log.info({ record }, 'verification TXT record published');
    s.event('Normal', 'TxtRecordPublished', 'PublishTxtRecord', `published ${what}`);
  }
  own(s, [...ownedTxtRecords(s).filter((r) => !sameRecord(r, record)), record]);
  return undefined;
}

async function remove(s: Session, record: PublishedTxtRecord): Promise<void> {
  const plan = planRemoval(record, await readOrGone(s, record));
  const what = `TXT ${record.name} = "${record.value}" from hosted zone ${record.hostedZoneId}`;
  if (plan.action === 'forget') {
    s.log.info({ record, why: plan.why }, 'verification TXT record no longer ours');
  } else {
    if (s.skip('RemoveTxtRecord', `remove ${what}`)) return;
    await r53.deleteTxtRecord(s.route53, record, plan.ttl);
    s.log.info({ record }, 'verification TXT record removed');
    s.event('Normal', 'TxtRecordRemoved', 'RemoveTxtRecord', `removed ${what}`);
  }
  own(
    s,
    ownedTxtRecords(s).filter((r) => !sameRecord(r, record)),
  );
}

/** The record set as it is; undefined too when its zone is gone (and the record with it). */
async function readOrGone(s: Session, record: PublishedTxtRecord): Promise<ObservedRecordSet | undefined> {
  return unlessNotFound(async () => {
    return await r53.readTxtRecordSet(s.route53, record.hostedZoneId, record.name);
  });
}

function own(s: Session, records: PublishedTxtRecord[]): void {
  s.report.publishedTxtRecords = records;
}
