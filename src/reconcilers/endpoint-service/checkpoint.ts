/**
 * Checkpoints: what the last full check of an object found, so the connection polls between
 * full checks read only connections. Pure: whether a checkpoint still stands.
 */
import type { ObservedService } from './plan.ts';

/** What the last full check of an object found. */
export interface Checkpoint {
  uid: string | undefined;
  generation: number | undefined;
  /** When the full check ran (ms since the epoch). */
  at: number;
  service: ObservedService;
}

/** The parts of an object a checkpoint is judged against. */
export interface CheckedObject {
  uid: string | undefined;
  generation: number | undefined;
  /** The service id status records. */
  recordedServiceId: string | undefined;
}

/**
 * Whether `cp` still stands for `obj` at `now`: taken of this object (UID) at this generation,
 * of the service status still records, and less than `intervalMs` ago.
 */
export function checkpointStands(
  cp: Checkpoint | undefined,
  obj: CheckedObject,
  now: number,
  intervalMs: number,
): cp is Checkpoint {
  if (!cp || cp.uid !== obj.uid || cp.generation !== obj.generation) return false;
  return cp.service.serviceId === obj.recordedServiceId && now - cp.at < intervalMs;
}
