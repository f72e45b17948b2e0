import { EniIpCache } from './eni-ips.ts';

/** A describe over a fixed world that records what it was asked. */
function world(enis: Record<string, string>) {
  const calls: string[][] = [];
  const describe = (ids: readonly string[]) => {
    calls.push([...ids]);
    return Promise.resolve(new Map(ids.filter((id) => id in enis).map((id) => [id, enis[id]!])));
  };
  return { calls, describe };
}

describe('EniIpCache', () => {
  it('describes only ENIs never seen, per scope', async () => {
    const cache = new EniIpCache();
    const w = world({ 'eni-a': '10.0.1.5', 'eni-b': '10.0.2.6', 'eni-c': '10.0.3.7' });
    expect(await cache.ips('s1', ['eni-a', 'eni-b'], w.describe)).toEqual(['10.0.1.5', '10.0.2.6']);
    expect(await cache.ips('s1', ['eni-b', 'eni-a'], w.describe)).toEqual(['10.0.2.6', '10.0.1.5']);
    expect(await cache.ips('s1', ['eni-a', 'eni-c'], w.describe)).toEqual(['10.0.1.5', '10.0.3.7']);
    expect(await cache.ips('s2', ['eni-a'], w.describe)).toEqual(['10.0.1.5']);
    expect(w.calls).toEqual([['eni-a', 'eni-b'], ['eni-c'], ['eni-a']]);
  });

  it('leaves out ENIs that no longer exist and asks again next time', async () => {
    const cache = new EniIpCache();
    const w = world({ 'eni-a': '10.0.1.5' });
    expect(await cache.ips('s', ['eni-a', 'eni-gone'], w.describe)).toEqual(['10.0.1.5']);
    expect(await cache.ips('s', ['eni-a', 'eni-gone'], w.describe)).toEqual(['10.0.1.5']);
    expect(w.calls).toEqual([['eni-a', 'eni-gone'], ['eni-gone']]);
  });

  it('forgets ENIs outside the live set', async () => {
    const cache = new EniIpCache();
    const w = world({ 'eni-a': '10.0.1.5', 'eni-b': '10.0.2.6' });
    await cache.ips('s', ['eni-a', 'eni-b'], w.describe);
    cache.retain('s', new Set(['eni-b']), cache.mark());
    await cache.ips('s', ['eni-a', 'eni-b'], w.describe);
    expect(w.calls).toEqual([['eni-a', 'eni-b'], ['eni-a']]);
  });

  it('keeps ENIs learnt after the mark, which the live set may not have seen yet', async () => {
    const cache = new EniIpCache();
    const w = world({ 'eni-a': '10.0.1.5', 'eni-b': '10.0.2.6', 'eni-new': '10.0.9.9' });
    await cache.ips('s', ['eni-a', 'eni-b'], w.describe);
    const since = cache.mark(); // the describe of every owned endpoint starts here
    await cache.ips('s', ['eni-new'], w.describe); // an endpoint created while it ran
    cache.retain('s', new Set(['eni-b']), since); // its answer: eni-b only
    await cache.ips('s', ['eni-a', 'eni-b', 'eni-new'], w.describe);
    expect(w.calls).toEqual([['eni-a', 'eni-b'], ['eni-new'], ['eni-a']]);
  });

  it('answers a trusted set as a whole, without a describe, and only that exact set', async () => {
    const cache = new EniIpCache();
    const w = world({ 'eni-a': '10.0.1.5', 'eni-b': '10.0.2.6', 'eni-c': '10.0.3.7' });
    cache.trust('s', ['eni-b', 'eni-a'], ['10.0.1.5', '10.0.2.6']);
    expect(await cache.ips('s', ['eni-a', 'eni-b'], w.describe)).toEqual(['10.0.1.5', '10.0.2.6']);
    expect(w.calls).toEqual([]);
    // An ENI replaced: another set, described.
    expect(await cache.ips('s', ['eni-a', 'eni-c'], w.describe)).toEqual(['10.0.1.5', '10.0.3.7']);
    expect(await cache.ips('s2', ['eni-a', 'eni-b'], w.describe)).toEqual(['10.0.1.5', '10.0.2.6']);
    expect(w.calls).toEqual([
      ['eni-a', 'eni-c'],
      ['eni-a', 'eni-b'],
    ]);
  });

  it('trusts nothing when the counts differ, and forgets a set once one of its ENIs is gone', async () => {
    const cache = new EniIpCache();
    const w = world({ 'eni-a': '10.0.1.5', 'eni-b': '10.0.2.6' });
    cache.trust('s', ['eni-a', 'eni-b'], ['10.0.1.5']);
    expect(await cache.ips('s', ['eni-a', 'eni-b'], w.describe)).toEqual(['10.0.1.5', '10.0.2.6']);
    const fresh = new EniIpCache();
    fresh.trust('s', ['eni-a', 'eni-b'], ['10.0.1.5', '10.0.2.6']);
    fresh.retain('s', new Set(['eni-a']), fresh.mark());
    expect(await fresh.ips('s', ['eni-a', 'eni-b'], w.describe)).toEqual(['10.0.1.5', '10.0.2.6']);
    expect(w.calls).toEqual([
      ['eni-a', 'eni-b'],
      ['eni-a', 'eni-b'],
    ]);
  });
});
