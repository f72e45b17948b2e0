/**
 * No import cycles in src/, type-only imports included. ESLint's import-x/no-cycle catches
 * value cycles while editing; it skips `import type`, and a type cycle still means two
 * modules that cannot be read (or moved) one without the other.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

type Graph = ReadonlyMap<string, readonly string[]>;

/** Strongly connected components of more than one module, or of one that imports itself. */
function cyclesOf(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.includes(v)) cycles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Each module of src/ → the src/ modules it imports (relative specifiers, `import type` too). */
function importGraph(root: string): Graph {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const local = importedFiles.filter((f) => f.fileName.startsWith('.'));
    graph.set(
      relative(root, file),
      local.map((f) => relative(root, resolve(dirname(file), f.fileName))),
    );
  }
  return graph;
}

describe('cyclesOf', () => {
  it.each<[string, Record<string, string[]>, string[][]]>([
    ['no edges', { a: [], b: [] }, []],
    ['a chain', { a: ['b'], b: ['c'], c: [] }, []],
    ['a pair', { a: ['b'], b: ['a'] }, [['a', 'b']]],
    ['a self-import', { a: ['a'] }, [['a']]],
    ['a triangle beside a chain', { a: ['b'], b: ['c'], c: ['a'], d: ['a'] }, [['a', 'b', 'c']]],
    [
      'two separate cycles',
      { a: ['b'], b: ['a'], c: ['d'], d: ['c'] },
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    ['imports outside the graph ignored', { a: ['x'], b: [] }, []],
  ])('%s', (_, edges, expected) => {
    const found = cyclesOf(new Map(Object.entries(edges)));
    expect(found.sort((x, y) => x[0]!.localeCompare(y[0]!))).toEqual(expected);
  });
});

describe('src/', () => {
  const graph = importGraph(resolve(import.meta.dirname, '../../src'));

  it('is read as a graph (the scan finds the modules and their imports)', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get('run.ts')).toContain('config.ts');
  });

  it('has no import cycles, type-only imports included', () => {
    expect(cyclesOf(graph)).toEqual([]);
  });
});
