/** The service's allowed principals, exactly as in the spec: missing ones added, extra ones removed. */
import * as ops from './aws-ops.ts';
import { describePrincipalChange, diffSets } from './plan.ts';
import type { Session } from './session.ts';

/** Brings the allowed principals of `serviceId` in line with `wanted`. */
export async function syncPrincipals(
  s: Session,
  serviceId: string,
  wanted: readonly string[],
): Promise<void> {
  const diff = diffSets(wanted, await ops.describeAllowedPrincipals(s.ec2, serviceId));
  if (diff.add.length + diff.remove.length === 0) return;
  const what = describePrincipalChange(diff);
  if (s.skip('UpdatePrincipals', what)) return;
  await ops.modifyAllowedPrincipals(s.ec2, serviceId, diff);
  s.log.info({ serviceId, add: diff.add, remove: diff.remove }, 'allowed principals updated');
  s.event('Normal', 'PrincipalsUpdated', 'UpdatePrincipals', what);
}
