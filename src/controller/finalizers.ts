/**
 * Finalizer add/remove as JSON merge patches carrying the object's resourceVersion, so a
 * concurrent writer makes the patch fail (409) instead of one side's finalizer list silently
 * winning. On conflict the object is re-read and the change retried a few times.
 */
import { isStatus, MERGE_PATCH, objectPath, type KubeClient } from './kube-client.ts';
import type { FinalizerManager, KubeObject, ResourceKind } from './types.ts';

const ATTEMPTS = 3;
const CONFLICT = Symbol('conflict');

export class PatchFinalizerManager implements FinalizerManager {
  private readonly client: KubeClient;

  constructor(client: KubeClient) {
    this.client = client;
  }

  async add<T extends KubeObject>(kind: ResourceKind, obj: T, finalizer: string): Promise<T> {
    const result = await this.change(kind, obj, (list) =>
      list.includes(finalizer) ? undefined : [...list, finalizer],
    );
    return result ?? obj;
  }

  async remove(kind: ResourceKind, obj: KubeObject, finalizer: string): Promise<void> {
    await this.change(kind, obj, (list) =>
      list.includes(finalizer) ? list.filter((f) => f !== finalizer) : undefined,
    );
  }

  private async read<T>(path: string): Promise<T | undefined> {
    try {
      return await this.client.request<T>('GET', path);
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  /** Applies `edit` (undefined = nothing to do); returns the stored object, or undefined if it is gone. */
  private async change<T extends KubeObject>(
    kind: ResourceKind,
    obj: T,
    edit: (finalizers: string[]) => string[] | undefined,
  ): Promise<T | undefined> {
    const meta = obj.metadata ?? {};
    const path = objectPath(kind, meta.namespace ?? '', meta.name ?? '');
    let current: T | undefined = obj;
    for (let attempt = 1; current !== undefined; attempt++) {
      const wanted = edit(current.metadata?.finalizers ?? []);
      if (wanted === undefined) return current;
      const stored = await this.patch(path, current, wanted, attempt >= ATTEMPTS);
      if (stored !== CONFLICT) return stored;
      current = await this.read<T>(path);
    }
    return undefined;
  }

  /**
   * Writes `finalizers` at `current`'s resourceVersion: the stored object, undefined if it is
   * gone, CONFLICT if it changed meanwhile and another attempt may follow.
   */
  private async patch<T extends KubeObject>(
    path: string,
    current: T,
    finalizers: string[],
    lastAttempt: boolean,
  ): Promise<T | undefined | typeof CONFLICT> {
    try {
      return await this.client.request<T>('PATCH', path, {
        body: { metadata: { resourceVersion: current.metadata?.resourceVersion, finalizers } },
        contentType: MERGE_PATCH,
      });
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      if (isStatus(err, 409) && !lastAttempt) return CONFLICT;
      throw err;
    }
  }
}
