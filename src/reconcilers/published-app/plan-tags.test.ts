import { expect, test } from '@jest/globals';
import { tagsToApply } from './plan-tags.ts';

type Tags = Record<string, string>;

test.each<{ name: string; have: Tags; want: Tags; apply: Tags }>([
  { name: 'all present', have: { a: '1', b: '2' }, want: { a: '1', b: '2' }, apply: {} },
  { name: 'a new key', have: { a: '1' }, want: { a: '1', b: '2' }, apply: { b: '2' } },
  { name: 'a changed value', have: { a: '1' }, want: { a: '9' }, apply: { a: '9' } },
  { name: 'an extra key on the resource stays', have: { a: '1', other: 'x' }, want: { a: '1' }, apply: {} },
  { name: 'nothing there yet', have: {}, want: { a: '1' }, apply: { a: '1' } },
])('$name', ({ have, want, apply }) => {
  const asTags = (m: Tags) => Object.entries(m).map(([Key, Value]) => ({ Key, Value }));
  expect(tagsToApply(have, asTags(want))).toEqual(asTags(apply));
});
