/** Registration of the PublishedApp controller with the runtime. */
import {
  AWS_IDENTITY,
  DEFAULT_IDENTITY,
  ENDPOINT_SERVICE,
  NAMESPACE,
  PUBLISHED_APP,
  SHARED_LISTENER,
} from '../../api/kinds.ts';
import type { EndpointService, PublishedApp, SharedListener } from '../../api/v1alpha1.ts';
import { listenerKeyOf } from '../access/lookups.ts';
import type { AwsClientFactory } from '../../aws/types.ts';
import type { ControllerDefinition, KubeObject, ObjectKey, RuntimeServices } from '../../controller/types.ts';
import { PublishedAppReconciler } from './reconcile.ts';
import type { PublishedAppReconcilerOptions } from './session.ts';

export type { PublishedAppReconcilerOptions } from './session.ts';

const keyOf = (a: KubeObject): ObjectKey => ({
  namespace: a.metadata?.namespace ?? '',
  name: a.metadata?.name ?? '',
});

/**
 * Keys of the PublishedApps whose `endpointServiceRef` names `es`, or whose `serviceName` is
 * the one `es` manages (its consent governs both).
 */
export function appsReferencing(apps: readonly PublishedApp[], es: KubeObject): ObjectKey[] {
  const name = es.metadata?.name;
  const namespace = es.metadata?.namespace;
  const managed = (es as EndpointService).status?.serviceName;
  return apps
    .filter((a) => {
      const { endpointServiceRef: ref, serviceName } = a.spec.service;
      if (ref === undefined) return managed !== undefined && serviceName === managed;
      return ref.name === name && (ref.namespace ?? a.metadata?.namespace) === namespace;
    })
    .map(keyOf);
}

/** Keys of the PublishedApps attached to the SharedListener `listener`. */
export function appsOnListener(apps: readonly PublishedApp[], listener: KubeObject): ObjectKey[] {
  const k = keyOf(listener);
  return apps
    .filter((a) => {
      const l = listenerKeyOf(a);
      return l?.namespace === k.namespace && l.name === k.name;
    })
    .map(keyOf);
}

/**
 * Keys of the PublishedApps acting as the AwsIdentity `identity`: through their
 * SharedListener's `spec.aws.identity`, or their own for a raw listenerArn (default identity
 * when unset). An app whose SharedListener is missing is left out: it acts as nobody.
 */
export function appsUsingIdentity(
  apps: readonly PublishedApp[],
  listener: (key: ObjectKey) => SharedListener | undefined,
  identity: KubeObject,
): ObjectKey[] {
  const name = identity.metadata?.name;
  return apps
    .filter((a) => {
      const key = listenerKeyOf(a);
      if (!key) return (a.spec.aws?.identity ?? DEFAULT_IDENTITY) === name;
      const l = listener(key);
      return l !== undefined && (l.spec.aws?.identity ?? DEFAULT_IDENTITY) === name;
    })
    .map(keyOf);
}

/**
 * Keys of the PublishedApps a Namespace's labels bear on: its own apps (grants by selector)
 * and the apps on its SharedListeners (their identity's grant).
 */
export function appsOfNamespace(apps: readonly PublishedApp[], ns: KubeObject): ObjectKey[] {
  const name = ns.metadata?.name;
  return apps
    .filter((a) => a.metadata?.namespace === name || listenerKeyOf(a)?.namespace === name)
    .map(keyOf);
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
    const apps = services.cache<PublishedApp>(PUBLISHED_APP);
    const listeners = services.cache<SharedListener>(SHARED_LISTENER);
    return {
      name: 'publishedapp',
      kind: PUBLISHED_APP,
      reconciler,
      sources: [reconciler.observation()],
      // A grant given or withdrawn moves the apps it bears on at once.
      watches: [
        { kind: ENDPOINT_SERVICE, map: (es) => appsReferencing(apps.list(), es) },
        { kind: SHARED_LISTENER, map: (l) => appsOnListener(apps.list(), l) },
        { kind: AWS_IDENTITY, map: (id) => appsUsingIdentity(apps.list(), (k) => listeners.get(k), id) },
        { kind: NAMESPACE, map: (ns) => appsOfNamespace(apps.list(), ns) },
      ],
    };
  };
}
