/**
 * StatusWriter: patches the `/status` subresource only when the wanted status differs from
 * the freshest status this process knows — the informer cache, or our own last write while the
 * cache still shows the version it was written over — so a reconcile that changes nothing
 * makes no write and no resourceVersion churn, even right after a write.
 */
import type { Logger } from 'pino';
import { jsonEqual, mergePatch, toJson, type Json } from './json.ts';
import { MERGE_PATCH, objectPath, type KubeClient } from './kube-client.ts';
import { Sweeper } from './sweeper.ts';
import type { KubeObject, ObjectCache, ObjectKey, ResourceKind, StatusWriter } from './types.ts';

/** Which object a status belongs to, and the key our last write to it is remembered by. */
function statusKey(kind: ResourceKind, obj: KubeObject): { key: string; namespace: string; name: string } {
  const namespace = obj.metadata?.namespace ?? '';
  const name = obj.metadata?.name ?? '';
  return { key: `${kind.plural}.${kind.group}/${namespace}/${name}`, namespace, name };
}

export class CachedStatusWriter implements StatusWriter {
  private readonly client: KubeClient;
  private readonly cacheFor: (
    kind: ResourceKind,
  ) => ObjectCache<KubeObject & { status?: object }> | undefined;
  private readonly log: Logger;
  /** Last status written per object, with the resourceVersion it was written over. */
  private readonly written = new Map<
    string,
    { kind: ResourceKind; key: ObjectKey; fromRv: string; status: Json }
  >();
  /**
   * A write is needed only until the watch delivers it (usually within a second); without a
   * sweep it would stay until the object's next reconcile, one status copy per object.
   */
  private readonly sweeper: Sweeper;

  /** @param sweepMs how often writes the cache has caught up with are forgotten. */
  constructor(
    client: KubeClient,
    cacheFor: (kind: ResourceKind) => ObjectCache<KubeObject & { status?: object }> | undefined,
    log: Logger,
    sweepMs = 30_000,
  ) {
    this.client = client;
    this.cacheFor = cacheFor;
    this.log = log;
    this.sweeper = new Sweeper(sweepMs, () => this.forgetDelivered());
  }

  /** Writes not yet seen in the cache: `memo_entries{memo="status_writes_pending"}`. */
  get pendingWrites(): number {
    return this.written.size;
  }

  async update<T extends KubeObject & { status?: object }>(
    kind: ResourceKind,
    obj: T,
    status: NonNullable<T['status']>,
  ): Promise<boolean> {
    const { key, namespace, name, rv, current } = this.freshest(kind, obj);
    const wanted = toJson(status);
    if (jsonEqual(current, wanted)) return false;
    // Diff against the current status so removed fields are nulled (a merge patch keeps them otherwise).
    const patch = mergePatch(current, wanted);
    await this.client.request('PATCH', `${objectPath(kind, namespace, name)}/status`, {
      body: { status: patch },
      contentType: MERGE_PATCH,
    });
    if (rv !== undefined) {
      this.written.set(key, { kind, key: { namespace, name }, fromRv: rv, status: wanted });
      this.sweeper.poke();
    }
    this.log.debug({ kind: kind.kind, namespace, name }, 'status written');
    return true;
  }

  latest<T extends KubeObject & { status?: object }>(kind: ResourceKind, obj: T): T['status'] {
    // The JSON form of a status is its wire form: the same shape the cache holds.
    return this.freshest(kind, obj).current as T['status'];
  }

  /** Forgets the writes whose object the cache holds at another version (or no more). */
  private forgetDelivered(): number {
    for (const [id, { kind, key, fromRv }] of this.written) {
      if (this.cacheFor(kind)?.get(key)?.metadata?.resourceVersion !== fromRv) this.written.delete(id);
    }
    return this.written.size;
  }

  /** The freshest status known for `obj`, and the resourceVersion of the cached copy. */
  private freshest(kind: ResourceKind, obj: KubeObject & { status?: object }) {
    const { key, namespace, name } = statusKey(kind, obj);
    const cached = this.cacheFor(kind)?.get({ namespace, name }) ?? obj;
    const rv = cached.metadata?.resourceVersion;
    // Until the watch delivers our own last write, the cache shows the status from before it.
    const pending = this.written.get(key);
    if (pending !== undefined && pending.fromRv === rv)
      return { key, namespace, name, rv, current: pending.status };
    this.written.delete(key);
    return { key, namespace, name, rv, current: toJson(cached.status ?? {}) };
  }
}
