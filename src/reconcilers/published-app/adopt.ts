/**
 * Adoption of what spec.adopt names (see plan-adoption.ts for the judgement). It is judged
 * while resolving, before any change; once the finalizer is on, the named resources get the
 * ownership tags only (the user's tags follow in the tags step, like for anything the app
 * owns), and from then on every step finds them like resources it created: the endpoint and
 * SG by their UID tag, the target group by its name, the rule as the app's. They are then
 * converged in place by those steps, with their usual make-before-break order. Done once:
 * `status.adopted` records it and later passes do not judge again.
 */
import type { PublishedAppSpecAdopt } from '../../api/v1alpha1.ts';
import { unlessNotFound } from '../../aws/errors.ts';
import { ownedTagMap, ownershipTags, ownerTagValue } from '../../aws/tags.ts';
import { jsonEqual, toJson } from '../../controller/json.ts';
import * as ops from './aws-ops.ts';
import { ADOPTED_KINDS, adoptedId, planAdoption, type AdoptionWorld, type ToTag } from './plan-adoption.ts';
import { patchSecurityGroup, readKeys, scopeEndpoints, scopeSecurityGroups } from './scope-reads.ts';
import { StepProblem, type Session } from './session.ts';
import { describeElbTags, tagEc2Resource, tagElbResource } from './tag-ops.ts';

/** What an adoption judged acceptable, for the tagging after the finalizer. */
export interface Adoption {
  named: PublishedAppSpecAdopt;
  /** What still lacks the ownership tags. */
  tag: ToTag[];
  world: AdoptionWorld;
  /** The named endpoint as AWS holds it, with the ownership tags it is about to get. */
  endpoint?: ops.TaggedEndpoint;
}

/** Whether the adoption spec.adopt asks for is done (status.adopted says so). */
function adoptionDone(s: Session): boolean {
  return jsonEqual(toJson(s.app.status?.adopted), toJson(s.app.spec.adopt));
}

/** The named endpoint and SG (a name that is not given is not read). */
async function readEc2Named(
  s: Session,
  { endpointId, securityGroupId }: PublishedAppSpecAdopt,
): Promise<Pick<AdoptionWorld, 'securityGroup'> & { endpoint?: ops.TaggedEndpoint & { type?: string } }> {
  const { ec2 } = s.clients;
  const [endpoint, groups] = await Promise.all([
    endpointId ? ops.describeEndpointById(ec2, endpointId) : undefined,
    securityGroupId ? ops.describeSecurityGroups(ec2, [securityGroupId]) : [],
  ]);
  const group = groups.find((g) => g.groupId === securityGroupId);
  return {
    ...(endpoint && { endpoint }),
    ...(group && { securityGroup: { id: group.groupId, vpcId: group.vpcId, tags: group.tags } }),
  };
}

/** The named target group and rule, with their tags (one DescribeTags for both). */
async function readElbNamed(
  s: Session,
  { targetGroupArn, ruleArn }: PublishedAppSpecAdopt,
): Promise<Pick<AdoptionWorld, 'targetGroup' | 'rule'>> {
  const { elbv2 } = s.clients;
  const arns = [targetGroupArn, ruleArn].filter((a): a is string => a !== undefined);
  if (arns.length === 0) return {};
  const [targetGroup, rule, tags] = await Promise.all([
    targetGroupArn ? ops.describeTargetGroupByArn(elbv2, targetGroupArn) : undefined,
    ruleArn ? ops.describeRule(elbv2, ruleArn) : undefined,
    describeElbTagsOrNone(s, arns),
  ]);
  return {
    ...(targetGroup && {
      targetGroup: { ...targetGroup, id: targetGroup.arn, tags: tags.get(targetGroup.arn) ?? {} },
    }),
    ...(rule && { rule: { id: rule.arn, isDefault: rule.isDefault, tags: tags.get(rule.arn) ?? {} } }),
  };
}

/** DescribeTags of the named ELBv2 resources; a NotFound (one of them is gone) reads as none. */
async function describeElbTagsOrNone(
  s: Session,
  arns: readonly string[],
): Promise<Map<string, Record<string, string>>> {
  return (await unlessNotFound(() => describeElbTags(s.clients.elbv2, arns))) ?? new Map();
}

/**
 * Judges spec.adopt, before any change.
 * @returns undefined when the app adopts nothing, or its adoption is done.
 * @throws StepProblem `AdoptionTargetNotFound` / `OwnedElsewhere` / `AdoptionNeedsReplacement`
 * when anything named cannot be adopted: nothing is tagged then.
 */
export async function judgeAdoption(
  s: Session,
  want: { serviceName: string; vpcId: string },
): Promise<Adoption | undefined> {
  const named = s.app.spec.adopt;
  if (!named || adoptionDone(s)) return undefined;
  const [ec2Named, elbNamed] = await Promise.all([readEc2Named(s, named), readElbNamed(s, named)]);
  const world = { ...ec2Named, ...elbNamed };
  const endpoint = ec2Named.endpoint;
  const target = s.app.spec.target;
  const plan = planAdoption({
    named,
    world,
    want: {
      ...want,
      protocol: target.protocol ?? 'HTTP',
      port: target.port,
      listenerArn: s.listenerArn,
    },
    self: s.owner,
  });
  if (plan.problem) throw new StepProblem(plan.problem.aspect, plan.problem.reason, plan.problem.message);
  const owned = endpoint && { ...endpoint, tags: { ...endpoint.tags, ...ownedTagMap(s.owner) } };
  return { named, tag: plan.tag, world, ...(owned && { endpoint: owned }) };
}

/** Writes the ownership tags on one named resource. */
function tagOne(s: Session, item: ToTag): Promise<void> {
  const tags = ownershipTags(s.owner);
  return item.kind === 'endpoint' || item.kind === 'securityGroup'
    ? tagEc2Resource(s.clients.ec2, item.id, tags)
    : tagElbResource(s.clients.elbv2, item.id, tags);
}

/**
 * The adopted endpoint and SG, with their new tags, written through to the scope's memoised
 * describes (loaded first, so the patch lands), so the later steps find them as the app's —
 * in a dry run too, so its plan is the plan of the adopted resources, not of new ones.
 */
async function writeThrough(s: Session, adoption: Adoption): Promise<void> {
  const { scope } = s.clients;
  const owned = ownedTagMap(s.owner);
  if (adoption.endpoint) {
    const endpoint = adoption.endpoint;
    await scopeEndpoints(s.deps, s.clients, s.readMaxAgeMs);
    s.deps.reads.patch(readKeys.endpoints(scope), (all) => [
      ...all.filter((e) => e.id !== endpoint.id),
      endpoint,
    ]);
  }
  const group = adoption.world.securityGroup;
  if (group) {
    const [seen] = await ops.describeSecurityGroups(s.clients.ec2, [group.id]);
    await scopeSecurityGroups(s.deps, s.clients, s.readMaxAgeMs);
    if (seen) patchSecurityGroup(s.deps.reads, scope, { ...seen, tags: { ...seen.tags, ...owned } });
  }
}

/**
 * The targets an adopted group holds are the app's from now on: remembered as former
 * addresses, so the targets step deregisters those that are not the endpoint's — after it has
 * registered the endpoint's.
 */
async function adoptTargets(s: Session, targetGroupArn: string): Promise<void> {
  const registered = (await ops.describeTargets(s.clients.elbv2, targetGroupArn)) ?? [];
  const seen = s.deps.seenIps.get(s.uid) ?? new Set<string>();
  for (const t of registered) seen.add(t.ip);
  s.deps.seenIps.set(s.uid, seen);
}

/** Tags what the adoption judged acceptable as the app's, and records it done in status. */
export async function tagAdopted(s: Session, adoption: Adoption): Promise<void> {
  const owner = ownerTagValue(s.owner);
  for (const item of adoption.tag)
    await s.act('Adopt', `adopt ${item.id}: tag it as owned by ${owner}`, () => tagOne(s, item));
  if (adoption.named.targetGroupArn) await adoptTargets(s, adoption.named.targetGroupArn);
  await writeThrough(s, adoption);
  s.report.fields.adopted = adoption.named;
  if (s.dryRun || adoption.tag.length === 0) return;
  const ids = ADOPTED_KINDS.map((k) => adoptedId(adoption.named, k)).filter((id) => id !== undefined);
  s.log.info({ adopted: ids }, 'adopted');
  s.event(
    'Normal',
    'Adopted',
    'Adopt',
    `adopted ${ids.join(', ')}: tagged as owned, converging them to the spec in place`,
  );
}
