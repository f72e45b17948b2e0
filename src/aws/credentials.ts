/**
 * Credentials per identity: assumed-role sessions are fetched once, shared by every client
 * of that role (all regions, EC2 and ELBv2) and refreshed ahead of expiry.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** Session name on every AssumeRole, visible in the target account's CloudTrail. */
export const ROLE_SESSION_NAME = 'privatelink-publisher';

/**
 * Refresh this long before expiry. Must exceed the SDK's own 5-minute window, or every
 * client would ask again on each request once inside it.
 */
export const REFRESH_BEFORE_MS = 10 * 60_000;

/** Options of {@link cachedCredentials}. */
export interface CachedCredentialsOptions {
  refreshBeforeMs?: number;
  /** Clock in ms; injectable for tests. */
  now?: () => number;
}

/**
 * Wraps `fetch` so it runs once per session: concurrent callers share one fetch, the result
 * is reused until `refreshBeforeMs` before its expiration, and a failed refresh falls back
 * to the cached credentials while they are still valid.
 */
export function cachedCredentials(
  fetch: () => Promise<AwsCredentialIdentity>,
  opts: CachedCredentialsOptions = {},
): AwsCredentialIdentityProvider {
  const now = opts.now ?? Date.now;
  const refreshBeforeMs = opts.refreshBeforeMs ?? REFRESH_BEFORE_MS;
  let cached: AwsCredentialIdentity | undefined;
  let inflight: Promise<AwsCredentialIdentity> | undefined;

  const fresh = (c: AwsCredentialIdentity): boolean =>
    c.expiration === undefined || now() < c.expiration.getTime() - refreshBeforeMs;
  const valid = (c: AwsCredentialIdentity): boolean =>
    c.expiration === undefined || now() < c.expiration.getTime();

  const refresh = async (): Promise<AwsCredentialIdentity> => {
    try {
      cached = await fetch();
      return cached;
    } catch (err) {
      if (cached && valid(cached)) return cached;
      throw err;
    } finally {
      inflight = undefined;
    }
  };

  return async () => {
    if (cached && fresh(cached)) return cached;
    inflight ??= refresh();
    return inflight;
  };
}

/** Session tag keys on every AssumeRole: the object the session acts for, and the cluster. */
export const SESSION_TAG_KEYS = {
  cluster: 'privatelink-publisher/cluster',
  namespace: 'privatelink-publisher/namespace',
  kind: 'privatelink-publisher/kind',
  name: 'privatelink-publisher/name',
} as const;

/** Target of an AssumeRole. */
export interface RoleTarget {
  roleArn: string;
  externalId?: string;
  /** Session length; AWS's default is one hour. */
  durationSeconds?: number;
  /** The object acted for and the cluster: session tags, SourceIdentity and session name. */
  subject?: { clusterId: string; kind: string; namespace: string; name: string };
}

/** AWS's limits on session tag values and on SourceIdentity / RoleSessionName (2-64). */
const TAG_VALUE_MAX = 256;
const NAME_MAX = 64;

/**
 * The AssumeRole fields that say who the session is for: session tags a trust policy can test
 * (`aws:RequestTag/privatelink-publisher/namespace`), a SourceIdentity (`sts:SourceIdentity`:
 * the namespace; it follows any role chaining) and a readable session name for CloudTrail.
 */
export function sessionFields(subject: RoleTarget['subject']): {
  RoleSessionName: string;
  SourceIdentity?: string;
  Tags?: { Key: string; Value: string }[];
} {
  if (!subject) return { RoleSessionName: ROLE_SESSION_NAME };
  const tags: { Key: string; Value: string }[] = [
    { Key: SESSION_TAG_KEYS.cluster, Value: subject.clusterId },
    { Key: SESSION_TAG_KEYS.namespace, Value: subject.namespace },
    { Key: SESSION_TAG_KEYS.kind, Value: subject.kind },
    { Key: SESSION_TAG_KEYS.name, Value: subject.name },
  ].map((t) => ({ ...t, Value: t.Value.slice(0, TAG_VALUE_MAX) }));
  const sessionName = `plp.${subject.namespace}.${subject.name}`.replace(/[^\w+=,.@-]/g, '-');
  return {
    RoleSessionName: sessionName.slice(0, NAME_MAX),
    SourceIdentity: subject.namespace.slice(0, NAME_MAX).padEnd(2, '-'),
    Tags: tags,
  };
}

/** One AssumeRole call, as SDK credentials. */
export async function assumeRole(sts: STSClient, target: RoleTarget): Promise<AwsCredentialIdentity> {
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: target.roleArn,
      ...sessionFields(target.subject),
      ExternalId: target.externalId,
      DurationSeconds: target.durationSeconds,
    }),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey)
    throw new Error(`AssumeRole ${target.roleArn} returned no credentials`);
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    expiration: c.Expiration,
  };
}

/** Cached, auto-refreshing credentials for a role, fetched through `sts`. */
export function assumedRoleCredentials(
  sts: STSClient,
  target: RoleTarget,
  opts?: CachedCredentialsOptions,
): AwsCredentialIdentityProvider {
  return cachedCredentials(() => assumeRole(sts, target), opts);
}
