/**
 * The private DNS name's domain verification: its TXT record published first when the spec
 * names a hosted zone (sync-txt-record.ts), verification started when due (private-dns.ts
 * decides), its state reported as PrivateDnsNameVerified with an Event when that changes.
 */
import { ENDPOINT_SERVICE_CONDITIONS as C } from '../../api/kinds.ts';
import type { ConditionInput } from '../../controller/conditions.ts';
import * as ops from './aws-ops.ts';
import type { ObservedService } from './plan.ts';
import {
  privateDnsCondition,
  shouldStartVerification,
  txtRecord,
  verificationEvent,
  type VerificationStart,
} from './private-dns.ts';
import type { Session } from './session.ts';
import { ownedTxtRecords, syncTxtRecords } from './sync-txt-record.ts';
import { desiredTxtRecord, route53Due } from './txt-record.ts';

/** The service after the step, and PrivateDnsNameVerified (null: the service has no name). */
export interface PrivateDnsOutcome {
  service: ObservedService;
  condition: Omit<ConditionInput, 'type'> | null;
}

/**
 * With a hosted zone in the spec, publishes the TXT record AWS asks for (and removes the ones
 * no longer wanted) first; then starts domain verification of the private DNS name when it is
 * due, and reports its state.
 */
export async function syncPrivateDns(s: Session, service: ObservedService): Promise<PrivateDnsOutcome> {
  const { dnsStarts, opts } = s.deps;
  const last = dnsStarts.get(s.uid);
  const due = shouldStartVerification(service, last, s.now(), opts.dnsVerificationRetryMs);
  const record = desiredTxtRecord(s.obj.spec.privateDnsHostedZoneId, service);
  if (route53Due(ownedTxtRecords(s), record, due)) await syncTxtRecords(s, record);
  if (!service.privateDnsName) {
    dnsStarts.delete(s.uid);
    return { service, condition: null };
  }
  const current = due ? await startVerification(s, service, last) : service;
  const condition = privateDnsCondition(current, opts.dnsVerificationRetryMs, record) ?? null;
  if (condition) announce(s, condition);
  return { service: current, condition };
}

/** An Event when the condition's reason moved (verificationEvent decides which). */
function announce(s: Session, condition: Omit<ConditionInput, 'type'>): void {
  const previous = s.obj.status?.conditions?.find((c) => c.type === C.privateDnsNameVerified);
  const event = verificationEvent(previous?.reason, condition);
  if (event) s.event(event.type, event.reason, 'Verify', condition.message);
}

/** @returns the service as AWS shows it after the start (unchanged in dry run). */
async function startVerification(
  s: Session,
  service: ObservedService,
  last: VerificationStart | undefined,
): Promise<ObservedService> {
  const name = service.privateDnsName ?? '';
  if (s.skip('Verify', `start domain verification of ${name}`)) return service;
  await ops.startPrivateDnsVerification(s.ec2, service.serviceId);
  s.deps.dnsStarts.set(s.uid, { name, at: s.now() });
  s.log.info({ serviceId: service.serviceId, name }, 'private DNS verification started');
  // Once per name; the retries are logged only.
  if (last?.name !== name) {
    const record = txtRecord(service) ?? 'the TXT record in status.privateDnsNameConfiguration';
    s.event(
      'Normal',
      'PrivateDnsVerificationStarted',
      'Verify',
      `asked AWS to verify ${name}; it looks for ${record}`,
    );
  }
  return (await ops.describeService(s.ec2, service.serviceId)) ?? service;
}
