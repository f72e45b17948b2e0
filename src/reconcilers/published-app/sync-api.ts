/**
 * Step: the API hop (behind the API front door only) — the SharedListener's VPC link and ALB
 * SG rule (front-door.ts), then the app's integration (HTTP_PROXY over the link to the
 * listener, marked by its description) and its routes (one per key, to that integration).
 * Reported on `api` (ApiRouteConfigured); what differs while it was True is drift: put back,
 * `Drifted`. Routes of others on the API are never changed (routeConflict refused them first).
 */
import type { ApiFrontDoor } from '../access/access.ts';
import { apiRoutes, ownIntegrations, targetOf, type ApiReferences } from './api-reads.ts';
import * as ops from './aws-ops.ts';
import { classifyChange } from './drift.ts';
import { ensureFrontDoor, othersOnListener, releaseFrontDoor } from './front-door.ts';
import { ownedRuleDescription } from './names.ts';
import {
  desiredIntegration,
  desiredRoutes,
  integrationDifferences,
  invokePath,
  planRoutes,
} from './plan-api.ts';
import type { References } from './resolve.ts';
import { readKeys } from './scope-reads.ts';
import { PLANNED, type Session } from './session.ts';

/** The app's integration as wanted, created or put back. @returns its id and what was put back. */
async function syncIntegration(
  s: Session,
  refs: References,
  api: ApiReferences,
  link: { vpcLinkId: string; door: ApiFrontDoor },
): Promise<{ id: string; differences: string[] }> {
  const want = desiredIntegration({
    vpcLinkId: link.vpcLinkId,
    listenerArn: refs.listener.listenerArn,
    listenerProtocol: refs.listener.protocol,
    serverName: link.door.serverNameToVerify,
    marker: ownedRuleDescription(s.uid),
  });
  const client = s.clients.apigatewayv2;
  const [have] = api.integrations;
  if (!have) {
    const id = await s.act('Create', `create integration to ${want.integrationUri} on API ${api.apiId}`, () =>
      ops.createIntegration(client, api.apiId, want),
    );
    return { id: id ?? PLANNED, differences: s.app.status?.apiIntegrationId ? ['integration missing'] : [] };
  }
  const differences = integrationDifferences(want, have);
  if (differences.length > 0)
    await s.act('Update', `put integration ${have.integrationId} back: ${differences.join('; ')}`, () =>
      ops.updateIntegration(client, api.apiId, have.integrationId, want),
    );
  return { id: have.integrationId, differences };
}

/** The app's routes as wanted. @returns their ids and what was put back. */
async function syncRoutes(
  s: Session,
  api: ApiReferences,
  integrationId: string,
): Promise<{ ids: string[]; differences: string[] }> {
  const client = s.clients.apigatewayv2;
  const live = await apiRoutes(s, api.apiId);
  const own = [integrationId, ...api.integrations.map((i) => i.integrationId)].map(targetOf);
  const desired = desiredRoutes(api.keys, integrationId, s.app.spec.routing.api);
  const plan = planRoutes(desired, live, own);
  const recorded = s.app.status?.apiRouteIds ?? [];
  // A route of ours missing while routes are recorded was removed out of band.
  const differences = recorded.length > 0 ? plan.create.map((r) => `route ${r.routeKey} missing`) : [];
  const ids = live
    .filter((r) => own.includes(r.target) && api.keys.includes(r.routeKey))
    .map((r) => r.routeId);
  for (const route of plan.create) {
    const id = await s.act('Create', `create route ${route.routeKey} on API ${api.apiId}`, () =>
      ops.createRoute(client, api.apiId, route),
    );
    ids.push(id ?? PLANNED);
  }
  for (const { routeId, route, differences: d } of plan.update) {
    differences.push(...d);
    await s.act('Update', `put route ${route.routeKey} back: ${d.join('; ')}`, () =>
      ops.updateRoute(client, api.apiId, routeId, route),
    );
  }
  for (const route of plan.remove)
    await s.act('Delete', `delete route ${route.routeKey} the spec no longer has`, () =>
      ops.deleteRoute(client, api.apiId, route.routeId),
    );
  if (plan.create.length + plan.update.length + plan.remove.length > 0)
    s.deps.reads.invalidate(readKeys.apiRoutes(s.clients.scope, api.apiId));
  return { ids: ids.sort(), differences };
}

/** Deletes our duplicate integrations once no route of ours points at them. */
async function removeDuplicateIntegrations(s: Session, api: ApiReferences, keep: string): Promise<void> {
  for (const extra of api.integrations.filter((i) => i.integrationId !== keep))
    await s.act('Delete', `delete duplicate integration ${extra.integrationId}`, () =>
      ops.deleteIntegration(s.clients.apigatewayv2, api.apiId, extra.integrationId),
    );
}

/** Says the link is not usable yet (PENDING: looked at again soon) or has failed. */
function waitForLink(s: Session, link: { vpcLinkId: string; status: string; statusMessage?: string }): false {
  const failed = link.status === 'FAILED' || link.status === 'INACTIVE';
  if (!failed) s.poll(s.deps.opts.pollMs);
  const reason = failed ? 'VpcLinkFailed' : 'VpcLinkPending';
  const message = `VPC link ${link.vpcLinkId} is ${link.status}${link.statusMessage ? `: ${link.statusMessage}` : ''}`;
  if (failed) s.reportProblem('api', { reason, message }, 'Reconcile');
  else s.verdict('api', { status: 'False', reason, message });
  return false;
}

/**
 * Step: the API hop. @returns whether the app's routes are in place on the API.
 */
export async function syncApi(s: Session, refs: References, api: ApiReferences): Promise<boolean> {
  const door = s.attachment.frontDoor;
  if (!door) return true;
  const link = await ensureFrontDoor(s, refs, door);
  if (link.status !== 'AVAILABLE' && !s.dryRun) return waitForLink(s, link);
  const integration = await syncIntegration(s, refs, api, { vpcLinkId: link.vpcLinkId, door });
  const routes = await syncRoutes(s, api, integration.id);
  await removeDuplicateIntegrations(s, api, integration.id);
  Object.assign(s.report.fields, {
    apiId: api.apiId,
    apiIntegrationId: integration.id,
    apiRouteIds: routes.ids,
    invokeUrl: `${api.apiEndpoint}${invokePath(api.keys[0] ?? 'ANY /')}`,
  });
  const differences = [...link.differences, ...integration.differences, ...routes.differences];
  if (classifyChange(differences, s.previous('api'), s.generation) === 'drift') {
    const message = `put back: ${differences.join('; ')}`;
    s.event('Warning', 'Drifted', 'Update', `API: ${message}`);
    s.verdict('api', { status: 'False', reason: 'Drifted', message });
    return false;
  }
  s.verdict('api', {
    status: 'True',
    reason: 'Configured',
    message: `${api.keys.join(', ')} on API ${api.apiId} through VPC link ${link.vpcLinkId}`,
  });
  return true;
}

/**
 * Deletion: the app's routes (those to its marked integrations) on API `apiId`, and those
 * integrations; an API gone counts as done. Routes and integrations of others are left.
 */
export async function deleteOwnApi(s: Session, apiId: string): Promise<void> {
  const client = s.clients.apigatewayv2;
  if (!(await ops.getApi(client, apiId))) return;
  const integrations = await ownIntegrations(s, apiId);
  const own = integrations.map((i) => targetOf(i.integrationId));
  s.deps.reads.invalidate(readKeys.apiRoutes(s.clients.scope, apiId));
  for (const route of (await apiRoutes(s, apiId)).filter((r) => own.includes(r.target)))
    await s.act('Delete', `delete route ${route.routeKey} on API ${apiId}`, () =>
      ops.deleteRoute(client, apiId, route.routeId),
    );
  for (const i of integrations)
    await s.act('Delete', `delete integration ${i.integrationId} on API ${apiId}`, () =>
      ops.deleteIntegration(client, apiId, i.integrationId),
    );
  s.deps.reads.invalidate(readKeys.apiRoutes(s.clients.scope, apiId));
}

/** Whether another app on the SharedListener still has an integration on API `apiId` (read fresh). */
async function othersOnApi(s: Session, owner: ApiFrontDoor['owner'], apiId: string): Promise<boolean> {
  const markers = new Set(othersOnListener(s, owner).map((a) => ownedRuleDescription(a.metadata?.uid ?? '')));
  if (markers.size === 0 || !(await ops.getApi(s.clients.apigatewayv2, apiId))) return false;
  return (await ops.getIntegrations(s.clients.apigatewayv2, apiId)).some((i) => markers.has(i.description));
}

/**
 * Clean-up stage: when the SharedListener names another API or none, the app's routes and
 * integration on the recorded one go; with no front door left, the last app to go also
 * releases the SharedListener's link and ALB rule (judged on AWS, inside the SharedListener's
 * lock, so two apps leaving together cannot both leave it behind).
 */
export async function releasePreviousApi(s: Session, refs: References): Promise<void> {
  const previous = s.app.status?.apiId;
  const door = s.attachment.frontDoor;
  if (!previous || previous === door?.apiId) return;
  await deleteOwnApi(s, previous);
  if (door) return;
  Object.assign(s.report.fields, {
    apiId: undefined,
    apiIntegrationId: undefined,
    apiRouteIds: undefined,
    invokeUrl: undefined,
  });
  const owner = listenerOwner(s);
  if (!owner) return;
  const gone: ApiFrontDoor = { apiId: previous, vpcLink: {}, owner };
  await releaseFrontDoor(s, refs, gone, () => othersOnApi(s, owner, previous));
}

/** The app's SharedListener with its UID (informer cache); undefined for a raw listener. */
function listenerOwner(s: Session): ApiFrontDoor['owner'] | undefined {
  const key = s.attachment.listener;
  const uid = key && s.deps.access.listener(key)?.metadata?.uid;
  return key && uid ? { ...key, uid } : undefined;
}
