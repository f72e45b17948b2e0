/**
 * The SharedListener's part of the API front door (ADR 0012): the VPC link (made in the
 * spec's subnets with a security group of its own, or the given one), and the ingress rule on
 * the ALB's first SG admitting the link's SGs on the listener port. They belong to the
 * SharedListener (tagged with its UID; the ALB rule marked by its description), are ensured by
 * the passes of its apps — one at a time per SharedListener (`frontDoorLocks`) — and released
 * with its last app. Unmarked rules and links the controller did not make are never changed.
 */
import { TAG_KEYS } from '../../api/kinds.ts';
import { classifyAwsError } from '../../aws/errors.ts';
import { ownedTagMap, ownershipTags, type Owner } from '../../aws/tags.ts';
import type { PublishedApp } from '../../api/v1alpha1.ts';
import type { ApiFrontDoor } from '../access/access.ts';
import * as ops from './aws-ops.ts';
import { frontDoorName, frontDoorRuleDescription } from './names.ts';
import { ruleKey, type SgRule } from './plan-sg.ts';
import type { References } from './resolve.ts';
import { readKeys, scopeSecurityGroups } from './scope-reads.ts';
import { PLANNED, StepProblem, type Session } from './session.ts';
import { albSecurityGroups } from './sync-security-groups.ts';

/** The VPC link the app's integration goes through, and what was put back on the way. */
export interface FrontDoorLink {
  vpcLinkId: string;
  status: string;
  statusMessage?: string;
  securityGroupIds: string[];
  /** Differences found and put back (for drift). */
  differences: string[];
}

function ownerOf(s: Session, door: ApiFrontDoor): Owner {
  return { clusterId: s.deps.rt.clusterId, kind: 'SharedListener', ...door.owner };
}

const linkName = (door: ApiFrontDoor) => frontDoorName(door.owner.namespace, door.owner.name, door.owner.uid);

/** Exactly these rules in one direction: the missing ones and the extra ones. */
function diffRules(want: readonly SgRule[], have: readonly SgRule[]) {
  const haveKeys = new Set(have.map(ruleKey));
  const wantKeys = new Set(want.map(ruleKey));
  return {
    add: want.filter((r) => !haveKeys.has(ruleKey(r))),
    remove: have.filter((r) => !wantKeys.has(ruleKey(r))),
  };
}

/** The link's SG as AWS holds it, made when missing (adopted by name after a crash). */
async function linkSecurityGroup(
  s: Session,
  door: ApiFrontDoor,
  vpcId: string,
): Promise<ops.ObservedSecurityGroup> {
  const found = (await scopeSecurityGroups(s.deps, s.clients, s.readMaxAgeMs)).find(
    (g) => g.tags[TAG_KEYS.uid] === door.owner.uid,
  );
  if (found) return found;
  const name = linkName(door);
  const { ec2 } = s.clients;
  const created = await s.act('Create', `create VPC link security group ${name} in ${vpcId}`, async () => {
    try {
      return await ops.createSecurityGroup(ec2, {
        name,
        description: `API Gateway VPC link of SharedListener ${door.owner.namespace}/${door.owner.name}`,
        vpcId,
        tags: ownershipTags(ownerOf(s, door)),
      });
    } catch (err) {
      if (classifyAwsError(err).kind !== 'conflict') throw err;
      const existing = await ops.findSecurityGroupByName(ec2, vpcId, name);
      if (existing?.tags[TAG_KEYS.uid] !== door.owner.uid) throw err;
      return existing.groupId;
    }
  });
  s.deps.reads.invalidate(readKeys.securityGroups(s.clients.scope));
  // A new group allows all egress; the sync below takes that away.
  const allEgress: SgRule = { protocol: '-1', peer: { cidrIpv4: '0.0.0.0/0' } };
  return { groupId: created ?? PLANNED, vpcId, tags: {}, ingress: [], egress: created ? [allEgress] : [] };
}

/** The link SG's rules: no ingress, egress only to the ALB's SG on the listener port. */
async function syncLinkSecurityGroup(
  s: Session,
  group: ops.ObservedSecurityGroup,
  albSgId: string,
  port: number,
): Promise<string[]> {
  if (group.groupId === PLANNED) return [];
  const want: SgRule[] = [{ protocol: 'tcp', fromPort: port, toPort: port, peer: { groupId: albSgId } }];
  const egress = diffRules(want, group.egress);
  const { ec2 } = s.clients;
  const id = group.groupId;
  if (group.ingress.length > 0)
    await s.act('Revoke', `revoke ingress of VPC link security group ${id}`, () =>
      ops.revokeIngress(ec2, id, group.ingress),
    );
  if (egress.remove.length > 0)
    await s.act('Revoke', `revoke other egress of VPC link security group ${id}`, () =>
      ops.revokeEgress(ec2, id, egress.remove),
    );
  if (egress.add.length > 0)
    await s.act('Authorize', `allow VPC link security group ${id} to reach the ALB on ${port}/tcp`, () =>
      ops.authorizeEgress(ec2, id, egress.add),
    );
  if (group.ingress.length + egress.add.length + egress.remove.length > 0)
    s.deps.reads.invalidate(readKeys.securityGroups(s.clients.scope));
  return group.ingress.length + egress.remove.length > 0
    ? [`VPC link security group ${id} had other rules`]
    : [];
}

/** The SharedListener's own VPC link, made when missing (PENDING until its ENIs are in place). */
async function ownedLink(
  s: Session,
  refs: References,
  door: ApiFrontDoor,
  subnetIds: string[],
): Promise<FrontDoorLink> {
  const albSgId = albSecurityGroupOf(refs);
  const group = await linkSecurityGroup(s, door, refs.loadBalancer.vpcId);
  const differences = await syncLinkSecurityGroup(s, group, albSgId, refs.listener.port);
  const links = await ops.getVpcLinks(s.clients.apigatewayv2);
  const live = links.find((l) => l.tags[TAG_KEYS.uid] === door.owner.uid && l.status !== 'DELETING');
  if (live) return { ...live, differences };
  const created = await s.act('Create', `create VPC link ${linkName(door)} in ${subnetIds.join(', ')}`, () =>
    ops.createVpcLink(s.clients.apigatewayv2, {
      name: linkName(door),
      subnetIds,
      securityGroupIds: [group.groupId],
      tags: ownedTagMap(ownerOf(s, door)),
    }),
  );
  if (created) s.event('Normal', 'VpcLinkCreated', 'Create', `created VPC link ${created.vpcLinkId}`);
  const link = created ?? { vpcLinkId: PLANNED, status: 'PENDING', securityGroupIds: [group.groupId] };
  return { ...link, differences };
}

/** A given VPC link, used as it is. @throws StepProblem `VpcLinkNotFound`. */
async function givenLink(s: Session, id: string): Promise<FrontDoorLink> {
  const link = await ops.getVpcLink(s.clients.apigatewayv2, id);
  if (!link)
    throw new StepProblem(
      'api',
      'VpcLinkNotFound',
      `VPC link ${id} of the SharedListener's front door not found`,
    );
  return { ...link, differences: [] };
}

/** The ALB SG the front door's ingress rule goes on: its first. */
function albSecurityGroupOf(refs: References): string {
  const id = refs.loadBalancer.securityGroupIds[0];
  if (!id)
    throw new StepProblem(
      'api',
      'AlbWithoutSecurityGroup',
      `load balancer ${refs.loadBalancer.arn} has no security group`,
    );
  return id;
}

/**
 * The marked ingress rule on the ALB's first SG: the listener port from each of the link's
 * SGs, nothing else marked ours. @returns the differences put back.
 */
async function syncAlbIngress(
  s: Session,
  refs: References,
  door: ApiFrontDoor,
  linkSgIds: readonly string[],
) {
  const albSgId = albSecurityGroupOf(refs);
  const ids = refs.loadBalancer.securityGroupIds;
  const [group] = await albSecurityGroups(s, ids);
  const marker = frontDoorRuleDescription(door.owner.uid);
  const port = refs.listener.port;
  const want: SgRule[] = linkSgIds
    .filter((id) => id !== PLANNED)
    .map((groupId) => ({
      protocol: 'tcp',
      fromPort: port,
      toPort: port,
      peer: { groupId },
      description: marker,
    }));
  const change = diffRules(
    want,
    (group?.ingress ?? []).filter((r) => r.description === marker),
  );
  const { ec2 } = s.clients;
  if (change.remove.length > 0)
    await s.act('Revoke', `revoke our stale front-door ingress from ALB security group ${albSgId}`, () =>
      ops.revokeIngress(ec2, albSgId, change.remove),
    );
  if (change.add.length > 0)
    await s.act(
      'Authorize',
      `admit the VPC link's security groups to ALB security group ${albSgId} on ${port}/tcp`,
      () => ops.authorizeIngress(ec2, albSgId, change.add),
    );
  if (change.add.length + change.remove.length > 0)
    s.deps.reads.invalidate(readKeys.albSecurityGroups(s.clients.scope, [...ids]));
  return change.add.map((r) => `ALB security group ${albSgId} did not admit ${ruleKey(r)}`);
}

/** Ensures the SharedListener's VPC link and ALB SG rule; one pass at a time per SharedListener. */
export function ensureFrontDoor(s: Session, refs: References, door: ApiFrontDoor): Promise<FrontDoorLink> {
  return s.deps.frontDoorLocks.run(door.owner.uid, async () => {
    const { vpcLinkId, subnetIds = [] } = door.vpcLink;
    const link = vpcLinkId ? await givenLink(s, vpcLinkId) : await ownedLink(s, refs, door, subnetIds);
    const put = await syncAlbIngress(s, refs, door, link.securityGroupIds);
    return { ...link, differences: [...link.differences, ...put] };
  });
}

/** The other live apps attached to the SharedListener `owner` (informer cache). */
export function othersOnListener(s: Session, owner: ApiFrontDoor['owner']): PublishedApp[] {
  return s.deps.apps.list().filter((a) => {
    const ref = a.spec.listenerRef;
    return (
      a.metadata?.uid !== s.uid &&
      !a.metadata?.deletionTimestamp &&
      ref?.name === owner.name &&
      (ref.namespace ?? a.metadata?.namespace) === owner.namespace
    );
  });
}

/**
 * Revokes the marked ALB rule and deletes the owned link and its SG (a given link is left),
 * unless `stillUsed` (default: another live app is attached to the SharedListener) — judged
 * inside the SharedListener's lock. @returns false while AWS still holds the SG (the link's ENIs).
 */
export function releaseFrontDoor(
  s: Session,
  refs: Pick<References, 'loadBalancer'>,
  door: ApiFrontDoor,
  stillUsed: () => Promise<boolean> = () => Promise.resolve(othersOnListener(s, door.owner).length > 0),
): Promise<boolean> {
  return s.deps.frontDoorLocks.run(door.owner.uid, async () => {
    if (await stillUsed()) return true;
    const ids = refs.loadBalancer.securityGroupIds;
    const marker = frontDoorRuleDescription(door.owner.uid);
    s.deps.reads.invalidate(readKeys.albSecurityGroups(s.clients.scope, [...ids]));
    for (const group of await albSecurityGroups(s, ids)) {
      const ours = group.ingress.filter((r) => r.description === marker);
      if (ours.length > 0)
        await s.act('Revoke', `revoke our front-door ingress from ALB security group ${group.groupId}`, () =>
          ops.revokeIngress(s.clients.ec2, group.groupId, ours),
        );
    }
    if (door.vpcLink.vpcLinkId) return true;
    return deleteOwnedLink(s, door);
  });
}

async function deleteOwnedLink(s: Session, door: ApiFrontDoor): Promise<boolean> {
  const links = await ops.getVpcLinks(s.clients.apigatewayv2);
  for (const link of links.filter((l) => l.tags[TAG_KEYS.uid] === door.owner.uid && l.status !== 'DELETING'))
    await s.act('Delete', `delete VPC link ${link.vpcLinkId}`, () =>
      ops.deleteVpcLink(s.clients.apigatewayv2, link.vpcLinkId),
    );
  s.deps.reads.invalidate(readKeys.securityGroups(s.clients.scope));
  const groups = (await scopeSecurityGroups(s.deps, s.clients, 0)).filter(
    (g) => g.tags[TAG_KEYS.uid] === door.owner.uid,
  );
  for (const group of groups) {
    try {
      await s.act('Delete', `delete VPC link security group ${group.groupId}`, () =>
        ops.deleteSecurityGroup(s.clients.ec2, group.groupId),
      );
    } catch (err) {
      if (classifyAwsError(err).kind !== 'dependency') throw err;
      return false;
    }
  }
  s.deps.reads.invalidate(readKeys.securityGroups(s.clients.scope));
  return true;
}
