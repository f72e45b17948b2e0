/**
 * Step: the spec's tags (with the ownership tags) on everything the app owns. The endpoint
 * and the SG come with their tags in the shared describes, so they are compared on every
 * walk; the target group's and the rule's tags cost a DescribeTags, so they are compared
 * until a pass at the spec's generation has got through (Ready at that generation).
 */
import type { PublishedAppStatus } from '../../api/v1alpha1.ts';
import type { AwsTag } from '../../aws/tags.ts';
import { tagsToApply } from './plan-tags.ts';
import { ownedEndpoints } from './resolve.ts';
import { PLANNED, type Session } from './session.ts';
import { ownedSecurityGroups } from './sync-security-groups.ts';
import * as tags from './tag-ops.ts';

const show = (t: readonly { Key: string; Value: string }[]): string =>
  t.map((x) => `${x.Key}=${x.Value}`).join(', ');

/** What a walk reported the app to own. */
type Owned = Pick<PublishedAppStatus, 'endpointId' | 'securityGroupId' | 'targetGroupArn' | 'ruleArn'>;

/** The endpoint and the SG, compared with the tags they came with in the shared describes. */
async function tagEc2Resources(s: Session, owned: Owned, want: readonly AwsTag[]): Promise<void> {
  const { ec2 } = s.clients;
  const ec2Resources = [
    ...(await ownedEndpoints(s)).filter((e) => e.id === owned.endpointId),
    ...(await ownedSecurityGroups(s))
      .filter((g) => g.groupId === owned.securityGroupId)
      .map((g) => ({ id: g.groupId, tags: g.tags })),
  ];
  for (const r of ec2Resources) {
    const apply = tagsToApply(r.tags, want);
    if (apply.length > 0)
      await s.act('Tag', `tag ${r.id}: ${show(apply)}`, () => tags.tagEc2Resource(ec2, r.id, apply));
  }
}

/**
 * The last step of a pass: done at this generation when a pass ended Ready (a pass that
 * failed anywhere, or in here, left Ready not True — the steps after a failed one still run,
 * so the route's own condition does not say).
 */
function readyAtThisGeneration(s: Session): boolean {
  const ready = s.app.status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' && ready.observedGeneration === s.generation;
}

/** The target group and the rule, whose tags cost a DescribeTags. */
async function tagElbResources(s: Session, owned: Owned, want: readonly AwsTag[]): Promise<void> {
  const { elbv2 } = s.clients;
  const arns = [owned.targetGroupArn, owned.ruleArn].filter(
    (a): a is string => a !== undefined && a !== PLANNED,
  );
  if (arns.length === 0) return;
  const have = await tags.describeElbTags(elbv2, arns);
  for (const arn of arns) {
    const apply = tagsToApply(have.get(arn) ?? {}, want);
    if (apply.length > 0)
      await s.act('Tag', `tag ${arn}: ${show(apply)}`, () => tags.tagElbResource(elbv2, arn, apply));
  }
}

/** @param owned what this walk reported (ids that are {@link PLANNED} are skipped). */
export async function syncTags(s: Session, owned: Owned): Promise<void> {
  const want = s.tags();
  await tagEc2Resources(s, owned, want);
  if (readyAtThisGeneration(s)) return;
  await tagElbResources(s, owned, want);
}
