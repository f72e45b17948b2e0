/**
 * Tags to put on a resource the app owns so that it carries what the spec asks for. Tags
 * are only added or overwritten: a key dropped from `spec.tags` stays on the resource,
 * because a key the spec no longer names cannot be told apart from one another tool
 * (cost allocation, AWS Config, …) put there.
 */
import type { AwsTag } from '../../aws/tags.ts';

/** The tags of `want` that `have` lacks or holds with another value. */
export function tagsToApply(have: Readonly<Record<string, string>>, want: readonly AwsTag[]): AwsTag[] {
  return want.filter((t) => have[t.Key] !== t.Value);
}
