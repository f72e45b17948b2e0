/** SDK tag lists as the maps the planners compare (shared by the aws-ops modules). */

/** An SDK `Tag[]` as a map; a missing key or value counts as ''. */
export function tagRecord(
  tags: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined,
): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}
