/**
 * The EndpointService object as this reconciler reads and writes it (crds/ is the schema).
 */
import type { AwsTarget } from '../../aws/types.ts';
import type { Condition, KubeObject } from '../../controller/types.ts';

/** `spec` as stored (defaults applied by the API server may still be absent on old objects). */
export interface EndpointServiceSpec {
  aws?: AwsTarget;
  networkLoadBalancerArns: string[];
  acceptanceRequired?: boolean;
  allowedPrincipals?: string[];
  autoAccept?: { principals?: string[]; rejectOthers?: boolean };
  privateDnsName?: string;
  supportedIpAddressTypes?: string[];
  tags?: Record<string, string>;
  deletionPolicy?: 'Delete' | 'Retain';
}

/** `status`, written by the controller only. */
export interface EndpointServiceStatus {
  observedGeneration?: number;
  serviceId?: string;
  serviceName?: string;
  serviceState?: string;
  privateDnsNameConfiguration?: { state?: string; type?: string; name?: string; value?: string };
  connections?: { endpointId: string; owner?: string; state?: string; decision?: string }[];
  conditions?: Condition[];
}

/** An EndpointService object. */
export interface EndpointService extends KubeObject {
  spec: EndpointServiceSpec;
  status?: EndpointServiceStatus;
}
