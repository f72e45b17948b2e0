import { jsonEqual, mergePatch, toJson, type Json } from './json.ts';

describe('jsonEqual', () => {
  test.each([
    { a: { x: 1, y: [1, 2] }, b: { y: [1, 2], x: 1 }, want: true },
    { a: { x: { p: 1, q: 2 } }, b: { x: { q: 2, p: 1 } }, want: true },
    { a: [1, 2], b: [2, 1], want: false },
    { a: { x: 1 }, b: { x: 1, y: null }, want: false },
    { a: { x: 1 }, b: { y: 1 }, want: false },
    { a: 1, b: '1', want: false },
    { a: null, b: {}, want: false },
    { a: [], b: {}, want: false },
  ] as { a: Json; b: Json; want: boolean }[])('$a vs $b → $want', ({ a, b, want }) => {
    expect(jsonEqual(a, b)).toBe(want);
    expect(jsonEqual(b, a)).toBe(want);
  });
});

describe('mergePatch', () => {
  test.each([
    { name: 'equal → undefined', from: { a: 1 }, to: { a: 1 }, want: undefined },
    { name: 'changed scalar', from: { a: 1, b: 2 }, to: { a: 1, b: 3 }, want: { b: 3 } },
    { name: 'removed key → null', from: { a: 1, b: 2 }, to: { a: 1 }, want: { b: null } },
    { name: 'nested removal', from: { c: { x: 1, y: 2 } }, to: { c: { x: 1 } }, want: { c: { y: null } } },
    { name: 'array replaced whole', from: { l: [1, 2] }, to: { l: [1] }, want: { l: [1] } },
    { name: 'from missing', from: undefined, to: { a: 1 }, want: { a: 1 } },
  ] as { name: string; from: Json | undefined; to: Json; want: Json | undefined }[])(
    '$name',
    ({ from, to, want }) => {
      expect(mergePatch(from, to)).toEqual(want);
    },
  );
});

test('toJson drops undefined fields and stringifies dates', () => {
  expect(toJson({ a: undefined, b: new Date('2026-01-01T00:00:00Z') })).toEqual({
    b: '2026-01-01T00:00:00.000Z',
  });
});
