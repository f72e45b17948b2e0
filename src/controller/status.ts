/**
 * StatusWriter: patches the `/status` subresource only when the wanted status differs from
 * the freshest status this process knows (the informer cache, or the object passed in), so a
 * reconcile that changes nothing makes no write and no resourceVersion churn.
 */
import type { Logger } from 'pino';
import { jsonEqual, mergePatch, toJson } from './json.ts';
import { MERGE_PATCH, objectPath, type KubeClient } from './kube-client.ts';
import type { KubeObject, ObjectCache, ResourceKind, StatusWriter } from './types.ts';

export class CachedStatusWriter implements StatusWriter {
  private readonly client: KubeClient;
  private readonly cacheFor: (
    kind: ResourceKind,
  ) => ObjectCache<KubeObject & { status?: object }> | undefined;
  private readonly log: Logger;

  constructor(
    client: KubeClient,
    cacheFor: (kind: ResourceKind) => ObjectCache<KubeObject & { status?: object }> | undefined,
    log: Logger,
  ) {
    this.client = client;
    this.cacheFor = cacheFor;
    this.log = log;
  }

  async update<T extends KubeObject & { status?: object }>(
    kind: ResourceKind,
    obj: T,
    status: NonNullable<T['status']>,
  ): Promise<boolean> {
    const namespace = obj.metadata?.namespace ?? '';
    const name = obj.metadata?.name ?? '';
    const cached = this.cacheFor(kind)?.get({ namespace, name });
    // The cached copy is at least as new as `obj` unless the object is gone from the cache.
    const current = toJson((cached ?? obj).status ?? {});
    const wanted = toJson(status);
    if (jsonEqual(current, wanted)) return false;
    // Diff against the current status so removed fields are nulled (a merge patch keeps them otherwise).
    const patch = mergePatch(current, wanted);
    await this.client.request('PATCH', `${objectPath(kind, namespace, name)}/status`, {
      body: { status: patch },
      contentType: MERGE_PATCH,
    });
    this.log.debug({ kind: kind.kind, namespace, name }, 'status written');
    return true;
  }
}
