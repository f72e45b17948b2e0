/** Registration of the EndpointService controller with the runtime. */
import { AWS_IDENTITY, DEFAULT_IDENTITY, ENDPOINT_SERVICE, NAMESPACE } from '../../api/kinds.ts';
import type { EndpointService } from '../../api/v1alpha1.ts';
import type { AwsClientFactory } from '../../aws/types.ts';
import type { ControllerDefinition, KubeObject, ObjectKey, RuntimeServices } from '../../controller/types.ts';
import { EndpointServiceReconciler } from './reconcile.ts';
import type { EndpointServiceReconcilerOptions } from './session.ts';

export type { EndpointServiceReconcilerOptions } from './session.ts';

const keyOf = (o: KubeObject): ObjectKey => ({
  namespace: o.metadata?.namespace ?? '',
  name: o.metadata?.name ?? '',
});

/**
 * Keys of the EndpointServices acting as the AwsIdentity `identity` (`spec.aws.identity`,
 * else the default identity): a change to one identity moves only the objects it bears on.
 */
export function servicesUsingIdentity(
  services: readonly EndpointService[],
  identity: KubeObject,
): ObjectKey[] {
  const name = identity.metadata?.name;
  return services.filter((o) => (o.spec.aws?.identity ?? DEFAULT_IDENTITY) === name).map(keyOf);
}

/**
 * The EndpointService controller: pass the result to `Manager.register`.
 * @param aws hands out SDK clients per `spec.aws` (region, role, external id).
 */
export function endpointServiceController(
  aws: AwsClientFactory,
  opts: EndpointServiceReconcilerOptions = {},
): (services: RuntimeServices) => ControllerDefinition {
  return (services) => {
    const all = services.cache<EndpointService>(ENDPOINT_SERVICE);
    return {
      name: 'endpointservice',
      kind: ENDPOINT_SERVICE,
      reconciler: new EndpointServiceReconciler(aws, services, opts),
      // An identity granted or withdrawn (or a namespace's labels changed) moves its objects at once.
      watches: [
        { kind: AWS_IDENTITY, map: (identity) => servicesUsingIdentity(all.list(), identity) },
        { kind: NAMESPACE, map: (ns) => all.list(ns.metadata?.name).map(keyOf) },
      ],
    };
  };
}
