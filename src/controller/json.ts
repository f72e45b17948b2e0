/** JSON value helpers: order-insensitive equality and RFC 7386 merge-patch diffs. */

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Normalises a value to what the API server would store: drops undefined, Dates → strings. */
export function toJson(value: unknown): Json {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Json);
}

function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep equality of JSON values; object key order is ignored, array order is not. */
export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}

/**
 * The RFC 7386 merge patch that turns `from` into `to`: changed keys set, removed keys null,
 * arrays and scalars replaced whole. Returns undefined when they are equal.
 */
export function mergePatch(from: Json | undefined, to: Json): Json | undefined {
  if (jsonEqual(from, to)) return undefined;
  if (!isObject(from) || !isObject(to)) return to;
  const patch: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(to)) {
    const sub = mergePatch(from[k], v);
    if (sub !== undefined) patch[k] = sub;
  }
  for (const k of Object.keys(from)) if (!(k in to)) patch[k] = null;
  return patch;
}
