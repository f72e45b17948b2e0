import { chunks, collect, paginate, type Page } from './paging.ts';

/** Serves `pages` keyed by the token that requests them (undefined = first page). */
function pager(pages: Record<string, Page<number>>) {
  const asked: (string | undefined)[] = [];
  const fetchPage = (token: string | undefined): Promise<Page<number>> => {
    asked.push(token);
    const page = pages[token ?? 'first'];
    if (!page) throw new Error(`unexpected token ${String(token)}`);
    return Promise.resolve(page);
  };
  return { fetchPage, asked };
}

describe('paginate', () => {
  it.each<[string, Record<string, Page<number>>, number[], (string | undefined)[]]>([
    ['single page', { first: { items: [1, 2], next: undefined } }, [1, 2], [undefined]],
    [
      'follows tokens',
      {
        first: { items: [1], next: 'a' },
        a: { items: [2, 3], next: 'b' },
        b: { items: [4], next: undefined },
      },
      [1, 2, 3, 4],
      [undefined, 'a', 'b'],
    ],
    ['empty token ends', { first: { items: [1], next: '' } }, [1], [undefined]],
    [
      'missing items',
      { first: { items: undefined, next: 'a' }, a: { items: [5], next: undefined } },
      [5],
      [undefined, 'a'],
    ],
    [
      'empty page with a token continues',
      { first: { items: [], next: 'a' }, a: { items: [7], next: undefined } },
      [7],
      [undefined, 'a'],
    ],
    [
      'a repeated token stops the loop',
      { first: { items: [1], next: 'a' }, a: { items: [2], next: 'a' } },
      [1, 2],
      [undefined, 'a'],
    ],
  ])('%s', async (_name, pages, items, asked) => {
    const p = pager(pages);
    expect(await collect(paginate(p.fetchPage))).toEqual(items);
    expect(p.asked).toEqual(asked);
  });

  it('fetches lazily: stopping early asks for no further page', async () => {
    const p = pager({ first: { items: [1, 2], next: 'a' }, a: { items: [3], next: undefined } });
    for await (const item of paginate(p.fetchPage)) if (item === 1) break;
    expect(p.asked).toEqual([undefined]);
  });
});

describe('chunks', () => {
  it.each<[number[], number, number[][]]>([
    [[], 20, []],
    [[1, 2, 3], 20, [[1, 2, 3]]],
    [[1, 2, 3, 4, 5], 2, [[1, 2], [3, 4], [5]]],
    [
      [1, 2, 3, 4],
      2,
      [
        [1, 2],
        [3, 4],
      ],
    ],
    [[1, 2], 1, [[1], [2]]],
  ])('%j by %d', (items, size, expected) => {
    expect(chunks(items, size)).toEqual(expected);
  });

  it('rejects a size below one', () => {
    expect(() => chunks([1], 0)).toThrow(RangeError);
  });
});
