/**
 * The other half of the validation catalog: edge cases under valid/ that the rules must NOT
 * reject (boundaries, other partitions, short ids, wildcards, allowed updates), so a rule
 * that is too strict fails here. File format: catalog.ts.
 */
import path from 'node:path';
import { newTestContext, type TestContext } from '../env/context.ts';
import { readCatalog } from './catalog.ts';

const catalog = readCatalog(path.join(import.meta.dirname, 'valid'));
let ctx: TestContext;

beforeAll(async () => {
  ctx = await newTestContext('crds-valid');
});
afterAll(async () => {
  await ctx.cleanup();
});

test.each(catalog)('$file is accepted', async ({ setup, manifest }) => {
  for (const doc of setup) {
    expect(await ctx.kubectl(['apply', '-n', ctx.namespace, '-f', '-'], doc)).toMatchObject({ code: 0, stderr: '' });
  }
  const result = await ctx.kubectl(['apply', '-n', ctx.namespace, '-f', '-'], manifest);
  expect(result).toMatchObject({ code: 0, stderr: '' });
});
