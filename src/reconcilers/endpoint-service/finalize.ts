/**
 * Deletion of an EndpointService: `Retain` (the default for an adopted service) lets go and
 * leaves AWS as it is — an adopted service without the ownership tags; `Delete` rejects
 * the remaining connections, deletes every owned service (NotFound counts as done) and the
 * verification TXT records it published, and only then removes the finalizer.
 */
import { ENDPOINT_SERVICE, FINALIZER, TAG_KEYS } from '../../api/kinds.ts';
import type { ReconcileResult } from '../../controller/types.ts';
import { deletionPolicyOf } from '../deletion-policy.ts';
import * as ops from './aws-ops.ts';
import { describeFailure, RetryableError } from './failure.ts';
import { connectionsToRejectOnDelete } from './plan.ts';
import type { ObjectSession, Session } from './session.ts';
import { findService } from './sync-service.ts';
import { ownedTxtRecords, removeTxtRecords } from './sync-txt-record.ts';

const OWNERSHIP_KEYS = [TAG_KEYS.cluster, TAG_KEYS.owner, TAG_KEYS.uid];

/**
 * Cleans up and removes the finalizer.
 * @throws RetryableError while AWS refuses (never terminal: only a retry can finish a deletion).
 */
export async function finalize(s: Session): Promise<ReconcileResult | undefined> {
  if (!s.obj.metadata?.finalizers?.includes(FINALIZER)) return undefined;
  if (deletionPolicyOf(s.obj.spec) === 'Retain') {
    if (s.obj.spec.adopt) await disown(s);
    return release(s);
  }
  try {
    await deleteOwnedServices(s);
    // The verification records go with the service they verified.
    await removeTxtRecords(s, ownedTxtRecords(s));
    if (!s.dryRun) await s.deps.rt.finalizers.remove(ENDPOINT_SERVICE, s.obj, FINALIZER);
    return undefined;
  } catch (err) {
    const failure = describeFailure(err);
    const message = `${failure.reason}: ${failure.message}`;
    s.report.notReady = { reason: 'DeletionBlocked', message };
    await s.writeStatus(true);
    s.event('Warning', 'DeletionBlocked', 'Delete', message);
    throw err instanceof RetryableError ? err : new RetryableError('DeletionBlocked', message);
  }
}

/** `Retain`: let go of the object, leave AWS as it is. */
export async function release(s: ObjectSession): Promise<undefined> {
  if (s.skip('Retain', 'release the endpoint service')) return undefined;
  const what = s.obj.status?.serviceId ?? 'the endpoint service';
  s.event('Normal', 'Retained', 'Delete', `left ${what} in AWS (deletionPolicy Retain)`);
  await s.deps.rt.finalizers.remove(ENDPOINT_SERVICE, s.obj, FINALIZER);
  return undefined;
}

/**
 * An adopted service kept on deletion goes back to how it was found: unowned (the ownership
 * tags removed; the rest of the spec, applied in place, stays).
 */
async function disown(s: Session): Promise<void> {
  const { service, extras } = await findService(s);
  for (const { serviceId } of service ? [service, ...extras] : extras) {
    if (s.skip('Disown', `remove the ownership tags from ${serviceId}`)) continue;
    await ops.untagResource(s.ec2, serviceId, OWNERSHIP_KEYS);
    s.event('Normal', 'Disowned', 'Delete', `removed the ownership tags from ${serviceId}`);
  }
}

/** The owned service and any duplicates carrying its tags. */
async function deleteOwnedServices(s: Session): Promise<void> {
  const { service, extras } = await findService(s);
  for (const { serviceId } of service ? [service, ...extras] : extras) {
    if (!s.skip('Delete', `delete ${serviceId}`)) await deleteService(s, serviceId);
  }
}

async function deleteService(s: Session, serviceId: string): Promise<void> {
  await rejectRemaining(s, serviceId);
  const refusal = await ops.deleteService(s.ec2, serviceId);
  if (refusal)
    throw new RetryableError(
      'DeletionBlocked',
      `AWS refused to delete ${serviceId}: ${refusal.code}: ${refusal.message}`,
    );
  s.log.info({ serviceId }, 'endpoint service deleted');
  s.event('Normal', 'ServiceDeleted', 'Delete', `deleted ${serviceId}`);
}

/** Live connections are rejected first: AWS refuses to delete a service that still has them. */
async function rejectRemaining(s: Session, serviceId: string): Promise<void> {
  const reject = connectionsToRejectOnDelete(await ops.describeConnections(s.ec2, serviceId));
  if (reject.length === 0) return;
  const refused = await ops.rejectConnections(s.ec2, serviceId, reject);
  const rejected = reject.filter((id) => !refused.some((r) => r.id === id));
  if (rejected.length > 0)
    s.event(
      'Normal',
      'ConnectionRejected',
      'Delete',
      `rejected ${rejected.join(', ')}: the service is being deleted`,
    );
}
