import { describe, expect, it } from '@jest/globals';
import { DRY_RUN_ANNOTATION } from '../api/kinds.ts';
import { objectDryRun } from './dry-run.ts';

describe('objectDryRun', () => {
  it.each<[string, Record<string, string> | undefined, boolean]>([
    ['no annotations', undefined, false],
    ['"true"', { [DRY_RUN_ANNOTATION]: 'true' }, true],
    ['"false"', { [DRY_RUN_ANNOTATION]: 'false' }, false],
    ['anything else is not a yes', { [DRY_RUN_ANNOTATION]: 'yes' }, false],
    ['another annotation', { 'example.com/dry-run': 'true' }, false],
  ])('%s', (_, annotations, dry) => {
    expect(objectDryRun({ metadata: annotations ? { annotations } : {} })).toBe(dry);
  });
});
