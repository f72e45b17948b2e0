/**
 * The private DNS name's verification TXT record in a Route 53 public hosted zone named by
 * `spec.privateDnsHostedZoneId`. Pure: which record is wanted, whether to publish it or refuse,
 * how to remove a record no longer wanted, and when Route 53 needs a look at all.
 *
 * Route 53 records carry no tags, so ownership is by value: the value AWS asks for is unique
 * to the service (`vpce:…`). A record set is ours when it holds exactly that one value; the
 * controller never overwrites a name holding anything else, and lists what it published in
 * `status.publishedTxtRecords` so it can remove it after the name or the zone changed.
 */
import type { PublishedTxtRecord } from '../../api/v1alpha1.ts';
import type { ObservedService } from './plan.ts';

/** A zone as GetHostedZone shows it (name without the trailing dot). */
export interface ObservedZone {
  name: string;
  privateZone: boolean;
}

/** The TXT record set at a name as ListResourceRecordSets shows it; values unquoted. */
export interface ObservedRecordSet {
  ttl: number | undefined;
  values: string[];
}

/** Why a record is not published (PrivateDnsNameVerified's reason). */
export type PublishRefusal = 'HostedZoneMismatch' | 'HostedZoneNotPublic' | 'TxtRecordConflict';

/** What to do about the wanted record: UPSERT it, nothing (it is in place), or refuse. */
export type PublishPlan =
  { action: 'upsert' | 'none' } | { action: 'refuse'; reason: PublishRefusal; message: string };

/** What to do about a record no longer wanted: DELETE it (exactly as it is), or just forget it. */
export type RemovalPlan = { action: 'delete'; ttl: number | undefined } | { action: 'forget'; why: string };

/** `example.net.` and `Example.NET` are the same DNS name. */
export function normalizeName(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

/** `<name>.<zone>` and the zone's apex are inside the zone. */
export function inZone(name: string, zone: string): boolean {
  const n = normalizeName(name);
  const z = normalizeName(zone);
  return n === z || n.endsWith(`.${z}`);
}

/**
 * The record to publish: the one AWS asks for on the service, in the spec's zone; undefined
 * without a zone, a private DNS name, or the record (AWS has not named it yet).
 */
export function desiredTxtRecord(
  hostedZoneId: string | undefined,
  service: ObservedService,
): PublishedTxtRecord | undefined {
  const c = service.privateDnsNameConfiguration;
  if (!hostedZoneId || !service.privateDnsName || !c?.name || !c.value) return undefined;
  return { hostedZoneId, name: normalizeName(`${c.name}.${service.privateDnsName}`), value: c.value };
}

/** Whether two records are the same record (zone, name, value). */
export function sameRecord(a: PublishedTxtRecord, b: PublishedTxtRecord): boolean {
  return (
    a.hostedZoneId === b.hostedZoneId &&
    normalizeName(a.name) === normalizeName(b.name) &&
    a.value === b.value
  );
}

/** The owned records that are not the wanted one: to be removed. */
export function staleRecords(
  owned: readonly PublishedTxtRecord[],
  desired: PublishedTxtRecord | undefined,
): PublishedTxtRecord[] {
  return owned.filter((r) => !desired || !sameRecord(r, desired));
}

/**
 * Whether this pass needs Route 53: a record to remove, or a wanted record not yet recorded
 * as published, or (recorded) a verification about to start — checked first, since AWS will
 * look for it. A recorded record is otherwise not re-read: a verified name costs no call.
 */
export function route53Due(
  owned: readonly PublishedTxtRecord[],
  desired: PublishedTxtRecord | undefined,
  verificationDue: boolean,
): boolean {
  if (staleRecords(owned, desired).length > 0) return true;
  if (!desired) return false;
  return verificationDue || !owned.some((r) => sameRecord(r, desired));
}

/**
 * Whether to UPSERT the wanted record: refused when the zone cannot hold or serve it (a name
 * outside the zone, a private zone: AWS verifies through public DNS) or the name holds
 * anything but our value; nothing to do when it holds exactly our value.
 */
export function planPublish(
  record: PublishedTxtRecord,
  zone: ObservedZone,
  current: ObservedRecordSet | undefined,
): PublishPlan {
  if (!inZone(record.name, zone.name))
    return refuse('HostedZoneMismatch', `${record.name} is not inside hosted zone ${zone.name}`, record);
  if (zone.privateZone)
    return refuse(
      'HostedZoneNotPublic',
      `${zone.name} is a private zone; AWS verifies ${record.name} through public DNS`,
      record,
    );
  if (!current) return { action: 'upsert' };
  if (current.values.length === 1 && current.values[0] === record.value) return { action: 'none' };
  const found = current.values.map((v) => `"${v}"`).join(' ');
  return refuse('TxtRecordConflict', `${record.name} already holds TXT ${found}; left untouched`, record);
}

/**
 * How to remove a record the controller published: DELETE it while it holds exactly our
 * value (Route 53 deletes only an exact match, so the TTL found is sent back); forget it
 * when it is gone or someone else changed it (then it is theirs).
 */
export function planRemoval(record: PublishedTxtRecord, current: ObservedRecordSet | undefined): RemovalPlan {
  if (!current) return { action: 'forget', why: 'already gone' };
  if (current.values.length === 1 && current.values[0] === record.value)
    return { action: 'delete', ttl: current.ttl };
  return { action: 'forget', why: 'it no longer holds only our value' };
}

/** A TXT value as Route 53 stores it: one quoted string (`"vpce:…"`). */
export function quoteTxt(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** A Route 53 TXT value as text: its quoted strings joined, unescaped (`"a" "b"` → `ab`). */
export function unquoteTxt(raw: string): string {
  const parts = [...raw.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] ?? '').replace(/\\(.)/g, '$1'));
  return parts.length > 0 ? parts.join('') : raw;
}

function refuse(reason: PublishRefusal, message: string, record: PublishedTxtRecord): PublishPlan {
  return { action: 'refuse', reason, message: `not publishing TXT ${record.name}: ${message}` };
}
