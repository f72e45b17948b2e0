/** Every manifest under examples/ is accepted by the real API server as it stands. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { newTestContext, type TestContext } from '../env/context.ts';

const examplesDir = path.resolve(import.meta.dirname, '../../examples');

const files = readdirSync(examplesDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
  .sort();

/** Namespaces the examples' documents live in. */
function namespacesOf(file: string): string[] {
  return parseAllDocuments(readFileSync(path.join(examplesDir, file), 'utf8'))
    .map((d) => (d.toJS() as { metadata?: { namespace?: string } } | null)?.metadata?.namespace)
    .filter((ns): ns is string => ns !== undefined);
}

let ctx: TestContext;

beforeAll(async () => {
  ctx = await newTestContext('crds-examples');
  // The examples name fixed namespaces (team-blue, dmz, ...). Nothing is stored in them
  // (dry run), and other suites may use the same names, so they are made if missing and
  // left for the test run's API server to take with it.
  for (const ns of new Set(files.flatMap(namespacesOf))) {
    const made = await ctx.kubectl(['create', 'namespace', ns]);
    if (made.code !== 0) expect(made.stderr).toContain('AlreadyExists');
  }
});
afterAll(async () => {
  await ctx.cleanup();
});

test('there are examples, among them the blue/green scenario', () => {
  expect(files).toEqual(
    expect.arrayContaining([
      'blue-green/awsidentities.yaml',
      'blue-green/endpointservice-blue.yaml',
      'blue-green/endpointservice-green.yaml',
      'blue-green/publishedapp-blue.yaml',
      'blue-green/publishedapp-green.yaml',
      'blue-green/sharedlistener-dmz.yaml',
    ]),
  );
});

test.each(files)('examples/%s is accepted by the API server', async (file) => {
  const docs = parseAllDocuments(readFileSync(path.join(examplesDir, file), 'utf8')).filter((d) => d.contents);
  const result = await ctx.kubectl(['apply', '--dry-run=server', '-f', path.join(examplesDir, file)]);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  expect(result.stdout.match(/\(server dry run\)/g)).toHaveLength(docs.length);
});
