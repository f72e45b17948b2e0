import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { API_GROUP, API_VERSION, ENDPOINT_SERVICE, GROUP_VERSION, PUBLISHED_APP } from './kinds.ts';

const crdDir = path.resolve(import.meta.dirname, '../../crds');

interface Crd {
  spec: { group: string; names: { kind: string; plural: string }; versions: { name: string }[] };
}

describe('kinds match the CRDs', () => {
  test.each([
    ['publisher.privatelink.dev_endpointservices.yaml', ENDPOINT_SERVICE],
    ['publisher.privatelink.dev_publishedapps.yaml', PUBLISHED_APP],
  ])('%s', (file, kind) => {
    const crd = parse(readFileSync(path.join(crdDir, file), 'utf8')) as Crd;
    expect(kind).toEqual({
      group: crd.spec.group,
      version: crd.spec.versions[0]?.name,
      plural: crd.spec.names.plural,
      kind: crd.spec.names.kind,
    });
    expect(GROUP_VERSION).toBe(`${API_GROUP}/${API_VERSION}`);
  });
});
