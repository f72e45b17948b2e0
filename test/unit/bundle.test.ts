/**
 * The image's bundle (scripts/bundle.ts): rewriting the AWS SDK's schema modules for tree
 * shaking keeps every schema's meaning, and it is what lets the unused ones go.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { jest } from '@jest/globals';
import { build, type Plugin } from 'esbuild';
import { BUNDLE_OPTIONS, inlineSchemaKeys, pureAwsSchemas } from '../../scripts/bundle.ts';

const root = path.resolve(import.meta.dirname, '../..');
const node24 = path.join(root, 'node_modules/.bin/node');

// esbuild over the whole EC2 client, twice, on a shared 2-core machine.
jest.setTimeout(120_000);

describe('inlineSchemaKeys', () => {
  test.each([
    [
      'a computed key naming a string constant becomes that string',
      'const _xN = "xmlName";\nexport var A$ = [3, n0, _A, 0, [_B], [[0, { [_xN]: _m }]]];',
      'const _xN = "xmlName";\nexport var A$ = [3, n0, _A, 0, [_B], [[0, { "xmlName": _m }]]];',
    ],
    [
      'every occurrence, several keys in one object',
      'const _a = "ec2QueryName";\nconst _b = "xmlName";\nx = [{ [_a]: `Min`, [_b]: _m }, { [_a]: 1 }];',
      'const _a = "ec2QueryName";\nconst _b = "xmlName";\nx = [{ "ec2QueryName": `Min`, "xmlName": _m }, { "ec2QueryName": 1 }];',
    ],
    ['a key with no constant in the module is left', 'x = { [_q]: 1 };', 'x = { [_q]: 1 };'],
    [
      'a constant that is not a plain string literal is left',
      'const _e = "a\\"b";\nconst _n = 5;\nx = { [_e]: 1, [_n]: 2 };',
      'const _e = "a\\"b";\nconst _n = 5;\nx = { [_e]: 1, [_n]: 2 };',
    ],
    [
      'an array of constants is not a key',
      'const _a = "Address";\nexport var A$ = [3, n0, _a, 0, [_a], [0]];',
      'const _a = "Address";\nexport var A$ = [3, n0, _a, 0, [_a], [0]];',
    ],
  ])('%s', (_name, source, expected) => {
    expect(inlineSchemaKeys(source)).toBe(expected);
  });
});

/** Bundles `entry` (source text resolved from the repository root) as scripts/bundle.ts does. */
async function bundleEntry(entry: string, plugins: Plugin[]) {
  const result = await build({
    stdin: { contents: entry, resolveDir: root, loader: 'js' },
    ...BUNDLE_OPTIONS,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    plugins,
    write: false,
    metafile: true,
    outfile: 'out.mjs',
    logLevel: 'silent',
  });
  const inputs = Object.entries(result.metafile.outputs['out.mjs']!.inputs);
  const schemaBytes = inputs
    .filter(([file]) => /client-ec2\/dist-es\/schemas\//.test(file))
    .reduce((sum, [, input]) => sum + input.bytesInOutput, 0);
  return { code: result.outputFiles[0]!.text, schemaBytes };
}

/**
 * A module printing every schema a client exports, with the thunks between schemas resolved
 * (to the referenced export's name, or inline for the unexported lists and maps).
 */
function schemaDump(pkg: string): string {
  return `import * as client from '${pkg}';
const names = new Map(Object.entries(client).filter(([k]) => k.endsWith('$')).map(([k, v]) => [v, k]));
const dump = (value, path) => {
  if (typeof value === 'function') {
    const target = value();
    if (names.has(target)) return { ref: names.get(target) };
    return path.includes(target) ? { cycle: true } : dump(target, [...path, target]);
  }
  if (Array.isArray(value)) return value.map((v) => dump(v, path));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, dump(v, path)]));
  }
  return value;
};
const all = [...names.values()].sort().map((name) => [name, dump(client[name], [client[name]])]);
process.stdout.write(JSON.stringify(all));`;
}

async function run(code: string): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'plp-bundle-'));
  try {
    writeFileSync(path.join(dir, 'out.mjs'), code);
    const { stdout } = await promisify(execFile)(node24, [path.join(dir, 'out.mjs')], {
      maxBuffer: 256 * 1024 * 1024,
    });
    return stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Where two long strings first differ, with some context; undefined when they are equal. */
function firstDifference(a: string, b: string): string | undefined {
  if (a === b) return undefined;
  let i = 0;
  while (a[i] === b[i]) i++;
  return `at ${i}: ${a.slice(Math.max(0, i - 80), i + 80)} ≠ ${b.slice(Math.max(0, i - 80), i + 80)}`;
}

test.each([
  ['@aws-sdk/client-ec2', '"ec2QueryName"'],
  ['@aws-sdk/client-elastic-load-balancing-v2', '"awsQueryError"'],
])('%s: every schema is the same with the rewritten keys (%s among them)', async (pkg, rewrittenKey) => {
  const [plain, rewritten] = await Promise.all([
    bundleEntry(schemaDump(pkg), []).then((b) => run(b.code)),
    bundleEntry(schemaDump(pkg), [pureAwsSchemas]).then((b) => run(b.code)),
  ]);
  const schemas = JSON.parse(rewritten) as [string, unknown][];
  expect(schemas.length).toBeGreaterThan(100);
  expect(rewritten.includes(rewrittenKey)).toBe(true);
  expect(firstDifference(rewritten, plain)).toBeUndefined();
});

test('only the schemas of the operations used stay in the bundle', async () => {
  const entry = `import { EC2Client, DescribeVpcEndpointsCommand } from '@aws-sdk/client-ec2';
console.log(EC2Client.name, DescribeVpcEndpointsCommand.name);`;
  const [plain, rewritten] = await Promise.all([
    bundleEntry(entry, []),
    bundleEntry(entry, [pureAwsSchemas]),
  ]);
  expect(plain.schemaBytes).toBeGreaterThan(500_000);
  expect(rewritten.schemaBytes).toBeLessThan(plain.schemaBytes / 10);
  expect(rewritten.code).toContain('DescribeVpcEndpointsResult');
  expect(rewritten.code).not.toContain('RunInstancesRequest');
  expect(await run(rewritten.code)).toBe('EC2Client DescribeVpcEndpointsCommand\n');
});
