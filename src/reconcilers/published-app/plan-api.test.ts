import { describe, expect, it } from '@jest/globals';
import {
  desiredIntegration,
  desiredRoutes,
  integrationDifferences,
  invokePath,
  planRoutes,
  routeConflict,
  routeKeys,
  type IntegrationFacts,
  type LiveRoute,
} from './plan-api.ts';

describe('routeKeys: ALB path patterns as HTTP API routes', () => {
  it.each<[string, string[], string[]]>([
    ['an exact path', ['/blue'], ['ANY /blue']],
    ['a segment prefix', ['/blue/*'], ['ANY /blue/{proxy+}']],
    ['the prefix and its root, as in the issue', ['/blue', '/blue/*'], ['ANY /blue', 'ANY /blue/{proxy+}']],
    ['everything', ['/*'], ['ANY /{proxy+}']],
    ['the root itself', ['/'], ['ANY /']],
    ['nested prefix', ['/a/b.c/*'], ['ANY /a/b.c/{proxy+}']],
  ])('%s: %j → %j', (_, patterns, keys) => {
    expect(routeKeys(patterns)).toEqual({ ok: true, keys });
  });

  it.each<[string, string[], string]>([
    ['* glued to a segment', ['/blue*'], '/blue*'],
    ['* inside the path', ['/blue/*/x'], '/blue/*/x'],
    ['? anywhere', ['/blu?'], '/blu?'],
    ['a trailing slash', ['/blue/'], '/blue/'],
    ['an empty segment', ['/a//b'], '/a//b'],
    ['one bad pattern among good ones', ['/blue', '/green*'], '/green*'],
  ])('%s (%j) is refused, naming %s', (_, patterns, bad) => {
    expect(routeKeys(patterns)).toMatchObject({
      ok: false,
      problem: { reason: 'PathNotExpressibleAsRoute', message: expect.stringContaining(`pattern ${bad} `) },
    });
  });

  it('refuses host headers, which a route cannot match', () => {
    expect(routeKeys(['/blue'], ['blue.example.com'])).toMatchObject({
      ok: false,
      problem: { reason: 'HostNotExpressibleAsRoute' },
    });
  });

  it('deduplicates keys', () => {
    expect(routeKeys(['/blue', '/blue'])).toEqual({ ok: true, keys: ['ANY /blue'] });
  });
});

describe('invokePath', () => {
  it.each([
    ['ANY /blue', '/blue'],
    ['ANY /blue/{proxy+}', '/blue/'],
    ['ANY /{proxy+}', '/'],
  ])('%s → %s', (key, path) => {
    expect(invokePath(key)).toBe(path);
  });
});

const facts: IntegrationFacts = {
  vpcLinkId: 'link1',
  listenerArn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/int/1/2',
  listenerProtocol: 'HTTPS',
  serverName: 'api.example.com',
  marker: 'publisher.privatelink.dev/uid=u1',
};

describe('desiredIntegration', () => {
  it('is HTTP_PROXY over the VPC link to the listener, verifying the name on HTTPS', () => {
    expect(desiredIntegration(facts)).toEqual({
      integrationType: 'HTTP_PROXY',
      connectionType: 'VPC_LINK',
      connectionId: 'link1',
      integrationUri: facts.listenerArn,
      integrationMethod: 'ANY',
      payloadFormatVersion: '1.0',
      serverNameToVerify: 'api.example.com',
      description: facts.marker,
    });
  });

  it.each<[string, Partial<IntegrationFacts>]>([
    ['an HTTP listener', { listenerProtocol: 'HTTP' }],
    ['no server name given', { serverName: undefined }],
  ])('has no TLS config for %s', (_, change) => {
    expect(desiredIntegration({ ...facts, ...change }).serverNameToVerify).toBeUndefined();
  });
});

describe('integrationDifferences', () => {
  const want = desiredIntegration(facts);
  it.each<[string, Partial<typeof want>, number]>([
    ['the same', {}, 0],
    ['another URI', { integrationUri: 'arn:x' }, 1],
    ['no VPC link', { connectionType: 'INTERNET', connectionId: '' }, 2],
    ['TLS config dropped', { serverNameToVerify: undefined }, 1],
    ['only the description differs (not compared)', { description: 'x' }, 0],
  ])('%s', (_, change, n) => {
    expect(integrationDifferences(want, { ...want, ...change })).toHaveLength(n);
  });
});

const route = (routeKey: string, target: string, extra: Partial<LiveRoute> = {}): LiveRoute => ({
  routeId: `r-${routeKey}-${target}`,
  routeKey,
  target,
  authorizationType: 'NONE',
  authorizationScopes: [],
  ...extra,
});
const OURS = 'integrations/i1';

describe('desiredRoutes', () => {
  it('authorizes as the spec says, scopes sorted', () => {
    expect(
      desiredRoutes(['ANY /blue'], 'i1', {
        authorizationType: 'JWT',
        authorizerId: 'a1',
        authorizationScopes: ['b', 'a'],
      }),
    ).toEqual([
      {
        routeKey: 'ANY /blue',
        target: OURS,
        authorizationType: 'JWT',
        authorizerId: 'a1',
        authorizationScopes: ['a', 'b'],
      },
    ]);
  });
  it('defaults to NONE', () => {
    expect(desiredRoutes(['ANY /blue'], 'i1', undefined)[0]?.authorizationType).toBe('NONE');
  });
});

describe('routeConflict', () => {
  it.each<[string, LiveRoute[], string | undefined]>([
    ['free key', [route('ANY /green', 'integrations/x')], undefined],
    ['our own route', [route('ANY /blue', OURS)], undefined],
    ['a foreign route with our key', [route('ANY /blue', 'integrations/x')], 'ApiRouteConflict'],
    ['a foreign route without target', [route('ANY /blue', '')], 'ApiRouteConflict'],
    ['a route to our other (duplicate) integration', [route('ANY /blue', 'integrations/i2')], undefined],
  ])('%s', (_, live, reason) => {
    expect(routeConflict(['ANY /blue'], live, [OURS, 'integrations/i2'])?.reason).toBe(reason);
  });
});

describe('planRoutes', () => {
  const want = desiredRoutes(['ANY /blue', 'ANY /blue/{proxy+}'], 'i1', undefined);

  it('creates what is missing, leaves foreign routes alone', () => {
    const plan = planRoutes(want, [route('ANY /blue', OURS), route('ANY /other', 'integrations/x')], [OURS]);
    expect(plan.create.map((r) => r.routeKey)).toEqual(['ANY /blue/{proxy+}']);
    expect(plan.update).toEqual([]);
    expect(plan.remove).toEqual([]);
  });

  it('puts authorization back on our route', () => {
    const live = [
      route('ANY /blue', OURS, { authorizationType: 'AWS_IAM' }),
      route('ANY /blue/{proxy+}', OURS),
    ];
    const plan = planRoutes(want, live, [OURS]);
    expect(plan.update.map((u) => [u.routeId, u.differences.length])).toEqual([
      ['r-ANY /blue-integrations/i1', 1],
    ]);
  });

  it('removes our routes the spec no longer has, never foreign ones', () => {
    const live = [
      route('ANY /blue', OURS),
      route('ANY /blue/{proxy+}', OURS),
      route('ANY /old', OURS),
      route('ANY /x', 'integrations/x'),
    ];
    expect(planRoutes(want, live, [OURS]).remove.map((r) => r.routeKey)).toEqual(['ANY /old']);
  });

  it('does not create over a foreign route with the key (a conflict, judged before)', () => {
    const plan = planRoutes(
      want,
      [route('ANY /blue', 'integrations/x'), route('ANY /blue/{proxy+}', OURS)],
      [OURS],
    );
    expect(plan.create).toEqual([]);
  });

  it('moves a route of our duplicate integration onto the chosen one', () => {
    const live = [route('ANY /blue', 'integrations/i2'), route('ANY /blue/{proxy+}', OURS)];
    const plan = planRoutes(want, live, [OURS, 'integrations/i2']);
    expect(plan.create).toEqual([]);
    expect(plan.update.map((u) => u.differences)).toEqual([
      [`route ANY /blue targets integrations/i2, not ${OURS}`],
    ]);
  });

  it('removes all of ours when nothing is desired', () => {
    expect(
      planRoutes([], [route('ANY /blue', OURS), route('ANY /x', 'integrations/x')], [OURS]).remove,
    ).toHaveLength(1);
  });
});
