/** Per-object dry run: the annotation that keeps the controller from changing anything for one object. */
import { DRY_RUN_ANNOTATION } from '../api/kinds.ts';

/** Whether the object asks for dry-run mode (annotation value exactly `"true"`). */
export function objectDryRun(obj: { metadata?: { annotations?: Record<string, string> } }): boolean {
  return obj.metadata?.annotations?.[DRY_RUN_ANNOTATION] === 'true';
}
