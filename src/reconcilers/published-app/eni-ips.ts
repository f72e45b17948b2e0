/**
 * ENI id → private IP, shared by every PublishedApp of one scope (account + region). An
 * ENI keeps its primary IP for life, so only ids never seen before are described: a resync
 * of unchanged endpoints makes no DescribeNetworkInterfaces call at all.
 */
export type DescribeEniIps = (eniIds: readonly string[]) => Promise<Map<string, string>>;

export class EniIpCache {
  private readonly byScope = new Map<string, Map<string, string>>();

  /**
   * IPs of `eniIds` (ENIs that no longer exist are absent), describing only unknown ones.
   * @returns IPs in the order of `eniIds`.
   */
  async ips(scope: string, eniIds: readonly string[], describe: DescribeEniIps): Promise<string[]> {
    const known = this.scope(scope);
    const unknown = [...new Set(eniIds.filter((id) => !known.has(id)))];
    if (unknown.length > 0) {
      for (const [id, ip] of await describe(unknown)) known.set(id, ip);
    }
    return eniIds.flatMap((id) => {
      const ip = known.get(id);
      return ip === undefined ? [] : [ip];
    });
  }

  /** Drops ENIs not in `liveEniIds` (every ENI of every owned endpoint of the scope). */
  retain(scope: string, liveEniIds: ReadonlySet<string>): void {
    const known = this.scope(scope);
    for (const id of known.keys()) if (!liveEniIds.has(id)) known.delete(id);
  }

  private scope(scope: string): Map<string, string> {
    let known = this.byScope.get(scope);
    if (!known) {
      known = new Map();
      this.byScope.set(scope, known);
    }
    return known;
  }
}
