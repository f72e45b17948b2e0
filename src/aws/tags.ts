/**
 * Ownership tags: every AWS resource the controller creates carries the cluster id, the
 * owning object (`<Kind>/<namespace>/<name>`) and its UID. The UID proves ownership; the
 * owner string is for humans and for finding orphans by name.
 */
import type { Filter } from '@aws-sdk/client-ec2';
import { TAG_KEYS } from '../api/kinds.ts';

/** The Kubernetes object that owns an AWS resource, in one controller installation. */
export interface Owner {
  clusterId: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
}

/** The Kubernetes object `obj` of `kind` as the owner of what it builds in installation `clusterId`. */
export function ownerOf(
  clusterId: string,
  kind: string,
  obj: { metadata?: { namespace?: string; name?: string; uid?: string } },
): Owner {
  const m = obj.metadata;
  return { clusterId, kind, namespace: m?.namespace ?? '', name: m?.name ?? '', uid: m?.uid ?? '' };
}

/** EC2 and ELBv2 `Tag` have this same shape; SDK outputs mark both fields optional. */
export interface AwsTag {
  Key: string;
  Value: string;
}

type TagsLike = readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined;

/** AWS's limits shared by EC2 and ELBv2 tags. */
export const TAG_LIMITS = { maxTags: 50, maxKeyLength: 128, maxValueLength: 256 } as const;

const RESERVED_PREFIX = TAG_KEYS.cluster.slice(0, TAG_KEYS.cluster.indexOf('/') + 1);
const OWNERSHIP_TAG_COUNT = Object.keys(TAG_KEYS).length;
/** ELBv2's allowed characters (EC2 allows more); a tag valid for both works everywhere. */
const ALLOWED_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** `<Kind>/<namespace>/<name>`, the value of the owner tag. */
export function ownerTagValue(owner: Pick<Owner, 'kind' | 'namespace' | 'name'>): string {
  return `${owner.kind}/${owner.namespace}/${owner.name}`;
}

/**
 * Who owns a resource other than `self`, as its ownership tags say (any of them: a half-tagged
 * resource is not free either), for a refusal's message.
 * @returns undefined when the tags name no owner, or name `self`.
 */
export function otherOwner(
  tags: Readonly<Record<string, string>>,
  self: Pick<Owner, 'clusterId' | 'uid'>,
): string | undefined {
  const cluster = tags[TAG_KEYS.cluster];
  const uid = tags[TAG_KEYS.uid];
  const owner = tags[TAG_KEYS.owner];
  if (cluster === undefined && uid === undefined && owner === undefined) return undefined;
  if (cluster === self.clusterId && uid === self.uid) return undefined;
  return `${owner ?? `UID ${uid ?? '?'}`} of cluster ${cluster ?? '?'}`;
}

/** Why AWS (or the controller) would refuse these user tags; empty when all are fine. */
export function tagProblems(userTags: Readonly<Record<string, string>> | undefined): string[] {
  const entries = Object.entries(userTags ?? {});
  const problems = entries.flatMap(([key, value]) => keyProblems(key, value));
  const maxUserTags = TAG_LIMITS.maxTags - OWNERSHIP_TAG_COUNT;
  if (entries.length > maxUserTags) {
    problems.push(`${entries.length} tags given, at most ${maxUserTags} allowed besides the ownership tags`);
  }
  return problems;
}

function keyProblems(key: string, value: string): string[] {
  const problems: string[] = [];
  if (key.length === 0 || key.length > TAG_LIMITS.maxKeyLength) {
    problems.push(`tag key "${key}" must be 1-${TAG_LIMITS.maxKeyLength} characters`);
  }
  if (key.toLowerCase().startsWith('aws:')) problems.push(`tag key "${key}" uses the reserved prefix aws:`);
  if (key.startsWith(RESERVED_PREFIX))
    problems.push(`tag key "${key}" uses the controller's prefix ${RESERVED_PREFIX}`);
  if (!ALLOWED_CHARS.test(key)) problems.push(`tag key "${key}" has characters AWS does not allow`);
  if (value.length > TAG_LIMITS.maxValueLength) {
    problems.push(`tag "${key}" has a value longer than ${TAG_LIMITS.maxValueLength} characters`);
  }
  if (!ALLOWED_CHARS.test(value))
    problems.push(`tag "${key}" has a value with characters AWS does not allow`);
  return problems;
}

/**
 * The full tag set of an owned resource as a map: the user's tags AWS would accept, then
 * the ownership tags (which always win). Invalid user tags are left out here; report them
 * with {@link tagProblems}. Beyond the 47th valid user tag, later keys (sorted) are dropped.
 */
export function ownedTagMap(
  owner: Owner,
  userTags?: Readonly<Record<string, string>>,
): Record<string, string> {
  const valid = Object.entries(userTags ?? {})
    .filter(([key, value]) => keyProblems(key, value).length === 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, TAG_LIMITS.maxTags - OWNERSHIP_TAG_COUNT);
  return {
    ...Object.fromEntries(valid),
    [TAG_KEYS.cluster]: owner.clusterId,
    [TAG_KEYS.owner]: ownerTagValue(owner),
    [TAG_KEYS.uid]: owner.uid,
  };
}

/** {@link ownedTagMap} as an EC2/ELBv2 `Tag[]`, ownership tags first. */
export function ownershipTags(owner: Owner, userTags?: Readonly<Record<string, string>>): AwsTag[] {
  const map = ownedTagMap(owner, userTags);
  const ownership = [TAG_KEYS.cluster, TAG_KEYS.owner, TAG_KEYS.uid] as string[];
  const keys = [...ownership, ...Object.keys(map).filter((key) => !ownership.includes(key))];
  return keys.map((key) => ({ Key: key, Value: map[key] ?? '' }));
}

/** A `Tag[]` from the SDK as a map (entries without a key are skipped). */
export function tagMap(tags: TagsLike): Record<string, string> {
  const map: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) map[tag.Key] = tag.Value ?? '';
  return map;
}

/** A map as an EC2/ELBv2 `Tag[]`. */
export function toAwsTags(map: Readonly<Record<string, string>>): AwsTag[] {
  return Object.entries(map).map(([Key, Value]) => ({ Key, Value }));
}

/**
 * EC2 `Filters` selecting resources owned by this cluster, narrowed to one owner by
 * whichever of uid / kind+namespace+name are given. Use the cluster-only form for one
 * batched describe across all objects.
 */
export function ownerFilters(selector: Pick<Owner, 'clusterId'> & Partial<Owner>): Filter[] {
  const filters: Filter[] = [{ Name: `tag:${TAG_KEYS.cluster}`, Values: [selector.clusterId] }];
  if (selector.uid !== undefined) filters.push({ Name: `tag:${TAG_KEYS.uid}`, Values: [selector.uid] });
  if (selector.kind !== undefined && selector.namespace !== undefined && selector.name !== undefined) {
    filters.push({
      Name: `tag:${TAG_KEYS.owner}`,
      Values: [ownerTagValue({ kind: selector.kind, namespace: selector.namespace, name: selector.name })],
    });
  }
  return filters;
}

/** True when the tags say this cluster's object with this UID owns the resource. */
export function isOwnedBy(tags: TagsLike, owner: Pick<Owner, 'clusterId' | 'uid'>): boolean {
  const map = tagMap(tags);
  return map[TAG_KEYS.cluster] === owner.clusterId && map[TAG_KEYS.uid] === owner.uid;
}

/** The owner recorded in a resource's tags, or undefined when any ownership tag is missing or malformed. */
export function ownerFromTags(tags: TagsLike): Owner | undefined {
  const map = tagMap(tags);
  const clusterId = map[TAG_KEYS.cluster];
  const uid = map[TAG_KEYS.uid];
  const parts = map[TAG_KEYS.owner]?.split('/');
  if (clusterId === undefined || uid === undefined || parts?.length !== 3) return undefined;
  const [kind, namespace, name] = parts as [string, string, string];
  return { clusterId, kind, namespace, name, uid };
}
