/**
 * What the API front door reads while resolving, before any change: the app's paths as
 * route keys (plan-api.ts), the SharedListener's HTTP API, and that no route of another
 * party holds one of its keys. A refusal is a {@link StepProblem} on `api`.
 */
import type { ApiFrontDoor } from '../access/access.ts';
import * as ops from './aws-ops.ts';
import { routeConflict, routeKeys, type LiveRoute } from './plan-api.ts';
import { ownedRuleDescription } from './names.ts';
import { readKeys } from './scope-reads.ts';
import { StepProblem, type Session } from './session.ts';

/** The API hop as resolved: which API, where it is invoked, and the app's route keys. */
export interface ApiReferences {
  apiId: string;
  apiEndpoint: string;
  keys: string[];
  /** The app's integrations (by mark), the recorded one first. */
  integrations: ops.LiveIntegration[];
}

/** The API's routes, shared by the apps on it for a moment (invalidated after our writes). */
export function apiRoutes(s: Session, apiId: string): Promise<LiveRoute[]> {
  return s.deps.reads.get(
    readKeys.apiRoutes(s.clients.scope, apiId),
    () => ops.getRoutes(s.clients.apigatewayv2, apiId),
    s.readMaxAgeMs,
  );
}

/**
 * The app's integrations on the API, found by their mark (integrations carry no tags), the
 * recorded one first. Read fresh: drift of the integration is judged on it.
 */
export async function ownIntegrations(s: Session, apiId: string): Promise<ops.LiveIntegration[]> {
  const marker = ownedRuleDescription(s.uid);
  const ours = (await ops.getIntegrations(s.clients.apigatewayv2, apiId)).filter(
    (i) => i.description === marker,
  );
  const recorded = s.app.status?.apiIntegrationId;
  return ours.sort((a, b) => Number(b.integrationId === recorded) - Number(a.integrationId === recorded));
}

/** The route target of an integration. */
export const targetOf = (integrationId: string): string => `integrations/${integrationId}`;

/** The SharedListener's part, as far as it can be judged before any change. */
async function checkFrontDoor(
  s: Session,
  door: ApiFrontDoor,
  loadBalancer: ops.LoadBalancerInfo,
): Promise<void> {
  if (loadBalancer.securityGroupIds.length === 0)
    throw new StepProblem(
      'api',
      'AlbWithoutSecurityGroup',
      `load balancer ${loadBalancer.arn} has no security group`,
    );
  const given = door.vpcLink.vpcLinkId;
  if (given && !(await ops.getVpcLink(s.clients.apigatewayv2, given)))
    throw new StepProblem(
      'api',
      'VpcLinkNotFound',
      `VPC link ${given} of the SharedListener's front door not found`,
    );
}

/**
 * @returns undefined when the app's listener has no API front door.
 * @throws StepProblem `PathNotExpressibleAsRoute` / `HostNotExpressibleAsRoute` (nothing read),
 * `AlbWithoutSecurityGroup`, `VpcLinkNotFound`, `ApiNotFound` (no such API, or not an HTTP
 * API), `ApiRouteConflict`.
 */
export async function checkApi(
  s: Session,
  loadBalancer: ops.LoadBalancerInfo,
): Promise<ApiReferences | undefined> {
  const door = s.attachment.frontDoor;
  if (!door) return undefined;
  const { pathPatterns, hostHeaders } = s.app.spec.routing;
  const planned = routeKeys(pathPatterns, hostHeaders);
  if (!planned.ok) throw new StepProblem('api', planned.problem.reason, planned.problem.message);
  await checkFrontDoor(s, door, loadBalancer);
  const api = await s.deps.reads.get(
    readKeys.api(s.clients.scope, door.apiId),
    () => ops.getApi(s.clients.apigatewayv2, door.apiId),
    s.referenceMaxAgeMs,
  );
  if (api?.protocolType !== 'HTTP') {
    const what = api ? `is a ${api.protocolType} API, not an HTTP API` : 'not found';
    throw new StepProblem(
      'api',
      'ApiNotFound',
      `API ${door.apiId} of the SharedListener's front door ${what}`,
    );
  }
  const integrations = await ownIntegrations(s, door.apiId);
  const own = integrations.map((i) => targetOf(i.integrationId));
  const conflict = routeConflict(planned.keys, await apiRoutes(s, door.apiId), own);
  if (conflict) throw new StepProblem('api', conflict.reason, conflict.message);
  return { apiId: door.apiId, apiEndpoint: api.apiEndpoint, keys: planned.keys, integrations };
}
