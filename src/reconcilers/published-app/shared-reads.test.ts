import { readKey, SharedReads } from './shared-reads.ts';

const K = readKey<number>('k');
const A = readKey<number>('a');
const B = readKey<number>('b');

describe('SharedReads', () => {
  let clock = 0;
  const reads = () => new SharedReads(1000, () => clock);
  const counter = () => {
    let n = 0;
    return { load: () => Promise.resolve(++n), count: () => n };
  };
  beforeEach(() => {
    clock = 0;
  });

  it('shares one load among callers within maxAge, loads again after', async () => {
    const r = reads();
    const c = counter();
    expect(await Promise.all([r.get(K, c.load), r.get(K, c.load)])).toEqual([1, 1]);
    clock = 1000;
    expect(await r.get(K, c.load)).toBe(1);
    clock = 1001;
    expect(await r.get(K, c.load)).toBe(2);
    expect(await r.get(K, c.load, 0)).toBe(2);
    clock = 1002;
    expect(await r.get(K, c.load, 0)).toBe(3);
  });

  it('loads again after invalidate, keys are independent', async () => {
    const r = reads();
    const c = counter();
    await r.get(A, c.load);
    await r.get(B, c.load);
    r.invalidate(A);
    expect(await r.get(A, c.load)).toBe(3);
    expect(await r.get(B, c.load)).toBe(2);
  });

  it('does not remember a failure', async () => {
    const r = reads();
    await expect(r.get(K, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await r.get(K, () => Promise.resolve(7))).toBe(7);
  });

  it('patch writes through to a memoised value without reloading or renewing it; no value, no-op', async () => {
    const r = reads();
    const c = counter();
    r.patch(K, (v) => v + 100); // nothing memoised yet
    expect(await r.get(K, c.load)).toBe(1);
    r.patch(K, (v) => v + 100);
    expect(await r.get(K, c.load)).toBe(101);
    expect(c.count()).toBe(1);
    clock = 1001; // the patch did not make it younger
    expect(await r.get(K, c.load)).toBe(2);
  });

  // A writer may patch while the load is still in flight; if that load then fails and no
  // reader holds the patched promise, its rejection must still be handled (Node would
  // otherwise end the process on an unhandled rejection; a CI run caught this).
  it('a patch on a load that then fails raises no unhandled rejection and is forgotten', async () => {
    const r = reads();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let fail!: (err: Error) => void;
      const first = r.get(K, () => new Promise((_, reject) => (fail = reject)));
      r.patch(K, (v) => v + 100);
      fail(new Error('InternalFailure'));
      await expect(first).rejects.toThrow('InternalFailure');
      await new Promise((done) => setTimeout(done, 10)); // let Node report unhandled rejections
      expect(unhandled).toEqual([]);
      expect(await r.get(K, () => Promise.resolve(7))).toBe(7);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
