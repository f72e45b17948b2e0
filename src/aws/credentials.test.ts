import type { AwsCredentialIdentity } from '@smithy/types';
import { cachedCredentials, sessionFields } from './credentials.ts';

const MIN = 60_000;

/** A credential source that issues numbered sessions valid for `ttlMs` from the clock's now. */
function source(clock: { now: number }, ttlMs: number | undefined) {
  let issued = 0;
  const failures: Error[] = [];
  const fetch = async (): Promise<AwsCredentialIdentity> => {
    await Promise.resolve();
    const failure = failures.shift();
    if (failure) throw failure;
    issued++;
    return {
      accessKeyId: `AKID${issued}`,
      secretAccessKey: 's',
      expiration: ttlMs === undefined ? undefined : new Date(clock.now + ttlMs),
    };
  };
  return {
    fetch,
    failNext: (err: Error) => failures.push(err),
    get issued() {
      return issued;
    },
  };
}

describe('cachedCredentials', () => {
  it.each<[string, number | undefined, number[], string[]]>([
    // [name, session ttl, call times (min), access keys returned]
    ['reuses a session until the refresh window', 60 * MIN, [0, 1, 49], ['AKID1', 'AKID1', 'AKID1']],
    ['refreshes inside the window, before expiry', 60 * MIN, [0, 51, 52], ['AKID1', 'AKID2', 'AKID2']],
    ['refreshes after expiry', 60 * MIN, [0, 61], ['AKID1', 'AKID2']],
    [
      'short sessions refresh each time they enter the window',
      15 * MIN,
      [0, 4, 6, 10, 12],
      ['AKID1', 'AKID1', 'AKID2', 'AKID2', 'AKID3'],
    ],
    ['never refreshes credentials without expiry', undefined, [0, 1e6], ['AKID1', 'AKID1']],
  ])('%s', async (_name, ttl, callMinutes, expected) => {
    const clock = { now: 0 };
    const src = source(clock, ttl);
    const provider = cachedCredentials(src.fetch, { now: () => clock.now });
    const got: string[] = [];
    for (const minute of callMinutes) {
      clock.now = minute * MIN;
      got.push((await provider()).accessKeyId);
    }
    expect(got).toEqual(expected);
  });

  it('concurrent callers share one fetch', async () => {
    const clock = { now: 0 };
    const src = source(clock, 60 * MIN);
    const provider = cachedCredentials(src.fetch, { now: () => clock.now });
    const all = await Promise.all(Array.from({ length: 10 }, () => provider()));
    expect(new Set(all.map((c) => c.accessKeyId))).toEqual(new Set(['AKID1']));
    expect(src.issued).toBe(1);
  });

  it('a failed refresh keeps using still-valid credentials, then retries', async () => {
    const clock = { now: 0 };
    const src = source(clock, 60 * MIN);
    const provider = cachedCredentials(src.fetch, { now: () => clock.now });
    await provider();
    clock.now = 55 * MIN;
    src.failNext(new Error('sts down'));
    expect((await provider()).accessKeyId).toBe('AKID1');
    expect((await provider()).accessKeyId).toBe('AKID2');
  });

  it('a failed fetch with nothing valid cached rejects, and the next call tries again', async () => {
    const clock = { now: 0 };
    const src = source(clock, 60 * MIN);
    const provider = cachedCredentials(src.fetch, { now: () => clock.now });
    src.failNext(new Error('AccessDenied'));
    await expect(provider()).rejects.toThrow('AccessDenied');
    expect((await provider()).accessKeyId).toBe('AKID1');

    clock.now = 61 * MIN;
    src.failNext(new Error('sts down'));
    await expect(provider()).rejects.toThrow('sts down');
  });
});

describe('sessionFields', () => {
  const subject = { clusterId: 'c-1', kind: 'SharedListener', namespace: 'dmz', name: 'public' };

  test('tags name the cluster and the object; SourceIdentity is the namespace', () => {
    expect(sessionFields(subject)).toEqual({
      RoleSessionName: 'plp.dmz.public',
      SourceIdentity: 'dmz',
      Tags: [
        { Key: 'privatelink-publisher/cluster', Value: 'c-1' },
        { Key: 'privatelink-publisher/namespace', Value: 'dmz' },
        { Key: 'privatelink-publisher/kind', Value: 'SharedListener' },
        { Key: 'privatelink-publisher/name', Value: 'public' },
      ],
    });
  });

  test.each<[string, Partial<typeof subject>, { RoleSessionName: string; SourceIdentity: string }]>([
    // AWS: RoleSessionName and SourceIdentity are 2-64 of [\w+=,.@-]; tag values ≤ 256.
    [
      'a one-letter namespace is padded to 2',
      { namespace: 'a' },
      { RoleSessionName: 'plp.a.public', SourceIdentity: 'a-' },
    ],
    [
      'long names are cut to 64',
      { namespace: 'n'.repeat(63), name: 'x'.repeat(253) },
      { RoleSessionName: `plp.${'n'.repeat(60)}`, SourceIdentity: 'n'.repeat(63) },
    ],
    [
      'characters AWS refuses become -',
      { name: 'a:b/c' },
      { RoleSessionName: 'plp.dmz.a-b-c', SourceIdentity: 'dmz' },
    ],
  ])('%s', (_name, change, want) => {
    const got = sessionFields({ ...subject, ...change });
    expect(got).toMatchObject(want);
    for (const tag of got.Tags ?? []) expect(tag.Value.length).toBeLessThanOrEqual(256);
  });

  test('no subject: the fixed session name and no tags', () => {
    expect(sessionFields(undefined)).toEqual({ RoleSessionName: 'privatelink-publisher' });
  });
});
