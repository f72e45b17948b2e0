/**
 * The validation catalog: every manifest under invalid/ must be rejected by the real API
 * server with exactly one error, and that error must name the field. Each file's header says
 * what is wrong (`# Rejected: ...`) and which fragments the error must contain
 * (`# expect: ...`). A file of two documents tests an update: the first is created, applying
 * the second over it must fail (transition rules such as vpcId's immutability).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { newTestContext, type TestContext } from '../env/context.ts';

const dir = path.join(import.meta.dirname, 'invalid');

interface CatalogEntry {
  file: string;
  expected: string[];
  /** Documents to create first (update cases). */
  setup: string[];
  manifest: string;
}

function readCatalog(): CatalogEntry[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const text = readFileSync(path.join(dir, file), 'utf8');
      const expected = [...text.matchAll(/^# expect: (.+)$/gm)].map((m) => m[1]!.trim());
      const docs = text.split(/^---$/m);
      return { file, expected, setup: docs.slice(0, -1), manifest: docs.at(-1)! };
    });
}

/**
 * The individual errors in a kubectl "is invalid" message, without the API server's note
 * that further rules were skipped because of them.
 */
function validationErrors(stderr: string): string[] {
  const detail = stderr.split(' is invalid: ')[1]?.trim();
  if (!detail) return [];
  const bullets = detail.split('\n').filter((l) => l.startsWith('* '));
  const errors = bullets.length > 0 ? bullets.map((l) => l.slice(2)) : [detail];
  return errors.filter((e) => !e.includes('some validation rules were not checked'));
}

const catalog = readCatalog();
let ctx: TestContext;

beforeAll(async () => {
  ctx = await newTestContext('crds-invalid');
});
afterAll(async () => {
  await ctx.cleanup();
});

test('the catalog is big enough and every entry says what it expects', () => {
  expect(catalog.length).toBeGreaterThanOrEqual(15);
  expect(catalog.filter((e) => e.expected.length === 0).map((e) => e.file)).toEqual([]);
});

test.each(catalog)('$file is rejected naming the field', async ({ expected, setup, manifest }) => {
  for (const doc of setup) {
    const created = await ctx.kubectl(['apply', '-n', ctx.namespace, '-f', '-'], doc);
    expect(created).toMatchObject({ code: 0, stderr: '' });
  }
  const result = await ctx.kubectl(['apply', '--dry-run=server', '-n', ctx.namespace, '-f', '-'], manifest);
  expect(result.code).not.toBe(0);
  const errors = validationErrors(result.stderr);
  expect(errors).toHaveLength(1);
  for (const fragment of expected) expect(errors[0]).toContain(fragment);
});
