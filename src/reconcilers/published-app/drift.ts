/**
 * What counts as drift: a difference between AWS and the spec found while the spec has not
 * changed since that aspect was last reported in sync (or reported drifted and not yet put
 * back). Everything else (first creation, a
 * spec change, recovery from an error) is an ordinary update. Pure.
 */
import type { Condition } from '../../controller/types.ts';

export type ChangeKind = 'none' | 'drift' | 'update';

/**
 * @param differences what the planner found different in AWS
 * @param previous the aspect's condition as last written
 * @param generation the object's current metadata.generation
 */
export function classifyChange(
  differences: readonly string[],
  previous: Condition | undefined,
  generation: number | undefined,
): ChangeKind {
  if (differences.length === 0) return 'none';
  if (previous === undefined || previous.observedGeneration !== generation) return 'update';
  const wasSynced = previous.status === 'True';
  const stillDrifted = previous.reason === 'Drifted';
  return wasSynced || stillDrifted ? 'drift' : 'update';
}
