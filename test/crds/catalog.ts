/**
 * Manifest catalogs for the CRD validation tests. Each file's header comment says what it
 * holds (`# Rejected: ...` / `# Accepted: ...`) and, for rejected ones, which fragments the
 * API server's error must contain (`# expect: ...`). A file of two documents tests an update:
 * the first document is created, the second is applied over it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One catalog file. */
export interface CatalogEntry {
  file: string;
  /** Fragments the error must contain (rejected manifests only). */
  expected: string[];
  /** Documents to create before `manifest` is applied (update cases). */
  setup: string[];
  manifest: string;
}

/** The `.yaml` files of a catalog directory, in name order. */
export function readCatalog(dir: string): CatalogEntry[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const text = readFileSync(path.join(dir, file), 'utf8');
      const expected = [...text.matchAll(/^# expect: (.+)$/gm)].map((m) => m[1]!.trim());
      const docs = text.split(/^---$/m);
      return { file, expected, setup: docs.slice(0, -1), manifest: docs.at(-1)! };
    });
}

/**
 * The individual errors in kubectl's "… is invalid: …" message, without the API server's
 * note that further rules were skipped because of them.
 */
export function validationErrors(stderr: string): string[] {
  const detail = stderr.split(' is invalid: ')[1]?.trim();
  if (!detail) return [];
  const bullets = detail.split('\n').filter((l) => l.startsWith('* '));
  const errors = bullets.length > 0 ? bullets.map((l) => l.slice(2)) : [detail];
  return errors.filter((e) => !e.includes('some validation rules were not checked'));
}
