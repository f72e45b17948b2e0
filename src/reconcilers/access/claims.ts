/**
 * What an app may claim on a SharedListener: its host headers and path patterns must fit in
 * one claim entry naming its namespace, and an explicit priority must lie in the listener's
 * range. Pure; the messages say exactly what was outside.
 */
import type { PriorityRange, RouteClaim, RoutingSpec } from '../../api/v1alpha1.ts';

/** ALB's priority bounds, the range when a listener sets none. */
export const PRIORITY_BOUNDS = { min: 1, max: 50_000 } as const;

/** The listener's range with defaults filled in. */
export function priorityRange(range: PriorityRange | undefined): { min: number; max: number } {
  return { min: range?.min ?? PRIORITY_BOUNDS.min, max: range?.max ?? PRIORITY_BOUNDS.max };
}

/**
 * Whether `pattern` (an ALB path pattern) can only match paths under `prefix`: the pattern is
 * the prefix itself or continues it at a segment boundary. A wildcard before that point
 * could match outside, so it does not count.
 */
export function pathWithin(pattern: string, prefix: string): boolean {
  if (prefix === '/' || pattern === prefix) return true;
  const base = prefix.endsWith('/') ? prefix : `${prefix}/`;
  return pattern.startsWith(base);
}

/**
 * Whether host header pattern `host` can only match names `allowed` covers: the same name,
 * or, for `*.example.com`, anything ending in `.example.com` (wildcards in front included).
 */
export function hostWithin(host: string, allowed: string): boolean {
  const h = host.toLowerCase();
  const a = allowed.toLowerCase();
  if (h === a) return true;
  return a.startsWith('*.') && h.endsWith(a.slice(1)) && h.length > a.length - 1;
}

function fits(claim: RouteClaim, routing: RoutingSpec): boolean {
  const hosts = routing.hostHeaders ?? [];
  const hostsOk =
    claim.hostnames === undefined ||
    (hosts.length > 0 && hosts.every((h) => claim.hostnames?.some((a) => hostWithin(h, a))));
  const pathsOk =
    claim.pathPrefixes === undefined ||
    routing.pathPatterns.every((p) => claim.pathPrefixes?.some((pre) => pathWithin(p, pre)));
  return hostsOk && pathsOk;
}

function describeClaim(c: RouteClaim): string {
  const hosts = c.hostnames ? `hosts ${c.hostnames.join(', ')}` : 'any host';
  const paths = c.pathPrefixes ? `paths under ${c.pathPrefixes.join(', ')}` : 'any path';
  return `${hosts} with ${paths}`;
}

/**
 * @returns undefined when `routing` is within what `claims` let `namespace` claim (no claims:
 * anything), else the reason it is not.
 */
export function claimProblem(
  claims: readonly RouteClaim[] | undefined,
  namespace: string,
  routing: RoutingSpec,
): string | undefined {
  if (claims === undefined) return undefined;
  const mine = claims.filter((c) => c.namespaces.includes(namespace));
  if (mine.length === 0) return `the listener delegates no hosts or paths to namespace ${namespace}`;
  if (mine.some((c) => fits(c, routing))) return undefined;
  const asked = [
    ...(routing.hostHeaders?.length ? [`hosts ${routing.hostHeaders.join(', ')}`] : []),
    `paths ${routing.pathPatterns.join(', ')}`,
  ].join(' with ');
  return `${asked} not within what namespace ${namespace} may claim: ${mine.map(describeClaim).join('; or ')}`;
}

/** @returns undefined when `priority` is absent or in `range`, else why not. */
export function priorityProblem(
  priority: number | undefined,
  range: PriorityRange | undefined,
): string | undefined {
  const { min, max } = priorityRange(range);
  if (priority === undefined || (priority >= min && priority <= max)) return undefined;
  return `priority ${priority} is outside the listener's range ${min}-${max}`;
}
