/**
 * What the benchmark runs: the controller as the image builds it (bundled by
 * scripts/bundle.ts; `--unbundled` runs the TypeScript sources instead, to compare), from the
 * working tree or from one commit's src/ exported to .cache, plus the dependencies-only
 * baseline built the same way.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { bundle, controllerEntries } from '../scripts/bundle.ts';

const root = path.resolve(import.meta.dirname, '..');

/** Files to run. */
export interface Artefact {
  /** Module exporting `runController` (bench/controller-main.ts imports it). */
  runModule: string;
  /** Script printing the RSS of a process that loaded only the dependencies. */
  depsRss: string;
}

const built = new Map<string, Promise<Artefact>>();

/**
 * The artefact for `rev` (undefined: the working tree), built once per benchmark run.
 * @param bundled as the image ships it; false runs src/ through Node's type stripping.
 */
export function controllerArtefact(rev: string | undefined, bundled: boolean): Promise<Artefact> {
  const key = `${rev ?? ''}|${bundled}`;
  let artefact = built.get(key);
  if (!artefact) {
    artefact = buildArtefact(rev === undefined ? root : exportRev(rev), bundled);
    built.set(key, artefact);
  }
  return artefact;
}

async function buildArtefact(dir: string, bundled: boolean): Promise<Artefact> {
  const depsRss = path.join(import.meta.dirname, 'deps-rss.ts');
  if (!bundled) return { runModule: path.join(dir, 'src', 'run.ts'), depsRss };
  // Inside .cache, so packages resolve to the checkout's node_modules.
  const outDir = path.join(root, '.cache', `bench-bundle-${path.basename(dir)}`);
  await bundle({ ...controllerEntries(path.join(dir, 'src')), 'deps-rss': depsRss }, outDir);
  return { runModule: path.join(outDir, 'run.js'), depsRss: path.join(outDir, 'deps-rss.js') };
}

/** `rev`'s src/ and crds/, exported once to .cache. */
function exportRev(rev: string): string {
  const sha = execFileSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], {
    cwd: root,
    encoding: 'utf8',
  }).trim();
  const dir = path.join(root, '.cache', `bench-controller-${sha.slice(0, 12)}`);
  if (!existsSync(path.join(dir, 'src', 'run.ts'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${sha} src crds | tar -x -C '${dir}'`], { cwd: root });
  }
  return dir;
}
