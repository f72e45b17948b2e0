/**
 * The validation catalog: every manifest under invalid/ must be rejected by the real API
 * server with exactly one error (so it tests one rule), and that error must name the field
 * and contain the fragments its header expects. File format: catalog.ts.
 */
import path from 'node:path';
import { newTestContext, type TestContext } from '../env/context.ts';
import { readCatalog, validationErrors } from './catalog.ts';

const catalog = readCatalog(path.join(import.meta.dirname, 'invalid'));
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
    expect(await ctx.kubectl(['apply', '-n', ctx.namespace, '-f', '-'], doc)).toMatchObject({ code: 0, stderr: '' });
  }
  const result = await ctx.kubectl(['apply', '--dry-run=server', '-n', ctx.namespace, '-f', '-'], manifest);
  expect(result.code).not.toBe(0);
  const errors = validationErrors(result.stderr);
  expect(errors).toHaveLength(1);
  for (const fragment of expected) expect(errors[0]).toContain(fragment);
});
