/**
 * Step: the managed endpoint SG (created if missing; ingress exactly `target.port`/tcp from
 * the ALB's SGs, no egress) and, when the ALB's SGs would not let it reach the endpoint,
 * one marked egress rule on the ALB's first SG.
 */
import { TAG_KEYS } from '../../api/kinds.ts';
import { classifyAwsError } from '../../aws/errors.ts';
import { classifyChange } from './drift.ts';
import * as ops from './aws-ops.ts';
import { ownedRuleDescription, securityGroupName } from './names.ts';
import {
  desiredIngress,
  planAlbEgress,
  planManagedSg,
  ruleKey,
  type ManagedSgPlan,
  type SgRule,
} from './plan-sg.ts';
import type { References } from './resolve.ts';
import { patchSecurityGroup, readKeys, scopeSecurityGroups } from './scope-reads.ts';
import { PLANNED, type Session } from './session.ts';

/** This app's owned SGs, from the scope-wide describe. */
export async function ownedSecurityGroups(s: Session): Promise<ops.ObservedSecurityGroup[]> {
  const all = await scopeSecurityGroups(s.deps, s.clients, s.readMaxAgeMs);
  return all.filter((g) => g.tags[TAG_KEYS.uid] === s.uid);
}

/** The ALB's SGs with their rules, shared by the apps on it for a moment. */
export function albSecurityGroups(s: Session, ids: readonly string[]): Promise<ops.ObservedSecurityGroup[]> {
  return s.deps.reads.get(
    readKeys.albSecurityGroups(s.clients.scope, ids),
    () => ops.describeSecurityGroups(s.clients.ec2, ids),
    s.readMaxAgeMs,
  );
}

async function createManagedGroup(s: Session, vpcId: string): Promise<ops.ObservedSecurityGroup> {
  const { ec2 } = s.clients;
  const ns = s.app.metadata?.namespace ?? '';
  const name = securityGroupName(ns, s.app.metadata?.name ?? '', s.uid);
  const created = await s.act('Create', `create security group ${name} in ${vpcId}`, async () => {
    try {
      return await ops.createSecurityGroup(ec2, {
        name,
        description: `PrivateLink endpoint of PublishedApp ${s.key}`,
        vpcId,
        tags: s.tags(),
      });
    } catch (err) {
      // Created before a crash but not yet visible through the tag describe: adopt it.
      if (classifyAwsError(err).kind !== 'conflict') throw err;
      const existing = await ops.findSecurityGroupByName(ec2, vpcId, name);
      if (existing?.tags[TAG_KEYS.uid] !== s.uid) throw err;
      return existing.groupId;
    }
  });
  if (created === undefined) return { groupId: PLANNED, vpcId, tags: {}, ingress: [], egress: [] };
  s.event('Normal', 'SecurityGroupCreated', 'Create', `created security group ${created}`);
  return (await writeThrough(s, created)) ?? { groupId: created, vpcId, tags: {}, ingress: [], egress: [] };
}

/**
 * Describes one owned SG after a change and writes it through to the scope's memoised list:
 * one small describe instead of every next reader re-reading all owned SGs.
 */
async function writeThrough(s: Session, groupId: string): Promise<ops.ObservedSecurityGroup | undefined> {
  const { ec2, scope } = s.clients;
  const [group] = await ops.describeSecurityGroups(ec2, [groupId]);
  if (group) patchSecurityGroup(s.deps.reads, scope, group);
  else s.deps.reads.invalidate(readKeys.securityGroups(scope));
  return group;
}

const show = (r: SgRule): string => ruleKey(r).replace(/:/g, ' ');

/** The app's managed SG as AWS holds it (the recorded one first), if any. */
async function managedGroup(s: Session): Promise<ops.ObservedSecurityGroup | undefined> {
  const recorded = s.app.status?.securityGroupId;
  return (await ownedSecurityGroups(s)).sort((a, b) =>
    a.groupId === recorded ? -1 : b.groupId === recorded ? 1 : 0,
  )[0];
}

/**
 * What the plan changes, said. A new group's default allow-all egress is expected, not drift
 * (`existing` false: the group was just created).
 */
function differencesOf(plan: ManagedSgPlan, existing: boolean): string[] {
  return [
    ...plan.authorizeIngress.map((r) => `ingress ${show(r)} missing`),
    ...plan.revokeIngress.map((r) => `unexpected ingress ${show(r)}`),
    ...(existing ? plan.revokeEgress.map((r) => `unexpected egress ${show(r)}`) : []),
  ];
}

/** Applies the managed SG's plan, then writes the changed group through. */
async function applyManagedPlan(s: Session, id: string, plan: ManagedSgPlan): Promise<void> {
  const { ec2 } = s.clients;
  const changed = [plan.authorizeIngress, plan.revokeIngress, plan.revokeEgress].some((l) => l.length > 0);
  if (plan.authorizeIngress.length > 0) {
    await s.act('Authorize', `allow ${plan.authorizeIngress.map(show).join(', ')} into ${id}`, () =>
      ops.authorizeIngress(ec2, id, plan.authorizeIngress),
    );
  }
  if (plan.revokeIngress.length > 0) {
    await s.act('Revoke', `revoke ${plan.revokeIngress.map(show).join(', ')} from ${id}`, () =>
      ops.revokeIngress(ec2, id, plan.revokeIngress),
    );
  }
  if (plan.revokeEgress.length > 0) {
    await s.act('Revoke', `revoke egress ${plan.revokeEgress.map(show).join(', ')} from ${id}`, () =>
      ops.revokeEgress(ec2, id, plan.revokeEgress),
    );
  }
  if (changed && !s.dryRun) await writeThrough(s, id);
}

/** The securityGroups verdict: Drifted (with an Event) when a difference was drift, else Synced. */
function reportSecurityGroups(
  s: Session,
  refs: References,
  id: string,
  differences: readonly string[],
): void {
  const kind = classifyChange(differences, s.previous('securityGroups'), s.generation);
  if (kind === 'drift') {
    const message = `put back: ${differences.join('; ')}`;
    s.event('Warning', 'Drifted', 'Update', `security groups: ${message}`);
    s.verdict('securityGroups', { status: 'False', reason: 'Drifted', message });
    return;
  }
  const sources = refs.loadBalancer.securityGroupIds.join(', ');
  s.verdict('securityGroups', {
    status: 'True',
    reason: 'Synced',
    message: `${id} admits tcp/${s.app.spec.target.port} from ${sources} only`,
  });
}

/** @returns the managed SG's id. */
export async function syncSecurityGroups(s: Session, refs: References): Promise<string> {
  const existing = await managedGroup(s);
  const group = existing ?? (await createManagedGroup(s, s.app.spec.endpoint.vpcId));
  const id = group.groupId;
  s.report.fields.securityGroupId = id === PLANNED ? undefined : id;
  const plan = planManagedSg(
    desiredIngress(refs.loadBalancer.securityGroupIds, s.app.spec.target.port),
    group.ingress,
    group.egress,
  );
  await applyManagedPlan(s, id, plan);
  if (id !== PLANNED) await syncAlbEgress(s, refs, id);
  reportSecurityGroups(s, refs, id, differencesOf(plan, existing !== undefined));
  return id;
}

/**
 * Our marked egress rule on the ALB's SGs, only when needed. Not reported as drift: whether it
 * is needed follows the ALB's own rules, which are not ours.
 */
async function syncAlbEgress(s: Session, refs: References, managedSgId: string): Promise<void> {
  const { ec2, scope } = s.clients;
  const ids = refs.loadBalancer.securityGroupIds;
  const groups = await albSecurityGroups(s, ids);
  const ordered = ids.flatMap((id) => groups.filter((g) => g.groupId === id));
  const plan = planAlbEgress(ordered, s.app.spec.target.port, managedSgId, ownedRuleDescription(s.uid));
  for (const { groupId, rule } of plan.authorize) {
    await s.act('Authorize', `allow egress ${show(rule)} from ALB security group ${groupId}`, () =>
      ops.authorizeEgress(ec2, groupId, [rule]),
    );
  }
  for (const { groupId, rule } of plan.revoke) {
    await s.act('Revoke', `revoke our egress ${show(rule)} from ALB security group ${groupId}`, () =>
      ops.revokeEgress(ec2, groupId, [rule]),
    );
  }
  if (plan.authorize.length + plan.revoke.length > 0)
    s.deps.reads.invalidate(readKeys.albSecurityGroups(scope, ids));
}
