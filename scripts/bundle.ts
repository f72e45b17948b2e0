/**
 * Builds the controller as the image ships it: src/main.ts (the entry) and src/run.ts (its
 * `runController`, which the benchmark imports) bundled by esbuild into dist/, sharing one
 * chunk. Bundling drops the parts of the dependencies the controller never reaches — above
 * all @kubernetes/client-node's generated API, which `KubeConfig` imports whole — so the
 * process holds ≈ 45 MB less (docs/adr/0008-bundle-the-controller.md). The image needs no
 * node_modules.
 *
 *   node scripts/bundle.ts [--src DIR] [--out DIR]   defaults: src/ and dist/ of this checkout
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

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
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    sourcemap: true,
    // Minifying saved nothing measurable (the sources are not what fills the heap) and would
    // make stack traces harder to read.
    minify: false,
    banner: { js: REQUIRE_SHIM },
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
