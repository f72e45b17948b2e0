import { jsdoc, renderTypes, type Schema } from '../../scripts/openapi-to-ts.ts';

/** Renders one kind whose spec is `spec` and returns the body of the `Thing`Spec interface. */
function specBody(spec: Schema, typeNames?: Record<string, string>): string {
  const out = renderTypes(
    [{ kind: 'Thing', apiVersion: 'g.example/v1', schema: { type: 'object', properties: { spec } } }],
    { typeNames },
  );
  const match = /export interface ThingSpec \{\n([\s\S]*?)\n\}/.exec(out);
  if (!match?.[1]) throw new Error(`no ThingSpec in:\n${out}`);
  return match[1];
}

describe('renderTypes', () => {
  test.each<[string, Schema, string]>([
    ['string', { type: 'string' }, 'a?: string;'],
    ['integer', { type: 'integer' }, 'a?: number;'],
    ['number', { type: 'number' }, 'a?: number;'],
    ['boolean', { type: 'boolean' }, 'a?: boolean;'],
    ['string enum', { type: 'string', enum: ['Delete', 'Retain'] }, "a?: 'Delete' | 'Retain';"],
    ['array of strings', { type: 'array', items: { type: 'string' } }, 'a?: string[];'],
    ['array of enum', { type: 'array', items: { type: 'string', enum: ['x', 'y'] } }, "a?: ('x' | 'y')[];"],
    [
      'string map',
      { type: 'object', additionalProperties: { type: 'string' } },
      'a?: Record<string, string>;',
    ],
    [
      'map of arrays',
      { type: 'object', additionalProperties: { type: 'array', items: { type: 'integer' } } },
      'a?: Record<string, number[]>;',
    ],
  ])('%s', (_name, schema, expected) => {
    expect(specBody({ type: 'object', properties: { a: schema } })).toBe(`  ${expected}`);
  });

  test('required properties are not optional; others are', () => {
    const body = specBody({
      type: 'object',
      required: ['b'],
      properties: { a: { type: 'string' }, b: { type: 'string' } },
    });
    expect(body).toBe('  a?: string;\n  b: string;');
  });

  test('description and default become JSDoc', () => {
    const body = specBody({
      type: 'object',
      properties: { a: { type: 'boolean', description: 'Whether.', default: true } },
    });
    expect(body).toBe('  /**\n   * Whether.\n   * @defaultValue `true`\n   */\n  a?: boolean;');
  });

  test('nested objects get named interfaces: from typeNames by path, else <Parent><Property>', () => {
    const out = renderTypes(
      [
        {
          kind: 'Thing',
          apiVersion: 'g.example/v1',
          schema: {
            type: 'object',
            required: ['spec'],
            properties: {
              spec: {
                type: 'object',
                properties: {
                  named: { type: 'object', properties: { x: { type: 'string' } } },
                  unnamed: { type: 'object', properties: { y: { type: 'string' } } },
                  list: {
                    type: 'array',
                    items: { type: 'object', required: ['z'], properties: { z: { type: 'string' } } },
                  },
                },
              },
            },
          },
        },
      ],
      { typeNames: { 'spec.named': 'Named', 'spec.list[]': 'ListItem' } },
    );
    expect(out).toContain(
      "export interface Thing {\n  apiVersion: 'g.example/v1';\n  kind: 'Thing';\n  metadata?: V1ObjectMeta;\n  spec: ThingSpec;\n}",
    );
    expect(out).toContain('  named?: Named;\n  unnamed?: ThingSpecUnnamed;\n  list?: ListItem[];');
    expect(out).toContain('export interface Named {\n  x?: string;\n}');
    expect(out).toContain('export interface ThingSpecUnnamed {\n  y?: string;\n}');
    expect(out).toContain('export interface ListItem {\n  z: string;\n}');
    // Parents come before their children.
    expect(out.indexOf('interface Thing {')).toBeLessThan(out.indexOf('interface ThingSpec {'));
    expect(out.indexOf('interface ThingSpec {')).toBeLessThan(out.indexOf('interface Named {'));
  });

  test('the same path in two kinds shares one type when the shapes agree', () => {
    const aws: Schema = { type: 'object', properties: { region: { type: 'string' } } };
    const kind = (k: string) => ({
      kind: k,
      apiVersion: 'g.example/v1',
      schema: { type: 'object', properties: { spec: { type: 'object', properties: { aws } } } },
    });
    const out = renderTypes([kind('A'), kind('B')], { typeNames: { 'spec.aws': 'Aws' } });
    expect(out.match(/export interface Aws \{/g)).toHaveLength(1);
  });

  test('the same type name with two shapes is an error', () => {
    const kind = (k: string, t: string) => ({
      kind: k,
      apiVersion: 'g.example/v1',
      schema: {
        type: 'object',
        properties: {
          spec: { type: 'object', properties: { aws: { type: 'object', properties: { r: { type: t } } } } },
        },
      },
    });
    expect(() =>
      renderTypes([kind('A', 'string'), kind('B', 'integer')], { typeNames: { 'spec.aws': 'Aws' } }),
    ).toThrow('type Aws is declared twice with different shapes');
  });

  test.each<[string, Schema, string]>([
    ['an array without items', { type: 'array' }, 'spec.a: array without items'],
    ['an untyped field', {}, 'spec.a: unsupported schema type undefined'],
    ['an object without a shape', { type: 'object' }, 'spec.a: object with neither properties'],
  ])('rejects %s instead of guessing', (_name, schema, message) => {
    expect(() => specBody({ type: 'object', properties: { a: schema } })).toThrow(message);
  });
});

describe('jsdoc', () => {
  test('short text is one line; nothing for no text', () => {
    expect(jsdoc('Hello.', '  ')).toBe('  /** Hello. */\n');
    expect(jsdoc(undefined, '')).toBe('');
  });

  test('wraps words to the width and keeps paragraphs', () => {
    const text = `${'word '.repeat(30).trim()}\n@defaultValue \`1\``;
    const lines = jsdoc(text, '', 40).split('\n');
    expect(lines[0]).toBe('/**');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(40);
    expect(lines).toContain(' * @defaultValue `1`');
    expect(lines.join(' ').match(/word/g)).toHaveLength(30);
  });

  test('escapes a comment terminator', () => {
    expect(jsdoc('a */ b', '')).toBe('/** a *\\/ b */\n');
  });
});
