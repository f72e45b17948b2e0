/** Registration of the PublishedApp controller with the runtime. */
import { ENDPOINT_SERVICE, PUBLISHED_APP } from '../../api/kinds.ts';
import type { PublishedApp } from '../../api/v1alpha1.ts';
import type { AwsClientFactory } from '../../aws/types.ts';
import type { ControllerDefinition, KubeObject, ObjectKey, RuntimeServices } from '../../controller/types.ts';
import { PublishedAppReconciler } from './reconcile.ts';
import type { PublishedAppReconcilerOptions } from './session.ts';

export type { PublishedAppReconcilerOptions } from './session.ts';

/** Keys of the PublishedApps whose `endpointServiceRef` names `es`. */
export function appsReferencing(apps: readonly PublishedApp[], es: KubeObject): ObjectKey[] {
  const name = es.metadata?.name;
  const namespace = es.metadata?.namespace;
  return apps
    .filter((a) => {
      const ref = a.spec.service.endpointServiceRef;
      return ref !== undefined && ref.name === name && (ref.namespace ?? a.metadata?.namespace) === namespace;
    })
    .map((a) => ({ namespace: a.metadata?.namespace ?? '', name: a.metadata?.name ?? '' }));
}

/**
 * The PublishedApp controller: pass the result to `Manager.register`. It also watches
 * EndpointServices, so an app waiting for a service name moves as soon as it appears, and
 * runs the AWS observation loop that enqueues apps whose endpoints, SGs or rule changed.
 * @param aws hands out SDK clients per `spec.aws` (region, role, external id).
 */
export function publishedAppController(
  aws: AwsClientFactory,
  opts: PublishedAppReconcilerOptions = {},
): (services: RuntimeServices) => ControllerDefinition {
  return (services) => {
    const reconciler = new PublishedAppReconciler(aws, services, opts);
    return {
      name: 'publishedapp',
      kind: PUBLISHED_APP,
      reconciler,
      sources: [reconciler.observation()],
      watches: [
        {
          kind: ENDPOINT_SERVICE,
          map: (es) => appsReferencing(services.cache<PublishedApp>(PUBLISHED_APP).list(), es),
        },
      ],
    };
  };
}
