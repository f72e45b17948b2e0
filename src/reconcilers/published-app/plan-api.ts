/**
 * The API Gateway front door, planned (ADR 0012): the app's ALB path patterns as HTTP API
 * route keys, its integration (HTTP_PROXY over the VPC link to the listener), and the diff of
 * both against what the API holds. Pure.
 *
 * Path mapping. An ALB pattern matches the whole path, `*` any run of characters (`/` too)
 * and `?` one character; an HTTP API route matches an exact path or, with a greedy
 * `{proxy+}` as its last segment, every path below a prefix. So only two shapes carry over:
 * an exact path (`/blue` → `ANY /blue`) and a segment prefix (`/blue/*` → `ANY
 * /blue/{proxy+}`, `/*` → `ANY /{proxy+}`). The one difference, said in docs/api.md: `/blue/`
 * itself matches the ALB pattern but not the route (`{proxy+}` needs a segment). Anything
 * else — `?`, a `*` inside or glued to a segment (`/blue*`), empty segments — has no route,
 * and host headers cannot be matched by a route at all; those are refused before any change.
 */
import type { RoutingSpecApi } from '../../api/v1alpha1.ts';

/** Why a spec cannot be put on the API; the reason is the ApiRouteConfigured reason. */
export interface ApiProblem {
  reason: 'PathNotExpressibleAsRoute' | 'HostNotExpressibleAsRoute' | 'ApiRouteConflict';
  message: string;
}

/** Route keys, or why the routing has none. */
export type RouteKeys = { ok: true; keys: string[] } | { ok: false; problem: ApiProblem };

const PROXY = '{proxy+}';

/** The route path of one ALB pattern, or why there is none. */
function routePath(pattern: string): string | ApiProblem {
  const wildcard = pattern.endsWith('/*');
  const path = wildcard ? pattern.slice(0, -1) : pattern;
  const refuse = (why: string): ApiProblem => ({
    reason: 'PathNotExpressibleAsRoute',
    message: `path pattern ${pattern} has no HTTP API route: ${why}`,
  });
  if (/[*?]/.test(path))
    return refuse('only a trailing /* (every path below a prefix) carries over; ? and other * do not');
  if (path.includes('//')) return refuse('a route path has no empty segments');
  if (wildcard) return `${path}${PROXY}`;
  if (path !== '/' && path.endsWith('/')) return refuse('a route path has no trailing /');
  return path;
}

/**
 * The route keys (`ANY <path>`) for an app's routing, deduplicated, in the spec's order.
 * Refused whole when any pattern or a host header has no route.
 */
export function routeKeys(pathPatterns: readonly string[], hostHeaders: readonly string[] = []): RouteKeys {
  if (hostHeaders.length > 0)
    return {
      ok: false,
      problem: {
        reason: 'HostNotExpressibleAsRoute',
        message: `host headers (${hostHeaders.join(', ')}) cannot be matched by an HTTP API route; publish the app by path only, or on a listener without the API front door`,
      },
    };
  const keys: string[] = [];
  for (const pattern of pathPatterns) {
    const path = routePath(pattern);
    if (typeof path !== 'string') return { ok: false, problem: path };
    if (!keys.includes(`ANY ${path}`)) keys.push(`ANY ${path}`);
  }
  return { ok: true, keys };
}

/** The URL path a client uses for the first route (its `{proxy+}` left out). */
export function invokePath(key: string): string {
  const path = key.replace(/^ANY /, '');
  return path.endsWith(PROXY) ? path.slice(0, -PROXY.length) : path;
}

/** An integration as the controller sets it and compares it. */
export interface IntegrationShape {
  integrationType: string;
  connectionType: string;
  connectionId: string;
  integrationUri: string;
  integrationMethod: string;
  payloadFormatVersion: string;
  /** Absent: no tlsConfig. */
  serverNameToVerify?: string;
  /** The ownership mark (integrations carry no tags). */
  description: string;
}

/** What the app's integration must be. */
export interface IntegrationFacts {
  vpcLinkId: string;
  listenerArn: string;
  listenerProtocol: string;
  /** The SharedListener's serverNameToVerify. */
  serverName?: string;
  /** The marker naming the app (names.ts ownedRuleDescription). */
  marker: string;
}

/** HTTP_PROXY over the VPC link to the listener; the server name only for HTTPS. */
export function desiredIntegration(f: IntegrationFacts): IntegrationShape {
  const tls = f.listenerProtocol === 'HTTPS' && f.serverName ? { serverNameToVerify: f.serverName } : {};
  return {
    integrationType: 'HTTP_PROXY',
    connectionType: 'VPC_LINK',
    connectionId: f.vpcLinkId,
    integrationUri: f.listenerArn,
    integrationMethod: 'ANY',
    payloadFormatVersion: '1.0',
    ...tls,
    description: f.marker,
  };
}

const INTEGRATION_FIELDS = [
  'integrationType',
  'connectionType',
  'connectionId',
  'integrationUri',
  'integrationMethod',
  'payloadFormatVersion',
  'serverNameToVerify',
] as const;

/** How the live integration differs from the desired one, one phrase per field. */
export function integrationDifferences(desired: IntegrationShape, live: IntegrationShape): string[] {
  return INTEGRATION_FIELDS.filter((f) => desired[f] !== live[f]).map(
    (f) => `integration ${f} is ${live[f] ?? '(none)'}, not ${desired[f] ?? '(none)'}`,
  );
}

/** A route as the controller sets it and compares it. */
export interface RouteShape {
  routeKey: string;
  target: string;
  authorizationType: string;
  authorizerId?: string;
  authorizationScopes: string[];
}

/** A route on the API, with its id. */
export interface LiveRoute extends RouteShape {
  routeId: string;
}

/** The routes to hold: one per key, to the integration, authorized as the spec says. */
export function desiredRoutes(
  keys: readonly string[],
  integrationId: string,
  api: RoutingSpecApi | undefined,
): RouteShape[] {
  const authorizer = api?.authorizerId ? { authorizerId: api.authorizerId } : {};
  return keys.map((routeKey) => ({
    routeKey,
    target: `integrations/${integrationId}`,
    authorizationType: api?.authorizationType ?? 'NONE',
    ...authorizer,
    authorizationScopes: [...(api?.authorizationScopes ?? [])].sort(),
  }));
}

/** A route key held on the API by a route not to one of our integrations; refused before any change. */
export function routeConflict(
  keys: readonly string[],
  live: readonly LiveRoute[],
  ownTargets: readonly string[],
): ApiProblem | undefined {
  const taken = live.filter((r) => keys.includes(r.routeKey) && !ownTargets.includes(r.target));
  if (taken.length === 0) return undefined;
  return {
    reason: 'ApiRouteConflict',
    message: `route(s) ${taken.map((r) => `${r.routeKey} (${r.routeId})`).join(', ')} already exist on the API and are not this app's`,
  };
}

/** The changes that make the app's routes the desired ones. */
export interface RoutePlan {
  create: RouteShape[];
  update: { routeId: string; route: RouteShape; differences: string[] }[];
  /** Our routes (to our integration) whose key the spec no longer has. */
  remove: LiveRoute[];
}

function routeDifferences(want: RouteShape, have: LiveRoute): string[] {
  const out: string[] = [];
  if (have.target !== want.target)
    out.push(`route ${want.routeKey} targets ${have.target}, not ${want.target}`);
  if (have.authorizationType !== want.authorizationType)
    out.push(
      `route ${want.routeKey} authorization is ${have.authorizationType}, not ${want.authorizationType}`,
    );
  if (have.authorizerId !== want.authorizerId)
    out.push(
      `route ${want.routeKey} authorizer is ${have.authorizerId ?? '(none)'}, not ${want.authorizerId ?? '(none)'}`,
    );
  if ([...have.authorizationScopes].sort().join(' ') !== want.authorizationScopes.join(' '))
    out.push(`route ${want.routeKey} scopes differ`);
  return out;
}

/**
 * Diff of the API's routes against the desired ones. Only routes to one of `ownTargets` (our
 * integrations, by mark) are ours: HTTP API routes carry no tags. A desired key held by
 * another route is a conflict, judged before this (`routeConflict`), so it is not planned.
 */
export function planRoutes(
  desired: readonly RouteShape[],
  live: readonly LiveRoute[],
  ownTargets: readonly string[],
): RoutePlan {
  const ours = live.filter((r) => ownTargets.includes(r.target));
  const plan: RoutePlan = { create: [], update: [], remove: [] };
  for (const want of desired) {
    const have = ours.find((r) => r.routeKey === want.routeKey);
    if (!have) {
      if (!live.some((r) => r.routeKey === want.routeKey)) plan.create.push(want);
      continue;
    }
    const differences = routeDifferences(want, have);
    if (differences.length > 0) plan.update.push({ routeId: have.routeId, route: want, differences });
  }
  plan.remove = ours.filter((r) => !desired.some((d) => d.routeKey === r.routeKey));
  return plan;
}
