import { readFileSync } from 'node:fs';
import { generateApiTypes, outputFile } from '../../scripts/gen-api-types.ts';

describe('src/api/v1alpha1.ts', () => {
  test('equals a fresh generation from crds/ (run `npm run gen:types` after changing a CRD)', async () => {
    const committed = readFileSync(outputFile, 'utf8');
    expect(committed).toBe(await generateApiTypes());
  });
});
