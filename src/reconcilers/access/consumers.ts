/**
 * Which PublishedApp of this cluster an endpoint connection comes from, so the provider side
 * can hold it to the service's consent. Pure.
 */
import { TAG_KEYS } from '../../api/kinds.ts';
import type { PublishedApp } from '../../api/v1alpha1.ts';
import type { ObjectKey } from '../../controller/types.ts';

/** What a connection says of its endpoint. */
export interface ConnectionSource {
  endpointId: string;
  /** Tags AWS shows on the connection (the endpoint's ownership tags, where present). */
  tags?: Record<string, string>;
}

/**
 * The app the endpoint was made for: named by our ownership tags (this cluster's), else the
 * app whose status records the endpoint.
 */
export function consumerApp(
  apps: readonly PublishedApp[],
  conn: ConnectionSource,
  clusterId: string,
): ObjectKey | undefined {
  const tagged = taggedApp(conn.tags ?? {}, clusterId);
  if (tagged) return tagged;
  const app = apps.find((a) => a.status?.endpointId === conn.endpointId);
  return app && { namespace: app.metadata?.namespace ?? '', name: app.metadata?.name ?? '' };
}

/** The PublishedApp our ownership tags name, when they are this cluster's. */
function taggedApp(tags: Record<string, string>, clusterId: string): ObjectKey | undefined {
  const owner = tags[TAG_KEYS.owner];
  if (!owner || tags[TAG_KEYS.cluster] !== clusterId) return undefined;
  const [kind, namespace, name] = owner.split('/');
  return kind === 'PublishedApp' && namespace && name ? { namespace, name } : undefined;
}
