import type { RouteClaim } from '../../api/v1alpha1.ts';
import { claimProblem, hostWithin, pathWithin, priorityProblem } from './claims.ts';

describe('pathWithin', () => {
  test.each([
    ['/blue', '/blue', true],
    ['/blue/*', '/blue', true],
    ['/blue/x/y', '/blue', true],
    ['/blue/*', '/blue/', true],
    ['/anything*', '/', true],
    // Not at a segment boundary: /blue* and /blueberry reach past /blue.
    ['/blue*', '/blue', false],
    ['/blueberry', '/blue', false],
    ['/b*/x', '/blue', false],
    ['/', '/blue', false],
    ['/green/*', '/blue', false],
  ])('%s within %s → %s', (pattern, prefix, expected) => {
    expect(pathWithin(pattern, prefix)).toBe(expected);
  });
});

describe('hostWithin', () => {
  test.each([
    ['api.example.com', 'api.example.com', true],
    ['API.Example.com', 'api.example.com', true],
    ['a.green.example.com', '*.green.example.com', true],
    ['*.green.example.com', '*.green.example.com', true],
    ['x*.green.example.com', '*.green.example.com', true],
    ['green.example.com', '*.green.example.com', false],
    ['evilgreen.example.com', '*.green.example.com', false],
    ['*.example.com', '*.green.example.com', false],
    ['*', '*.green.example.com', false],
    ['api.example.com', 'other.example.com', false],
  ])('%s within %s → %s', (host, allowed, expected) => {
    expect(hostWithin(host, allowed)).toBe(expected);
  });
});

describe('claimProblem', () => {
  const claims: RouteClaim[] = [
    { namespaces: ['team-blue'], pathPrefixes: ['/blue'] },
    { namespaces: ['team-green', 'team-red'], hostnames: ['*.green.example.com'] },
    { namespaces: ['team-green'], pathPrefixes: ['/green'] },
    { namespaces: ['team-red'], hostnames: ['red.example.com'], pathPrefixes: ['/red'] },
  ];
  test.each([
    ['no claims: anything', undefined, 'mallory', { pathPatterns: ['/'] }, undefined],
    ['inside its prefix', claims, 'team-blue', { pathPatterns: ['/blue', '/blue/*'] }, undefined],
    [
      'one path outside',
      claims,
      'team-blue',
      { pathPatterns: ['/blue', '/admin/*'] },
      /paths \/blue, \/admin\/\* not within .* paths under \/blue/,
    ],
    [
      'a namespace no claim names',
      claims,
      'mallory',
      { pathPatterns: ['/mallory'] },
      /delegates no hosts or paths to namespace mallory/,
    ],
    [
      'hosts under its wildcard, any path',
      claims,
      'team-red',
      { hostHeaders: ['a.green.example.com'], pathPatterns: ['/x'] },
      undefined,
    ],
    ['a host claim needs a host', claims, 'team-red', { pathPatterns: ['/x'] }, /paths \/x not within/],
    ['fits the second of its claims', claims, 'team-green', { pathPatterns: ['/green/*'] }, undefined],
    // Must fit one entry: hosts from one and paths from another do not combine.
    [
      'no mixing of entries',
      claims,
      'team-red',
      { hostHeaders: ['red.example.com'], pathPatterns: ['/x'] },
      /hosts red\.example\.com with paths \/x not within/,
    ],
  ])('%s', (_, given, namespace, routing, expected) => {
    const problem = claimProblem(given, namespace, routing);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });
});

describe('priorityProblem', () => {
  test.each([
    [undefined, { min: 100, max: 199 }, undefined],
    [100, { min: 100, max: 199 }, undefined],
    [199, { min: 100, max: 199 }, undefined],
    [99, { min: 100, max: 199 }, "priority 99 is outside the listener's range 100-199"],
    [200, { min: 100 }, undefined],
    [50_000, undefined, undefined],
    [5, { min: 10 }, "priority 5 is outside the listener's range 10-50000"],
  ])('%s in %j → %s', (priority, range, expected) => {
    expect(priorityProblem(priority, range)).toBe(expected);
  });
});
