/**
 * Names fixed by the API contract (docs: /work/shared/design/api.md) that code on both sides
 * of the API — reconcilers, runtime wiring, tests — must spell identically.
 */
import type { ResourceKind } from '../controller/types.ts';

/** API group of both custom resources. */
export const API_GROUP = 'publisher.privatelink.dev';
/** The only served (and stored) version. */
export const API_VERSION = 'v1alpha1';
/** `apiVersion` field value of both kinds. */
export const GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;

/** The provider side: an NLB-fronted VPC endpoint service. */
export const ENDPOINT_SERVICE: ResourceKind = {
  group: API_GROUP,
  version: API_VERSION,
  plural: 'endpointservices',
  kind: 'EndpointService',
};

/** The consumer side: interface endpoint, IP target group and ALB rule in the DMZ VPC. */
export const PUBLISHED_APP: ResourceKind = {
  group: API_GROUP,
  version: API_VERSION,
  plural: 'publishedapps',
  kind: 'PublishedApp',
};

/** Cluster-scoped: an AWS identity the platform admin grants to namespaces. */
export const AWS_IDENTITY: ResourceKind = {
  group: API_GROUP,
  version: API_VERSION,
  plural: 'awsidentities',
  kind: 'AwsIdentity',
  namespaced: false,
};

/** An ALB listener the DMZ team shares with the namespaces it allows. */
export const SHARED_LISTENER: ResourceKind = {
  group: API_GROUP,
  version: API_VERSION,
  plural: 'sharedlisteners',
  kind: 'SharedListener',
};

/** Core Namespaces, for the label selectors of grants. */
export const NAMESPACE: ResourceKind = {
  group: '',
  version: 'v1',
  plural: 'namespaces',
  kind: 'Namespace',
  namespaced: false,
};

/** The AwsIdentity a spec that names none uses. */
export const DEFAULT_IDENTITY = 'default';

/**
 * Annotation that puts one object in dry-run mode (value `"true"`): every change it would make
 * is logged and published as a `DryRun` Event, nothing is applied and no status is written —
 * e.g. to read what an adoption would change before anything is tagged.
 */
export const DRY_RUN_ANNOTATION = `${API_GROUP}/dry-run`;

/** Finalizer the controller holds until the object's AWS resources are gone (or retained). */
export const FINALIZER = `${API_GROUP}/cleanup`;

/** Tag keys on every AWS resource the controller creates; together they prove ownership. */
export const TAG_KEYS = {
  /** The controller installation's cluster id. */
  cluster: `${API_GROUP}/cluster`,
  /** `<Kind>/<namespace>/<name>` of the owning object. */
  owner: `${API_GROUP}/owner`,
  /** The owning object's UID: a re-created object of the same name is a different owner. */
  uid: `${API_GROUP}/uid`,
} as const;

/** Condition types of an EndpointService; `Ready` summarises the others. */
export const ENDPOINT_SERVICE_CONDITIONS = {
  serviceAvailable: 'ServiceAvailable',
  principalsSynced: 'PrincipalsSynced',
  connectionsReconciled: 'ConnectionsReconciled',
  /** Only with spec.privateDnsName; not part of Ready. */
  privateDnsNameVerified: 'PrivateDnsNameVerified',
  ready: 'Ready',
} as const;

/** Condition types of a PublishedApp; `Ready` summarises the others. */
export const PUBLISHED_APP_CONDITIONS = {
  endpointAvailable: 'EndpointAvailable',
  securityGroupsSynced: 'SecurityGroupsSynced',
  targetsSynced: 'TargetsSynced',
  routeConfigured: 'RouteConfigured',
  /** The app's routes and integration on the SharedListener's HTTP API (API front door only). */
  apiRouteConfigured: 'ApiRouteConfigured',
  ready: 'Ready',
} as const;
