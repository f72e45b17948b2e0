/**
 * Builds the controller as the image ships it: src/main.ts (the entry) and src/run.ts (its
 * `runController`, which the benchmark imports) bundled by esbuild into dist/, sharing one
 * chunk. Bundling drops the parts of the dependencies the controller never reaches — the
 * generated Kubernetes API, which `KubeConfig` imports whole, and every AWS operation's schema
 * but the ≈ 40 the controller calls — so the process holds less than half of what the same
 * modules take from node_modules (docs/adr/0008-bundle-the-controller.md). The image needs no
 * node_modules.
 *
 *   node scripts/bundle.ts [--src DIR] [--out DIR]   defaults: src/ and dist/ of this checkout
 */
import { readFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build, type BuildOptions, type Plugin } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');

/** The controller's entry points, by output name: the image runs `main`, the benchmark `run`. */
export function controllerEntries(srcDir: string): Record<string, string> {
  return { main: path.join(srcDir, 'main.ts'), run: path.join(srcDir, 'run.ts') };
}

/**
 * CommonJS dependencies call `require` for Node's built-ins; an ESM bundle has none of its
 * own, so it gets one.
 */
const REQUIRE_SHIM =
  "import { createRequire as __plpCreateRequire } from 'node:module';\nconst require = __plpCreateRequire(import.meta.url);";

/** An AWS SDK client's generated schemas: one module with every shape of the service. */
const SCHEMA_MODULE = /[\\/]node_modules[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/].*schemas_\d+\.js$/;

/**
 * Rewrites the computed keys of a generated AWS schema module (`{ [_xN]: … }`, where
 * `const _xN = "xmlName"`) to the string keys they stand for. esbuild cannot tell that a
 * computed key is a string, so it keeps every statement holding one as a possible side
 * effect: the EC2 client's 3,400 schemas all stayed in the bundle (≈ 55 MB of RSS) though the
 * controller uses a few dozen. With literal keys each schema is a pure array and only the
 * reachable ones are kept. A key whose constant is not a plain string literal is left as it is.
 * @returns the module's source with the same meaning.
 */
export function inlineSchemaKeys(source: string): string {
  const strings = new Map(
    [...source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)].map((m) => [m[1], m[2]] as const),
  );
  return source.replace(/\[(_\w+)\]:/g, (key, name: string) => {
    const literal = strings.get(name);
    return literal === undefined ? key : `${literal}:`;
  });
}

/** esbuild plugin applying {@link inlineSchemaKeys} to the AWS SDK clients' schema modules. */
export const pureAwsSchemas: Plugin = {
  name: 'pure-aws-schemas',
  setup(build) {
    build.onLoad({ filter: SCHEMA_MODULE }, async (args) => ({
      contents: inlineSchemaKeys(await readFile(args.path, 'utf8')),
      loader: 'js',
    }));
  },
};

/** How the image's bundle resolves and emits modules, without its plugins and outputs. */
export const BUNDLE_OPTIONS = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  // The AWS SDK's ES modules (`module`) before its CommonJS build (`main`, esbuild's first
  // choice on Node): only ES modules can be tree-shaken, and the CommonJS build is one file
  // per client holding every operation.
  mainFields: ['module', 'main'],
  banner: { js: REQUIRE_SHIM },
} as const satisfies BuildOptions;

/**
 * Bundles `entries` (output name → source file) into `outDir` (emptied first), the way the
 * image is built.
 * @returns the bundle's files, relative to `outDir`.
 */
export async function bundle(entries: Record<string, string>, outDir: string): Promise<string[]> {
  rmSync(outDir, { recursive: true, force: true });
  const result = await build({
    entryPoints: entries,
    outdir: outDir,
    ...BUNDLE_OPTIONS,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    splitting: true,
    plugins: [pureAwsSchemas],
    sourcemap: true,
    // Minifying saved nothing measurable (the sources are not what fills the heap) and would
    // make stack traces harder to read.
    minify: false,
    metafile: true,
    logLevel: 'warning',
  });
  return Object.keys(result.metafile.outputs).map((file) => path.relative(outDir, path.resolve(file)));
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { src: { type: 'string' }, out: { type: 'string' } } });
  const files = await bundle(
    controllerEntries(path.resolve(values.src ?? path.join(root, 'src'))),
    path.resolve(values.out ?? path.join(root, 'dist')),
  );
  process.stdout.write(`${files.filter((f) => !f.endsWith('.map')).join('\n')}\n`);
}
