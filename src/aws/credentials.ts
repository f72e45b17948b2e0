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

/** Target of an AssumeRole. */
export interface RoleTarget {
  roleArn: string;
  externalId?: string;
  /** Session length; AWS's default is one hour. */
  durationSeconds?: number;
}

/** One AssumeRole call, as SDK credentials. */
export async function assumeRole(sts: STSClient, target: RoleTarget): Promise<AwsCredentialIdentity> {
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: target.roleArn,
      RoleSessionName: ROLE_SESSION_NAME,
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
