/**
 * ENI id → private IP, shared by every PublishedApp of one scope (account + region). An
 * ENI keeps its primary IP for life, so only ids never seen before are described: a resync
 * of unchanged endpoints makes no DescribeNetworkInterfaces call at all.
 */
export type DescribeEniIps = (eniIds: readonly string[]) => Promise<Map<string, string>>;

/** A known ENI: its IP, and when it was learnt (see {@link EniIpCache.mark}). */
interface KnownEni {
  ip: string;
  learnt: number;
}

const groupKey = (scope: string, eniIds: readonly string[]): string =>
  `${scope}|${[...eniIds].sort().join(',')}`;

export class EniIpCache {
  private readonly byScope = new Map<string, Map<string, KnownEni>>();
  /**
   * IPs known for a set of ENIs as a whole, not one by one: an app resumed from its status
   * checkpoint, whose digest vouches that these ENIs carried these addresses (status
   * endpointIPs) when it was written. Only that exact set is answered from it.
   */
  private readonly groups = new Map<string, readonly string[]>();
  /** Counts insertions, so a retain can tell entries learnt while its describe ran. */
  private learnt = 0;

  /**
   * IPs of `eniIds` (ENIs that no longer exist are absent), describing only unknown ones.
   * @returns IPs in the order of `eniIds` (of the trusted set, for a set known as a whole).
   */
  async ips(scope: string, eniIds: readonly string[], describe: DescribeEniIps): Promise<string[]> {
    const known = this.scope(scope);
    const unknown = [...new Set(eniIds.filter((id) => !known.has(id)))];
    const group = unknown.length > 0 ? this.groups.get(groupKey(scope, eniIds)) : undefined;
    if (group) return [...group];
    if (unknown.length > 0) {
      for (const [id, ip] of await describe(unknown)) known.set(id, { ip, learnt: ++this.learnt });
    }
    return eniIds.flatMap((id) => {
      const entry = known.get(id);
      return entry === undefined ? [] : [entry.ip];
    });
  }

  /** Trusts `ips` as the addresses of exactly the ENIs `eniIds` (one per ENI). */
  trust(scope: string, eniIds: readonly string[], ips: readonly string[]): void {
    if (eniIds.length > 0 && eniIds.length === ips.length) this.groups.set(groupKey(scope, eniIds), [...ips]);
  }

  /** A point in time for {@link retain}: take it before the describe of the live ENIs starts. */
  mark(): number {
    return this.learnt;
  }

  /**
   * Drops ENIs not in `liveEniIds` (every ENI of every owned endpoint of the scope) that were
   * known at `since`. An ENI learnt after it belongs to an endpoint created while the describe
   * ran, which the describe may have missed: forgetting it would cost its app another
   * DescribeNetworkInterfaces (at N = 1,000, one for most of the apps created during a cold start).
   */
  retain(scope: string, liveEniIds: ReadonlySet<string>, since: number): void {
    const known = this.scope(scope);
    for (const [id, { learnt }] of known) if (learnt <= since && !liveEniIds.has(id)) known.delete(id);
    for (const key of this.groups.keys()) {
      const [groupScope, ids = ''] = key.split('|');
      if (groupScope === scope && ids.split(',').some((id) => !liveEniIds.has(id))) this.groups.delete(key);
    }
  }

  private scope(scope: string): Map<string, KnownEni> {
    let known = this.byScope.get(scope);
    if (!known) {
      known = new Map();
      this.byScope.set(scope, known);
    }
    return known;
  }
}
