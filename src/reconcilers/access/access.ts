/**
 * The separation-of-duties checks, made before any AWS call: which AWS identity an object may
 * act as, which listener a PublishedApp may attach to (and claim on), and whether it may
 * consume the endpoint service it names. Pure over {@link AccessLookups} (informer caches in
 * the controller, plain maps in table tests). A refusal names its reason and says why.
 */
import { DEFAULT_IDENTITY } from '../../api/kinds.ts';
import type {
  AwsAccess,
  AwsIdentity,
  EndpointService,
  PublishedApp,
  RouteClaim,
  SharedListener,
  SharedListenerReference,
  SharedListenerSpecFrontDoorApiGateway,
} from '../../api/v1alpha1.ts';
import type { AwsTarget } from '../../aws/types.ts';
import type { ObjectKey } from '../../controller/types.ts';
import { claimProblem, priorityProblem, priorityRange } from './claims.ts';
import { describeGrant, identityGrants, namespaceGrants, type NamespaceLabels } from './namespaces.ts';

/** What the checks read. */
export interface AccessLookups {
  identity(name: string): AwsIdentity | undefined;
  listener(key: ObjectKey): SharedListener | undefined;
  endpointService(key: ObjectKey): EndpointService | undefined;
  endpointServices(): readonly EndpointService[];
  labels: NamespaceLabels;
  /** `--single-tenant`: a PublishedApp may name a raw listenerArn. */
  singleTenant: boolean;
}

/** Why an object may not do what its spec asks; the reason is its condition reason. */
export interface Refusal {
  reason:
    | 'IdentityNotFound'
    | 'IdentityNotPermitted'
    | 'SharedListenerNotFound'
    | 'ListenerNotPermitted'
    | 'ClaimNotPermitted'
    | 'PriorityNotPermitted'
    | 'ReferenceNotPermitted'
    | 'AdoptionNotPermitted';
  message: string;
}

/** A check's answer: the value, or why not. */
export type Decision<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

/** The object on whose behalf an identity is used: the one its grant was checked for. */
export interface Grantee {
  kind: string;
  namespace: string;
  name: string;
}

function refuse<T>(reason: Refusal['reason'], message: string): Decision<T> {
  return { ok: false, refusal: { reason, message } };
}

/** What the grantee wants to do beyond acting as the identity. */
export interface IdentityUse {
  /** Adopt resources built by hand (spec.adopt): needs the identity's allowAdoption. */
  adopts?: boolean;
}

/**
 * The AWS target `grantee` may act as through `aws` (region + identity name).
 * @returns IdentityNotFound / IdentityNotPermitted when the identity is missing or does not
 * grant the grantee's namespace; AdoptionNotPermitted when the grantee adopts and the
 * identity does not allow adoption.
 */
export function identityTarget(
  lookups: AccessLookups,
  aws: AwsAccess | undefined,
  grantee: Grantee,
  use: IdentityUse = {},
): Decision<AwsTarget> {
  const name = aws?.identity ?? DEFAULT_IDENTITY;
  const identity = lookups.identity(name);
  if (!identity) return refuse('IdentityNotFound', `AwsIdentity ${name} does not exist`);
  if (!identityGrants(identity.spec.allowedNamespaces, grantee.namespace, lookups.labels))
    return refuse(
      'IdentityNotPermitted',
      `AwsIdentity ${name} does not grant namespace ${grantee.namespace}`,
    );
  if (use.adopts && identity.spec.allowAdoption !== true)
    return refuse(
      'AdoptionNotPermitted',
      `AwsIdentity ${name} does not allow adoption (spec.allowAdoption): nothing built by hand may be taken over through it`,
    );
  const { roleArn, externalId } = identity.spec;
  return {
    ok: true,
    value: { region: aws?.region, identity: name, roleArn, externalId, session: grantee },
  };
}

/**
 * The SharedListener's API Gateway front door, with the SharedListener that owns what is built
 * for it (the VPC link, its SG and the ALB SG rule). Only the SharedListener names an API: an
 * app gets routes on it and nothing else.
 */
export interface ApiFrontDoor extends SharedListenerSpecFrontDoorApiGateway {
  owner: ObjectKey & { uid: string };
}

/** Where and as whom a PublishedApp's AWS resources are built, and what it may claim there. */
export interface Attachment {
  listenerArn: string;
  target: AwsTarget;
  /** The SharedListener, when attached by reference. */
  listener?: ObjectKey;
  claims?: readonly RouteClaim[];
  /** The listener's range for allocated priorities; undefined: the controller's default. */
  priorities?: { min: number; max: number };
  /** The listener's API Gateway front door, when it has one. */
  frontDoor?: ApiFrontDoor;
}

function keyOf(obj: { metadata?: { namespace?: string; name?: string } }): ObjectKey {
  return { namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' };
}

function rawAttachment(lookups: AccessLookups, app: PublishedApp, listenerArn: string): Decision<Attachment> {
  if (!lookups.singleTenant) {
    return refuse(
      'ListenerNotPermitted',
      'a raw listenerArn is accepted only when the controller runs with --single-tenant; attach through listenerRef to a SharedListener',
    );
  }
  const target = identityTarget(
    lookups,
    app.spec.aws,
    { kind: 'PublishedApp', ...keyOf(app) },
    { adopts: app.spec.adopt !== undefined },
  );
  if (!target.ok) return target;
  return { ok: true, value: { listenerArn, target: target.value } };
}

function listenerKey(app: PublishedApp, ref: SharedListenerReference): ObjectKey {
  return { namespace: ref.namespace ?? app.metadata?.namespace ?? '', name: ref.name };
}

/** The SharedListener's API front door with its owner, as an Attachment field (empty without one). */
function frontDoorOf(listener: SharedListener, key: ObjectKey): Pick<Attachment, 'frontDoor'> {
  const api = listener.spec.frontDoor?.apiGateway;
  return api ? { frontDoor: { ...api, owner: { ...key, uid: listener.metadata?.uid ?? '' } } } : {};
}

/**
 * Where and as whom an already built app's resources can be removed: its listener and that
 * listener's identity, without the attach, claim or single-tenant checks (a withdrawn grant
 * still lets the controller take back what it built). Used on delete and on withdrawal.
 */
export function cleanupAttachmentOf(lookups: AccessLookups, app: PublishedApp): Decision<Attachment> {
  const ref = app.spec.listenerRef;
  if (!ref) {
    const target = identityTarget(lookups, app.spec.aws, { kind: 'PublishedApp', ...keyOf(app) });
    return target.ok
      ? { ok: true, value: { listenerArn: app.spec.listenerArn ?? '', target: target.value } }
      : target;
  }
  const key = listenerKey(app, ref);
  const named = `SharedListener ${key.namespace}/${key.name}`;
  const listener = lookups.listener(key);
  if (!listener) return refuse('SharedListenerNotFound', `${named} does not exist`);
  const target = identityTarget(lookups, listener.spec.aws, { kind: 'SharedListener', ...key });
  if (!target.ok) return refuse(target.refusal.reason, `${named}: ${target.refusal.message}`);
  const frontDoor = frontDoorOf(listener, key);
  return {
    ok: true,
    value: { listenerArn: listener.spec.listenerArn, target: target.value, listener: key, ...frontDoor },
  };
}

/** Why `listener` does not take this app: its namespace, its hosts/paths or its priority. */
function routeRefusal(
  lookups: AccessLookups,
  listener: SharedListener,
  key: ObjectKey,
  app: PublishedApp,
): Refusal | undefined {
  const ns = app.metadata?.namespace ?? '';
  const named = `SharedListener ${key.namespace}/${key.name}`;
  const routes = listener.spec.allowedRoutes;
  if (!namespaceGrants(routes?.namespaces, key.namespace, ns, lookups.labels)) {
    const admits = describeGrant(routes?.namespaces, key.namespace);
    return { reason: 'ListenerNotPermitted', message: `${named} admits ${admits}, not ${ns}` };
  }
  const claim = claimProblem(routes?.claims, ns, app.spec.routing);
  if (claim) return { reason: 'ClaimNotPermitted', message: `${named}: ${claim}` };
  const priority = priorityProblem(app.spec.routing.priority, listener.spec.priorities);
  return priority ? { reason: 'PriorityNotPermitted', message: `${named}: ${priority}` } : undefined;
}

/**
 * Why an app that adopts may not do so through `listener`: the listener's adoption grant must name the
 * app's namespace (absent: nobody) and the listener's identity must allow adoption. Adoption
 * takes over what nobody owns in the DMZ account, which attaching alone does not imply.
 */
function adoptionRefusal(
  lookups: AccessLookups,
  listener: SharedListener,
  key: ObjectKey,
  app: PublishedApp,
): Refusal | undefined {
  if (!app.spec.adopt) return undefined;
  const ns = app.metadata?.namespace ?? '';
  const named = `SharedListener ${key.namespace}/${key.name}`;
  const grant = listener.spec.adoption;
  if (!grant || !namespaceGrants(grant.namespaces, key.namespace, ns, lookups.labels)) {
    const admits = grant ? describeGrant(grant.namespaces, key.namespace) : 'no namespace';
    return {
      reason: 'AdoptionNotPermitted',
      message: `${named} grants adoption (spec.adoption) to ${admits}, not ${ns}`,
    };
  }
  const target = identityTarget(
    lookups,
    listener.spec.aws,
    { kind: 'SharedListener', ...key },
    { adopts: true },
  );
  return target.ok
    ? undefined
    : { reason: target.refusal.reason, message: `${named}: ${target.refusal.message}` };
}

/**
 * The listener a PublishedApp attaches to, checked: the SharedListener exists and allows the
 * app's namespace, the app's hosts/paths fit its claims, its explicit priority the range, and
 * the listener's identity grants the listener's namespace (the DMZ team's, not the app's);
 * an app that adopts needs the listener's adoption grant too.
 */
export function attachmentOf(lookups: AccessLookups, app: PublishedApp): Decision<Attachment> {
  const ref = app.spec.listenerRef;
  if (!ref) return rawAttachment(lookups, app, app.spec.listenerArn ?? '');
  const listener = lookups.listener(listenerKey(app, ref));
  const refusal = listener && routeRefusal(lookups, listener, listenerKey(app, ref), app);
  if (refusal) return { ok: false, refusal };
  const access = cleanupAttachmentOf(lookups, app);
  if (!access.ok || !listener) return access;
  const adoption = adoptionRefusal(lookups, listener, listenerKey(app, ref), app);
  if (adoption) return { ok: false, refusal: adoption };
  const { claims } = listener.spec.allowedRoutes ?? {};
  const range = listener.spec.priorities && priorityRange(listener.spec.priorities);
  return { ok: true, value: { ...access.value, claims, priorities: range } };
}

/** Whether an EndpointService lets PublishedApps of `namespace` consume it. */
export function consents(es: EndpointService, namespace: string, labels: NamespaceLabels): boolean {
  return namespaceGrants(
    es.spec.allowedConsumers?.namespaces,
    es.metadata?.namespace ?? '',
    namespace,
    labels,
  );
}

/**
 * Whether the app may consume the service it names: a referenced EndpointService, or one of
 * this cluster's that manages the service named by `serviceName`, must consent to the app's
 * namespace. A service no EndpointService here manages is the provider's to govern.
 * @returns undefined when permitted.
 */
export function consentRefusal(lookups: AccessLookups, app: PublishedApp): Refusal | undefined {
  const ns = app.metadata?.namespace ?? '';
  const managing = managingServices(lookups, app);
  const [es] = managing;
  if (!es || managing.some((e) => consents(e, ns, lookups.labels))) return undefined;
  const { endpointServiceRef: ref, serviceName } = app.spec.service;
  const via = ref ? '' : ` (it manages ${serviceName})`;
  const esNamespace = es.metadata?.namespace ?? '';
  return {
    reason: 'ReferenceNotPermitted',
    message: `EndpointService ${esNamespace}/${es.metadata?.name}${via} admits ${describeGrant(es.spec.allowedConsumers?.namespaces, esNamespace)} as consumers, not ${ns}`,
  };
}

/** The EndpointServices of this cluster that govern the service the app consumes. */
function managingServices(lookups: AccessLookups, app: PublishedApp): EndpointService[] {
  const { endpointServiceRef: ref, serviceName } = app.spec.service;
  if (ref) {
    const es = lookups.endpointService({
      namespace: ref.namespace ?? app.metadata?.namespace ?? '',
      name: ref.name,
    });
    return es ? [es] : [];
  }
  if (serviceName === undefined) return [];
  return lookups.endpointServices().filter((e) => e.status?.serviceName === serviceName);
}
