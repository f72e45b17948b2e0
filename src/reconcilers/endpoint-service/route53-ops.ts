/**
 * Thin wrappers over the Route 53 calls the verification TXT record needs. Each translates
 * SDK shapes to the planner's plain types (txt-record.ts); no decisions are made here.
 */
import {
  ChangeResourceRecordSetsCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import type { PublishedTxtRecord } from '../../api/v1alpha1.ts';
import { classifyAwsError, isNotFound } from '../../aws/errors.ts';
import {
  normalizeName,
  quoteTxt,
  unquoteTxt,
  type ObservedRecordSet,
  type ObservedZone,
} from './txt-record.ts';

/** TTL of a published record: short, so a corrected record is seen soon. */
export const TXT_TTL_SECONDS = 300;

/** GetHostedZone: the zone's name and whether it is private. */
export async function getHostedZone(route53: Route53Client, hostedZoneId: string): Promise<ObservedZone> {
  const out = await route53.send(new GetHostedZoneCommand({ Id: hostedZoneId }));
  return {
    name: normalizeName(out.HostedZone?.Name ?? ''),
    privateZone: out.HostedZone?.Config?.PrivateZone ?? false,
  };
}

/**
 * The TXT record set at `name`, or undefined when there is none. ListResourceRecordSets
 * starts at the name and type asked for, so the first answer is it when it exists.
 */
export async function readTxtRecordSet(
  route53: Route53Client,
  hostedZoneId: string,
  name: string,
): Promise<ObservedRecordSet | undefined> {
  const out = await route53.send(
    new ListResourceRecordSetsCommand({
      HostedZoneId: hostedZoneId,
      StartRecordName: name,
      StartRecordType: 'TXT',
      MaxItems: 1,
    }),
  );
  const found = out.ResourceRecordSets?.[0];
  if (!found?.Name || normalizeName(found.Name) !== normalizeName(name) || found.Type !== 'TXT')
    return undefined;
  return { ttl: found.TTL, values: (found.ResourceRecords ?? []).map((r) => unquoteTxt(r.Value ?? '')) };
}

/** UPSERT of the record with its one value. */
export async function upsertTxtRecord(route53: Route53Client, record: PublishedTxtRecord): Promise<void> {
  await changeTxtRecord(route53, 'UPSERT', record, TXT_TTL_SECONDS);
}

/**
 * DELETE of the record exactly as found (Route 53 deletes only an exact match, so a value
 * someone changed in between makes it refuse, not delete theirs). Gone counts as done.
 */
export async function deleteTxtRecord(
  route53: Route53Client,
  record: PublishedTxtRecord,
  ttl: number | undefined,
): Promise<void> {
  try {
    await changeTxtRecord(route53, 'DELETE', record, ttl);
  } catch (err) {
    if (isNotFound(err) || isRecordNotFound(err)) return;
    throw err;
  }
}

async function changeTxtRecord(
  route53: Route53Client,
  action: 'UPSERT' | 'DELETE',
  record: PublishedTxtRecord,
  ttl: number | undefined,
): Promise<void> {
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: record.hostedZoneId,
      ChangeBatch: {
        Comment: 'privatelink-publisher: endpoint service private DNS verification',
        Changes: [
          {
            Action: action,
            ResourceRecordSet: {
              Name: record.name,
              Type: 'TXT',
              TTL: ttl,
              ResourceRecords: [{ Value: quoteTxt(record.value) }],
            },
          },
        ],
      },
    }),
  );
}

/** Route 53's answer to deleting a record set that is not there: InvalidChangeBatch "… not found". */
function isRecordNotFound(err: unknown): boolean {
  const { code, message } = classifyAwsError(err);
  return code === 'InvalidChangeBatch' && /not found/i.test(message);
}
