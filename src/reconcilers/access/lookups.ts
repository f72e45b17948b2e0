/**
 * {@link AccessLookups} over the runtime's informer caches. Asking for the caches here, when a
 * controller is registered, makes the manager watch the kinds before its workers start.
 */
import { AWS_IDENTITY, ENDPOINT_SERVICE, NAMESPACE, SHARED_LISTENER } from '../../api/kinds.ts';
import type { AwsIdentity, EndpointService, PublishedApp, SharedListener } from '../../api/v1alpha1.ts';
import type { KubeObject, ObjectKey, RuntimeServices } from '../../controller/types.ts';
import type { AccessLookups } from './access.ts';

/** The lookups the access checks read, from the informer caches. */
export function cacheLookups(rt: RuntimeServices, singleTenant: boolean): AccessLookups {
  const identities = rt.cache<AwsIdentity>(AWS_IDENTITY);
  const listeners = rt.cache<SharedListener>(SHARED_LISTENER);
  const services = rt.cache<EndpointService>(ENDPOINT_SERVICE);
  const namespaces = rt.cache<KubeObject>(NAMESPACE);
  return {
    identity: (name) => identities.get({ namespace: '', name }),
    listener: (key) => listeners.get(key),
    endpointService: (key) => services.get(key),
    endpointServices: () => services.list(),
    labels: (ns) => namespaces.get({ namespace: '', name: ns })?.metadata?.labels,
    singleTenant,
  };
}

/** The SharedListener an app names, as a key. */
export function listenerKeyOf(app: PublishedApp): ObjectKey | undefined {
  const ref = app.spec.listenerRef;
  return ref && { namespace: ref.namespace ?? app.metadata?.namespace ?? '', name: ref.name };
}

/** The listener ARN an app names, raw or through its SharedListener; not a permission check. */
export function listenerArnOf(lookups: AccessLookups, app: PublishedApp): string | undefined {
  const key = listenerKeyOf(app);
  return key ? lookups.listener(key)?.spec.listenerArn : app.spec.listenerArn;
}
