/** Registration of the EndpointService controller with the runtime. */
import { ENDPOINT_SERVICE } from '../../api/kinds.ts';
import type { AwsClientFactory } from '../../aws/types.ts';
import type { ControllerDefinition, RuntimeServices } from '../../controller/types.ts';
import { EndpointServiceReconciler, type EndpointServiceReconcilerOptions } from './reconcile.ts';

export type { EndpointServiceReconcilerOptions } from './reconcile.ts';

/**
 * The EndpointService controller: pass the result to `Manager.register`.
 * @param aws hands out SDK clients per `spec.aws` (region, role, external id).
 */
export function endpointServiceController(
  aws: AwsClientFactory,
  opts: EndpointServiceReconcilerOptions = {},
): (services: RuntimeServices) => ControllerDefinition {
  return (services) => ({
    name: 'endpointservice',
    kind: ENDPOINT_SERVICE,
    reconciler: new EndpointServiceReconciler(aws, services, opts),
  });
}
