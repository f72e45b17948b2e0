/** PublishedApp specs the tests start from. */
import type { PublishedAppSpec } from '../../../src/api/v1alpha1.ts';
import { DMZ_LISTENER } from '../grants.ts';
import type { World } from './world.ts';

/**
 * An app publishing `provider`'s service at `path` and `path/*` on the world's listener, shared
 * in the test's namespace as {@link DMZ_LISTENER} (grants.ts shareListener).
 */
export function appSpec(
  world: World,
  provider: string,
  path: string,
  extra: Partial<PublishedAppSpec> = {},
): PublishedAppSpec {
  return {
    service: { serviceName: world.providers[provider]!.serviceName! },
    endpoint: { vpcId: world.dmz.vpcId, subnetIds: world.dmz.subnetIds.slice(0, 2) },
    listenerRef: { name: DMZ_LISTENER },
    routing: { pathPatterns: [path, `${path}/*`] },
    target: { port: 80, protocol: 'HTTP', healthCheck: { path: '/health' }, deregistrationDelaySeconds: 30 },
    tags: { app: provider },
    ...extra,
  };
}
