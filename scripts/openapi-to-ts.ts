/**
 * Turns the OpenAPI v3 subset that CRD structural schemas use into TypeScript declarations.
 * Pure: no I/O, no formatting beyond valid, readable TypeScript (Prettier runs afterwards).
 *
 * Supported: object (properties / additionalProperties), array, string (enum), integer,
 * number, boolean; `required`, `description` (→ JSDoc) and `default` (→ `@defaultValue`).
 * Anything else throws, so a schema feature the generator does not understand can never
 * silently become `unknown`.
 */

/** The part of a structural schema the generator reads; other keys are ignored. */
export interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  enum?: unknown[];
  default?: unknown;
}

/** One custom resource kind to render: its root `openAPIV3Schema`. */
export interface KindSchema {
  kind: string;
  /** `group/version`, rendered as the `apiVersion` literal. */
  apiVersion: string;
  schema: Schema;
}

/** Options of {@link renderTypes}. */
export interface RenderOptions {
  /**
   * Type names for nested objects by schema path (`spec.aws`, `status.conditions[]` for an
   * array's items). Unnamed nested objects are called `<Parent><Property>`. The same path in
   * two kinds gets one shared type when both render identically.
   */
  typeNames?: Record<string, string>;
  /** Text placed first in the output (e.g. a "generated, do not edit" comment). */
  header?: string;
}

class Renderer {
  private readonly declarations = new Map<string, string>();
  private readonly order: string[] = [];

  private readonly typeNames: Record<string, string>;

  constructor(typeNames: Record<string, string>) {
    this.typeNames = typeNames;
  }

  /** The declarations in first-use order (parents before children). */
  output(): string[] {
    return this.order.map((name) => this.declarations.get(name) ?? '');
  }

  renderKind(k: KindSchema): void {
    this.reserve(k.kind);
    const props = k.schema.properties ?? {};
    const required = new Set(k.schema.required ?? []);
    const fields = [
      field('apiVersion', undefined, quote(k.apiVersion), true),
      field('kind', undefined, quote(k.kind), true),
      field('metadata', undefined, 'V1ObjectMeta', false),
    ];
    for (const part of ['spec', 'status']) {
      const schema = props[part];
      if (!schema) continue;
      const name = `${k.kind}${pascal(part)}`;
      this.declareObject(name, schema, part);
      fields.push(field(part, schema.description, name, required.has(part)));
    }
    this.define(k.kind, interfaceSource(k.kind, k.schema.description, fields));
  }

  /** TypeScript type expression for `schema` found at `path`, inside type `parent`. */
  private typeOf(schema: Schema, path: string, parent: string, property: string): string {
    if (schema.enum) return schema.enum.map((v) => literal(v)).join(' | ');
    switch (schema.type) {
      case 'string':
        return 'string';
      case 'integer':
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'array': {
        if (!schema.items) throw new Error(`${path}: array without items`);
        const item = this.typeOf(schema.items, `${path}[]`, parent, property);
        return item.includes('|') ? `(${item})[]` : `${item}[]`;
      }
      case 'object':
        return this.objectType(schema, path, parent, property);
      default:
        throw new Error(`${path}: unsupported schema type ${String(schema.type)}`);
    }
  }

  private objectType(schema: Schema, path: string, parent: string, property: string): string {
    if (schema.properties) {
      const name = this.typeNames[path] ?? `${parent}${pascal(property)}`;
      this.declareObject(name, schema, path);
      return name;
    }
    const extra = schema.additionalProperties;
    if (extra && typeof extra === 'object') {
      return `Record<string, ${this.typeOf(extra, `${path}{}`, parent, property)}>`;
    }
    throw new Error(`${path}: object with neither properties nor typed additionalProperties`);
  }

  private declareObject(name: string, schema: Schema, path: string): void {
    this.reserve(name);
    const required = new Set(schema.required ?? []);
    const fields = Object.entries(schema.properties ?? {}).map(([prop, sub]) => {
      const type = this.typeOf(sub, `${path}.${prop}`, name, prop);
      return field(prop, docOf(sub), type, required.has(prop));
    });
    this.define(name, interfaceSource(name, schema.description, fields));
  }

  /** Keeps a type's place in the output before its children are rendered. */
  private reserve(name: string): void {
    if (!this.order.includes(name)) this.order.push(name);
  }

  private define(name: string, source: string): void {
    const existing = this.declarations.get(name);
    if (existing !== undefined && existing !== source) {
      throw new Error(`type ${name} is declared twice with different shapes`);
    }
    this.declarations.set(name, source);
  }
}

/** Description plus the default, as JSDoc text. */
function docOf(schema: Schema): string | undefined {
  const parts = [
    schema.description,
    schema.default === undefined ? undefined : `@defaultValue \`${JSON.stringify(schema.default)}\``,
  ];
  const text = parts.filter((p) => p !== undefined).join('\n');
  return text || undefined;
}

function field(name: string, doc: string | undefined, type: string, required: boolean): string {
  const key = /^[A-Za-z_$][\w$]*$/.test(name) ? name : quote(name);
  return `${jsdoc(doc, '  ')}  ${key}${required ? '' : '?'}: ${type};\n`;
}

function interfaceSource(name: string, description: string | undefined, fields: string[]): string {
  return `${jsdoc(description, '')}export interface ${name} {\n${fields.join('')}}\n`;
}

/** A JSDoc block, words wrapped to keep lines short (Prettier does not wrap comments). */
export function jsdoc(text: string | undefined, indent: string, width = 100): string {
  if (!text) return '';
  const lines: string[] = [];
  for (const paragraph of text.trim().split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && indent.length + 3 + line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    lines.push(line);
  }
  // "*/" inside a description would end the comment early.
  const safe = lines.map((l) => l.replaceAll('*/', '*\\/'));
  if (safe.length === 1) return `${indent}/** ${safe[0] ?? ''} */\n`;
  return `${indent}/**\n${safe.map((l) => `${indent} * ${l}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

function pascal(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function quote(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

function literal(v: unknown): string {
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new Error(`unsupported enum value ${JSON.stringify(v)}`);
}

/**
 * Renders TypeScript interfaces for custom resource kinds: `<Kind>`, `<Kind>Spec`,
 * `<Kind>Status` and one interface per nested object.
 */
export function renderTypes(kinds: KindSchema[], options: RenderOptions = {}): string {
  const renderer = new Renderer(options.typeNames ?? {});
  for (const k of kinds) renderer.renderKind(k);
  const imports = "import type { V1ObjectMeta } from '@kubernetes/client-node';\n";
  return [options.header ?? '', imports, ...renderer.output()].filter(Boolean).join('\n');
}
