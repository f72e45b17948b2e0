/**
 * Enough of Docker's build semantics to replay this repository's Dockerfile without a Docker
 * engine: parse stages, filter the build context with .dockerignore, and run each stage in a
 * directory standing for that stage's root filesystem. Replaying the final stage's COPY lines
 * yields exactly the files the image would hold.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';

/** One instruction, continuation lines joined. */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  /** `AS name`, or the stage's index as a string. */
  name: string;
  base: string;
  instructions: Instruction[];
}

/** Splits a Dockerfile into stages (comments and parser directives dropped). */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = lines[i] ?? '';
    if (/^\s*(#|$)/.test(logical)) continue;
    while (logical.endsWith('\\') && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? '';
      if (/^\s*#/.test(next)) continue; // comments inside a continued instruction are dropped
      logical = `${logical.slice(0, -1)} ${next.trim()}`;
    }
    const m = /^\s*(\w+)\s*(.*)$/.exec(logical);
    if (!m) throw new Error(`Dockerfile line ${start + 1}: cannot parse ${JSON.stringify(logical)}`);
    const keyword = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (keyword === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`Dockerfile line ${start + 1}: cannot parse FROM ${args}`);
      stages.push({ name: from[2] ?? String(stages.length), base: from[1]!, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (stage) stage.instructions.push({ keyword, args, line: start + 1 });
    else if (keyword !== 'ARG') throw new Error(`Dockerfile line ${start + 1}: ${keyword} before FROM`);
  }
  return stages;
}

/** An `ENV KEY=value` instruction as [key, value]; other forms are refused. */
export function parseEnv(ins: Instruction): [string, string] {
  const kv = /^(\w+)=(\S*)$/.exec(ins.args);
  if (!kv) throw new Error(`line ${ins.line}: only ENV KEY=value (one variable, no spaces) is supported`);
  return [kv[1]!, kv[2]!];
}

/** The environment a stage's ENV instructions set (the final stage's is the container's). */
export function stageEnv(stage: Stage): Record<string, string> {
  return Object.fromEntries(stage.instructions.filter((i) => i.keyword === 'ENV').map(parseEnv));
}

/** A COPY instruction's parts; sources and destination as written. */
export interface CopySpec {
  from: string | undefined;
  sources: string[];
  dest: string;
}

/** Parses `COPY [--from=x] [--chown=..] src... dest` (shell or JSON form). */
export function parseCopy(args: string): CopySpec {
  let rest = args;
  let from: string | undefined;
  for (;;) {
    const flag = /^--([a-z-]+)(?:=(\S+))?\s+/.exec(rest);
    if (!flag) break;
    if (flag[1] === 'from') from = flag[2];
    rest = rest.slice(flag[0].length);
  }
  const parts = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
  if (parts.length < 2) throw new Error(`COPY needs a source and a destination: ${args}`);
  return { from, sources: parts.slice(0, -1), dest: parts.at(-1)! };
}

/** Parses an exec-form (JSON array) CMD/ENTRYPOINT; undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  return Array.isArray(parsed) && parsed.every((p) => typeof p === 'string') ? parsed : undefined;
}

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` matches any number of directories, including none; a trailing `**` anything.
      if (pattern[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * .dockerignore semantics (moby/patternmatcher): patterns are relative to the context root,
 * the last matching pattern wins, `!` re-includes, and a pattern that matches a directory
 * matches everything below it.
 * @returns a predicate: true when `relPath` (slash-separated) is excluded from the context.
 */
export function dockerignoreMatcher(text: string): (relPath: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const body = path.posix.normalize((negate ? l.slice(1) : l).trim()).replace(/^\/+|\/+$/g, '');
      return { negate, re: globToRegExp(body) };
    });
  return (relPath) => {
    const parts = relPath.split('/');
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const rule of rules) {
      if (prefixes.some((p) => rule.re.test(p))) excluded = !rule.negate;
    }
    return excluded;
  };
}

/** Every file of `dir` (relative, slash-separated) that `excluded` keeps in the context. */
export function contextFiles(dir: string, excluded: (rel: string) => boolean, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) out.push(...contextFiles(dir, excluded, child));
    else if (!excluded(child)) out.push(child);
  }
  return out;
}

export interface ReplayOptions {
  contextDir: string;
  dockerfile: string;
  dockerignore: string;
  /** Where the stages' root filesystems are created. */
  workDir: string;
  /** Environment for RUN commands (the host stands in for the stage's base image). */
  runEnv: NodeJS.ProcessEnv;
  /**
   * Replaces a RUN whose command line is exactly this with a symlink to this node_modules,
   * when the stage's package-lock.json equals the context's: the same lockfile gives the same
   * tree, so a second full install only costs minutes.
   */
  reuseNodeModules?: { command: string; nodeModules: string };
}

export interface ReplayResult {
  /** Each stage's root filesystem, by stage name. */
  roots: Map<string, string>;
  final: Stage;
  /** The final stage's WORKDIR inside its root. */
  finalWorkdir: string;
  /** The final stage's ENV. */
  finalEnv: Record<string, string>;
}

function run(cmd: string, cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      ['-euo', 'pipefail', '-c', cmd],
      { cwd, env, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`RUN ${cmd} failed (${String(err.code)}):\n${stdout}\n${stderr}`));
        else resolve();
      },
    );
  });
}

/** Copies one COPY source into `dest` with Docker's rules: a directory's contents, a file as is. */
function copyInto(src: string, dest: string, destIsDir: boolean, filter?: (abs: string) => boolean): void {
  if (!existsSync(src)) throw new Error(`COPY source missing: ${src}`);
  const target = statSync(src).isDirectory() || !destIsDir ? dest : path.join(dest, path.basename(src));
  mkdirSync(statSync(src).isDirectory() ? target : path.dirname(target), { recursive: true });
  // Symlinks stay symlinks (node_modules/.bin), as in a Docker COPY.
  cpSync(src, target, { recursive: true, verbatimSymlinks: true, filter: filter ?? (() => true) });
}

interface CopyContext {
  root: string;
  workdir: string;
  roots: Map<string, string>;
  contextDir: string;
  ignored: (rel: string) => boolean;
}

/** One COPY: from an earlier stage's root, or from the build context minus .dockerignore. */
function applyCopy(ins: Instruction, c: CopyContext): void {
  const spec = parseCopy(ins.args);
  const destIsDir = spec.dest.endsWith('/') || spec.sources.length > 1;
  const dest = path.join(c.root, path.posix.resolve(c.workdir, spec.dest));
  for (const source of spec.sources) {
    if (spec.from !== undefined) {
      const fromRoot = c.roots.get(spec.from);
      if (!fromRoot) throw new Error(`line ${ins.line}: COPY --from=${spec.from}: no such earlier stage`);
      copyInto(path.join(fromRoot, source), dest, destIsDir);
      continue;
    }
    const rel = path.posix.normalize(source).replace(/^\/+|\/+$/g, '');
    if (c.ignored(rel)) throw new Error(`line ${ins.line}: COPY ${source}: excluded by .dockerignore`);
    const keep = (abs: string): boolean =>
      statSync(abs).isDirectory() || !c.ignored(path.relative(c.contextDir, abs).split(path.sep).join('/'));
    copyInto(path.join(c.contextDir, rel), dest, destIsDir, keep);
  }
}

/** Replays every stage of the Dockerfile; throws on the first instruction that would fail. */
export async function replay(opts: ReplayOptions): Promise<ReplayResult> {
  const stages = parseDockerfile(opts.dockerfile);
  const ignored = dockerignoreMatcher(opts.dockerignore);
  const roots = new Map<string, string>();
  let final: { stage: Stage; workdir: string; env: Record<string, string> } | undefined;
  for (const [index, stage] of stages.entries()) {
    const root = path.join(opts.workDir, `stage-${index}-${stage.name}`);
    mkdirSync(root, { recursive: true });
    roots.set(stage.name, root);
    let workdir = '/';
    const declared: Record<string, string> = {};
    for (const ins of stage.instructions) {
      const cwd = path.join(root, workdir);
      switch (ins.keyword) {
        case 'WORKDIR':
          workdir = path.posix.resolve(workdir, ins.args);
          mkdirSync(path.join(root, workdir), { recursive: true });
          break;
        case 'ENV': {
          const [key, value] = parseEnv(ins);
          declared[key] = value;
          break;
        }
        case 'COPY':
          applyCopy(ins, { root, workdir, roots, contextDir: opts.contextDir, ignored });
          break;
        case 'RUN': {
          const reuse = opts.reuseNodeModules;
          if (
            reuse &&
            ins.args === reuse.command &&
            sameLockfile(path.join(cwd, 'package-lock.json'), opts.contextDir)
          ) {
            symlinkSync(reuse.nodeModules, path.join(cwd, 'node_modules'));
          } else {
            await run(ins.args, cwd, { ...opts.runEnv, ...declared });
          }
          break;
        }
        default:
          break; // USER, CMD, EXPOSE, LABEL, ARG: metadata, nothing to replay
      }
    }
    final = { stage, workdir, env: declared };
  }
  if (!final) throw new Error('Dockerfile has no stage');
  return { roots, final: final.stage, finalWorkdir: final.workdir, finalEnv: final.env };
}

/** True when `lockfile` has the same bytes as the context's package-lock.json. */
function sameLockfile(lockfile: string, contextDir: string): boolean {
  const context = path.join(contextDir, 'package-lock.json');
  return existsSync(lockfile) && existsSync(context) && readFileSync(lockfile).equals(readFileSync(context));
}
