/**
 * The platform and DMZ teams' side of the API in tests: AwsIdentity grants (cluster-scoped,
 * so named per test namespace) and SharedListeners.
 */
import { API_GROUP, API_VERSION } from '../../src/api/kinds.ts';
import type { AwsIdentitySpec, SharedListenerSpec } from '../../src/api/v1alpha1.ts';
import type { TestContext } from '../env/context.ts';

/** The SharedListener appSpec() attaches to (specs.ts). */
export const DMZ_LISTENER = 'dmz';

async function apply(ctx: TestContext, body: object, namespace?: string): Promise<void> {
  const args = namespace ? ['apply', '-n', namespace, '-f', '-'] : ['apply', '-f', '-'];
  const out = await ctx.kubectl(args, JSON.stringify(body));
  if (out.code !== 0) throw new Error(`kubectl apply failed: ${out.stderr}`);
}

/** Creates or replaces the SharedListener `name` (default {@link DMZ_LISTENER}) in `namespace` (default the test's). */
export async function shareListener(
  ctx: TestContext,
  listenerArn: string,
  opts: { name?: string; namespace?: string; spec?: Partial<SharedListenerSpec> } = {},
): Promise<void> {
  const spec: SharedListenerSpec = { listenerArn, ...opts.spec };
  await apply(
    ctx,
    {
      apiVersion: `${API_GROUP}/${API_VERSION}`,
      kind: 'SharedListener',
      metadata: { name: opts.name ?? DMZ_LISTENER },
      spec,
    },
    opts.namespace ?? ctx.namespace,
  );
}

/**
 * Creates or replaces the AwsIdentity `name`; cluster-scoped, so the caller removes it
 * ({@link removeIdentity}) when its file ends.
 */
export async function grantIdentity(ctx: TestContext, name: string, spec: AwsIdentitySpec): Promise<void> {
  await apply(ctx, {
    apiVersion: `${API_GROUP}/${API_VERSION}`,
    kind: 'AwsIdentity',
    metadata: { name, labels: { 'plp-test-namespace': ctx.namespace } },
    spec,
  });
}

/** Deletes the AwsIdentity `name` (absent is fine). */
export async function removeIdentity(ctx: TestContext, name: string): Promise<void> {
  await ctx.kubectl(['delete', 'awsidentity', name, '--ignore-not-found', '--wait=false']);
}
