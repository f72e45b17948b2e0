/**
 * Domain ownership verification of the service's private DNS name. AWS does not verify on its
 * own: the provider publishes a TXT record and then asks AWS to look for it
 * (StartVpcEndpointServicePrivateDnsVerification). The controller asks for the user while the
 * name is not verified — at most once per retry interval, since AWS cannot tell us when the
 * record appears — and reports the record to publish in a condition that Ready does not wait
 * for (the service works without its private name; consumers just cannot use the name yet).
 */
import type { PublishedTxtRecord } from '../../api/v1alpha1.ts';
import type { ConditionInput } from '../../controller/conditions.ts';
import type { ObservedService } from './plan.ts';

/** The last verification this controller started for an object. */
export interface VerificationStart {
  name: string;
  at: number;
}

/** The TXT record to publish, as `<name>.<domain> = "<value>"`, or undefined without one. */
export function txtRecord(service: ObservedService): string | undefined {
  const c = service.privateDnsNameConfiguration;
  if (!service.privateDnsName || !c?.name || !c.value) return undefined;
  return `${c.type ?? 'TXT'} ${c.name}.${service.privateDnsName} = "${c.value}"`;
}

/**
 * Whether to start a verification now: the name is pending or failed, and no start for this
 * name is more recent than `retryMs` (a new name starts at once).
 */
export function shouldStartVerification(
  service: ObservedService,
  last: VerificationStart | undefined,
  now: number,
  retryMs: number,
): boolean {
  const state = service.privateDnsNameConfiguration?.state;
  if (!service.privateDnsName || !state || state === 'verified') return false;
  return last?.name !== service.privateDnsName || now - last.at >= retryMs;
}

/**
 * The PrivateDnsNameVerified condition for the service, or undefined without a private DNS
 * name. `published`: the controller published the record (in that hosted zone), so the
 * message says so instead of asking the user to.
 */
export function privateDnsCondition(
  service: ObservedService,
  retryMs: number,
  published?: PublishedTxtRecord,
): Omit<ConditionInput, 'type'> | undefined {
  if (!service.privateDnsName) return undefined;
  const state = service.privateDnsNameConfiguration?.state ?? 'unknown';
  const record = txtRecord(service) ?? 'the TXT record AWS names';
  const every = `${Math.round(retryMs / 60_000)} min`;
  const where = published && `${record} is published in hosted zone ${published.hostedZoneId}`;
  switch (state) {
    case 'verified':
      return { status: 'True', reason: 'Verified', message: `${service.privateDnsName} is verified` };
    case 'failed':
      return {
        status: 'False',
        reason: 'VerificationFailed',
        message: where
          ? `AWS did not find it yet: ${where}; verification is retried every ${every}`
          : `AWS did not find ${record}; publish it — verification is retried every ${every}`,
      };
    default:
      return {
        status: 'False',
        reason: 'PendingVerification',
        message: `${where ?? `publish ${record}`}; verification is started every ${every} until it succeeds`,
      };
  }
}

/** The Event a change of PrivateDnsNameVerified deserves: failures warn, success is noted once. */
export function verificationEvent(
  previousReason: string | undefined,
  condition: Omit<ConditionInput, 'type'>,
): { type: 'Normal' | 'Warning'; reason: string } | undefined {
  if (previousReason === condition.reason) return undefined;
  if (condition.reason === 'VerificationFailed')
    return { type: 'Warning', reason: 'PrivateDnsVerificationFailed' };
  if (condition.reason === 'Verified') return { type: 'Normal', reason: 'PrivateDnsVerified' };
  return undefined;
}
