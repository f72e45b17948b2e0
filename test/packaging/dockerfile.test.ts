/** The Dockerfile replayer's parsing and .dockerignore rules (pure; tables). */
import { dockerignoreMatcher, execForm, parseCopy, parseDockerfile, stageEnv } from './dockerfile.ts';

describe('dockerignoreMatcher', () => {
  const allowList = '*\n!package.json\n!src\nsrc/**/*.test.ts\n# comment\n';
  test.each([
    [allowList, 'package.json', false],
    [allowList, 'package-lock.json', true],
    [allowList, 'node_modules/pino/index.js', true],
    [allowList, 'src/main.ts', false],
    [allowList, 'src/aws/errors.ts', false],
    [allowList, 'src/aws/errors.test.ts', true],
    [allowList, 'src/main.test.ts', true],
    [allowList, 'test/env/context.ts', true],
    ['node_modules\n', 'node_modules/a/b.js', true],
    ['node_modules\n', 'src/node_modules.ts', false],
    ['/dist/\n', 'dist/main.js', true],
    ['**/*.md\n!README.md\n', 'docs/api.md', true],
    ['**/*.md\n!README.md\n', 'README.md', false],
    ['*.log\n', 'a.log', true],
    ['*.log\n', 'logs/a.log', false],
    ['src/?.ts\n', 'src/a.ts', true],
    ['src/?.ts\n', 'src/ab.ts', false],
    ['', 'anything', false],
  ])('%j: %s excluded=%s', (rules, file, excluded) => {
    expect(dockerignoreMatcher(rules)(file)).toBe(excluded);
  });
});

describe('parseCopy', () => {
  test.each([
    [
      'package.json package-lock.json ./',
      { from: undefined, sources: ['package.json', 'package-lock.json'], dest: './' },
    ],
    ['--from=build /app/dist ./dist', { from: 'build', sources: ['/app/dist'], dest: './dist' }],
    ['--chown=65532:65532 --from=deps /a /b', { from: 'deps', sources: ['/a'], dest: '/b' }],
    ['["a b", "c"]', { from: undefined, sources: ['a b'], dest: 'c' }],
  ])('%s', (args, want) => {
    expect(parseCopy(args)).toEqual(want);
  });

  test('a COPY without a destination is an error', () => {
    expect(() => parseCopy('only-source')).toThrow('needs a source and a destination');
  });
});

test('execForm accepts only a JSON array of strings', () => {
  expect(execForm('["dist/main.js"]')).toEqual(['dist/main.js']);
  expect(execForm('node dist/main.js')).toBeUndefined();
  expect(execForm('[1]')).toBeUndefined();
});

test('parseDockerfile: stages, continuations, comments, ARG before FROM', () => {
  const stages = parseDockerfile(
    [
      '# syntax=docker/dockerfile:1',
      'ARG BASE=node:24-slim',
      'FROM node:24-slim AS build',
      'WORKDIR /app',
      'RUN npm ci \\',
      '  # a comment inside',
      '  --omit=dev',
      '',
      'FROM --platform=linux/amd64 gcr.io/distroless/nodejs24-debian12:nonroot',
      'CMD ["dist/main.js"]',
    ].join('\n'),
  );
  expect(stages).toEqual([
    {
      name: 'build',
      base: 'node:24-slim',
      instructions: [
        { keyword: 'WORKDIR', args: '/app', line: 4 },
        { keyword: 'RUN', args: 'npm ci  --omit=dev', line: 5 },
      ],
    },
    {
      name: '1',
      base: 'gcr.io/distroless/nodejs24-debian12:nonroot',
      instructions: [{ keyword: 'CMD', args: '["dist/main.js"]', line: 10 }],
    },
  ]);
  expect(() => parseDockerfile('RUN true\n')).toThrow('RUN before FROM');
});

describe('stageEnv', () => {
  const finalOf = (text: string) => parseDockerfile(text).at(-1)!;
  test.each([
    ['FROM a\nENV X=1\nFROM b\nENV Y=2\nENV Z=a=b\n', { Y: '2', Z: 'a=b' }],
    [
      'FROM b\nENV NODE_OPTIONS=--max-semi-space-size=8\nENV X=1\nENV X=2\n',
      { NODE_OPTIONS: '--max-semi-space-size=8', X: '2' },
    ],
    ['FROM b\nENV X=\n', { X: '' }],
    ['FROM b\nRUN true\n', {}],
  ])('%j', (text, env) => {
    expect(stageEnv(finalOf(text))).toEqual(env);
  });

  test('refuses the legacy and multi-variable forms', () => {
    expect(() => stageEnv(finalOf('FROM b\nENV X 1\n'))).toThrow('line 2: only ENV KEY=value');
    expect(() => stageEnv(finalOf('FROM b\n\nENV X=1 Y=2\n'))).toThrow('line 3: only ENV KEY=value');
  });
});
