/**
 * Deletion of everything an app owns, in dependency order: its API routes and integration
 * (API front door) → rule → its SNI certificate (if
 * ours and no other app names it) → target group (with its targets) → endpoint → our egress
 * rule on the ALB's SGs → with the SharedListener's last app, the front door's VPC link, its
 * SG and the ALB SG rule → managed SG. NotFound counts as
 * done; a managed SG still held by the endpoint's ENIs is retried until they are gone.
 */
import { TAG_KEYS } from '../../api/kinds.ts';
import { classifyAwsError, unlessNotFound } from '../../aws/errors.ts';
import * as ops from './aws-ops.ts';
import { listenerArnOfRule, ownedRuleDescription } from './names.ts';
import { listenerAndAlb, ownedEndpoints } from './resolve.ts';
import { readKeys } from './scope-reads.ts';
import type { Session } from './session.ts';
import { albSecurityGroups, ownedSecurityGroups } from './sync-security-groups.ts';
import { listenerRules, ruleBelongsTo } from './place-rule.ts';
import { releaseFrontDoor } from './front-door.ts';
import { deleteOwnApi } from './sync-api.ts';
import { releaseCertificate } from './sync-certificate.ts';
import { desiredTargetGroup } from './sync-targets.ts';
import { untagEc2Resource, untagElbResource } from './tag-ops.ts';

/** @returns true when nothing of ours is left; false when AWS still blocks (retry later). */
export async function deleteOwned(s: Session): Promise<boolean> {
  const door = s.attachment.frontDoor;
  // The API first: no request enters for an app being taken apart.
  const apis = new Set([door?.apiId, s.app.status?.apiId].filter((id) => id !== undefined));
  for (const apiId of apis) await deleteOwnApi(s, apiId);
  await deleteOwnRules(s);
  await releaseCertificates(s);
  const found = await listenerAndAlb(s, s.listenerArn);
  await deleteTargetGroups(s, found?.loadBalancer.vpcId ?? '');
  await deleteAllEndpoints(s);
  if (found) await revokeAlbEgress(s, found.loadBalancer.securityGroupIds);
  const released = !door || !found || (await releaseFrontDoor(s, found, door));
  return (await deleteSecurityGroups(s)) && released;
}

/** Deletes the app's own rules on its listener and on the one its recorded rule is on. */
export async function deleteOwnRules(s: Session): Promise<void> {
  const listenerArns = new Set([s.listenerArn]);
  if (s.app.status?.ruleArn) listenerArns.add(listenerArnOfRule(s.app.status.ruleArn));
  for (const arn of listenerArns) await deleteRules(s, arn);
}

/** The certificates the app names and holds, once its rules are gone (kept if other apps name them). */
async function releaseCertificates(s: Session): Promise<void> {
  const held = s.app.status?.certificateArn;
  const named = s.app.spec.tls?.certificateArn;
  if (held) {
    const rule = s.app.status?.ruleArn;
    await releaseCertificate(s, rule ? listenerArnOfRule(rule) : s.listenerArn, held);
  }
  if (named && named !== held) await releaseCertificate(s, s.listenerArn, named);
}

/** The recorded target group and the one named for the app in `vpcId`. */
async function deleteTargetGroups(s: Session, vpcId: string): Promise<void> {
  const { elbv2 } = s.clients;
  const tgArns = new Set<string>();
  if (s.app.status?.targetGroupArn) tgArns.add(s.app.status.targetGroupArn);
  const byName = await ops.describeTargetGroupByName(elbv2, desiredTargetGroup(s, vpcId).name);
  if (byName) tgArns.add(byName.arn);
  for (const arn of tgArns)
    await s.act('Delete', `delete target group ${arn}`, () => ops.deleteTargetGroup(elbv2, arn));
}

/** Every endpoint of the app not already going, as AWS holds them now. */
async function deleteAllEndpoints(s: Session): Promise<void> {
  const key = readKeys.endpoints(s.clients.scope);
  s.deps.reads.invalidate(key);
  const endpoints = (await ownedEndpoints(s))
    .filter((e) => !['deleted', 'deleting'].includes(e.state))
    .map((e) => e.id);
  if (endpoints.length === 0) return;
  await s.act('Delete', `delete endpoint(s) ${endpoints.join(', ')}`, () =>
    ops.deleteEndpoints(s.clients.ec2, endpoints),
  );
  s.deps.reads.invalidate(key);
}

/**
 * The app's managed SGs, as AWS holds them now.
 * @returns false when one is still held by the endpoint's ENIs (retry later).
 */
async function deleteSecurityGroups(s: Session): Promise<boolean> {
  const key = readKeys.securityGroups(s.clients.scope);
  s.deps.reads.invalidate(key);
  for (const group of await ownedSecurityGroups(s)) {
    try {
      await s.act('Delete', `delete security group ${group.groupId}`, () =>
        ops.deleteSecurityGroup(s.clients.ec2, group.groupId),
      );
    } catch (err) {
      if (classifyAwsError(err).kind !== 'dependency') throw err;
      s.log.info({ groupId: group.groupId }, 'security group still in use by the endpoint ENIs; retrying');
      return false;
    }
  }
  s.deps.reads.invalidate(key);
  return true;
}

/** Deletes the app's own rules on `listenerArn` (after its grant was withdrawn, or on delete). */
export async function deleteRules(s: Session, listenerArn: string): Promise<void> {
  if (!(await listenerAndAlb(s, listenerArn))) return; // the listener, and its rules, are gone
  s.deps.reads.invalidate(readKeys.rules(s.clients.scope, listenerArn));
  const own = (await listenerRules(s, listenerArn)).filter((r) => !r.isDefault && ruleBelongsTo(r, s.app));
  for (const rule of own) {
    await s.act('Delete', `delete rule ${rule.arn}`, () => ops.deleteRule(s.clients.elbv2, rule.arn));
  }
  if (own.length > 0) s.deps.reads.invalidate(readKeys.rules(s.clients.scope, listenerArn));
}

async function revokeAlbEgress(s: Session, ids: readonly string[]): Promise<void> {
  const marker = ownedRuleDescription(s.uid);
  for (const group of await albSecurityGroups(s, ids)) {
    const ours = group.egress.filter((r) => r.description === marker);
    if (ours.length === 0) continue;
    await s.act('Revoke', `revoke our egress rule from ALB security group ${group.groupId}`, () =>
      ops.revokeEgress(s.clients.ec2, group.groupId, ours),
    );
    s.deps.reads.invalidate(readKeys.albSecurityGroups(s.clients.scope, [...ids]));
  }
}

/**
 * Retain on an app that adopted: everything it owns loses the ownership tags and is left as
 * it is, so it is as unowned as it was found (and can be adopted again). What the app made
 * itself alongside is let go the same way. A resource already gone counts as done.
 */
export async function disown(s: Session): Promise<void> {
  const keys = Object.values(TAG_KEYS);
  const { ec2, elbv2 } = s.clients;
  s.deps.reads.invalidate(readKeys.endpoints(s.clients.scope));
  s.deps.reads.invalidate(readKeys.securityGroups(s.clients.scope));
  const ec2Ids = [
    ...(await ownedEndpoints(s)).filter((e) => !/^(deleted|deleting)$/i.test(e.state)).map((e) => e.id),
    ...(await ownedSecurityGroups(s)).map((g) => g.groupId),
  ];
  const elbArns = [s.app.status?.targetGroupArn, s.app.status?.ruleArn].filter((a) => a !== undefined);
  for (const id of ec2Ids)
    await s.act('Disown', `remove the ownership tags from ${id}`, () =>
      unlessNotFound(() => untagEc2Resource(ec2, id, keys)),
    );
  for (const arn of elbArns)
    await s.act('Disown', `remove the ownership tags from ${arn}`, () =>
      unlessNotFound(() => untagElbResource(elbv2, arn, keys)),
    );
}
