/**
 * Resolves and checks what a PublishedApp refers to before anything is changed: the service
 * name, the listener → its ALB (VPC, SGs, DNS name), the subnets and extra SGs, that the
 * service is visible, where the app's rule can go on the listener (priority, paths,
 * room), whether its SNI certificate may go on the listener, and its API routes (API front door). A problem here is a {@link StepProblem}: reported with a specific reason, and no AWS
 * change is made for the object — except refused subnets of an app whose endpoint already
 * exists: those are left out and reported, and the rest of the app keeps following AWS.
 */
import { TAG_KEYS } from '../../api/kinds.ts';
import * as ops from './aws-ops.ts';
import { planPrivateDns, privateDnsNeedsCheck, type PrivateDnsPlan } from './plan-private-dns.ts';
import { planSubnets, type SubnetPlan } from './plan-subnets.ts';
import { readKeys, scopeEndpoints, type ListenerAndAlb } from './scope-reads.ts';
import { Session, StepProblem } from './session.ts';
import { placeRule } from './place-rule.ts';
import { checkApi, type ApiReferences } from './api-reads.ts';
import { certificateRefusal } from './certificate-reads.ts';
import { judgeAdoption, type Adoption } from './adopt.ts';

/** What the later steps build on. */
export interface References {
  serviceName: string;
  listener: ops.ListenerInfo;
  loadBalancer: ops.LoadBalancerInfo;
  /** Every endpoint of ours (this app's UID), any state. */
  endpoints: ops.TaggedEndpoint[];
  /** The rule's priority, decided with its paths and the listener's room before any change. */
  priority: number;
  /** The spec's subnets the endpoint may be in, and why the others are refused. */
  subnets: SubnetPlan;
  /** The PrivateDnsEnabled to hold, and why the spec's was refused. */
  privateDns: PrivateDnsPlan;
  /**
   * Why the app's rule cannot be placed as the spec says, for an app already built: its rule
   * is left as it is and the rest keeps following AWS. (A new app is refused whole.)
   */
  routeProblem?: StepProblem;
  /** The API hop, behind the API front door. */
  api?: ApiReferences;
  /** Why the app's API routes cannot be as the spec says, for an app already built (held). */
  apiProblem?: StepProblem;
  /** What spec.adopt names, judged adoptable and still to be tagged (until status.adopted says done). */
  adoption?: Adoption;
}

/** The referenced EndpointService's status.serviceName, or undefined while it has none. */
export function serviceNameOf(s: Session): string | undefined {
  const source = s.app.spec.service;
  if (source.serviceName) return source.serviceName;
  const ref = source.endpointServiceRef;
  if (!ref) return undefined;
  const namespace = ref.namespace ?? s.app.metadata?.namespace ?? '';
  return s.deps.endpointServices.get({ namespace, name: ref.name })?.status?.serviceName;
}

/** The listener and its load balancer, shared by all apps on it for a while. */
export function listenerAndAlb(s: Session, listenerArn: string): Promise<ListenerAndAlb> {
  const { elbv2, scope } = s.clients;
  return s.deps.reads.get(
    readKeys.listenerAndAlb(scope, listenerArn),
    async () => {
      const listener = await ops.describeListener(elbv2, listenerArn);
      if (!listener) return undefined;
      const loadBalancer = await ops.describeLoadBalancer(elbv2, listener.loadBalancerArn);
      return loadBalancer ? { listener, loadBalancer } : undefined;
    },
    s.referenceMaxAgeMs,
  );
}

/** Every endpoint of this app (any state), from the scope-wide describe. */
export async function ownedEndpoints(s: Session): Promise<ops.TaggedEndpoint[]> {
  const all = await scopeEndpoints(s.deps, s.clients, s.readMaxAgeMs);
  return all.filter((e) => e.tags[TAG_KEYS.uid] === s.uid);
}

const isLive = (e: ops.TaggedEndpoint) => !['deleted', 'deleting'].includes(e.state);

/** The service an app's endpoint connects to, as this pass sees it. */
interface ServiceView {
  name: string;
  /** The app's live endpoints to it. */
  live: readonly ops.TaggedEndpoint[];
  /** The service as the caller's account sees it: described at most once per pass, and only if asked. */
  offer: () => Promise<ops.ServiceOffer | undefined>;
}

function serviceView(s: Session, name: string, endpoints: readonly ops.TaggedEndpoint[]): ServiceView {
  let offer: Promise<ops.ServiceOffer | undefined> | undefined;
  return {
    name,
    live: endpoints.filter((e) => e.serviceName === name && isLive(e)),
    offer: () => (offer ??= ops.describeServiceOffer(s.clients.ec2, name)),
  };
}

/**
 * The subnets check, reading the service's zones only when a subnet is new to the live
 * endpoint (or there is none). @throws StepProblem `ServiceNotFound` when the service is not
 * visible and no endpoint to it exists yet.
 */
async function checkSubnets(
  s: Session,
  { name: serviceName, live, offer }: ServiceView,
): Promise<SubnetPlan> {
  const { vpcId, subnetIds } = s.app.spec.endpoint;
  const ids = [...subnetIds].sort();
  const subnets = await s.deps.reads.get(
    readKeys.subnets(s.clients.scope, ids),
    () => ops.describeSubnets(s.clients.ec2, ids),
    s.referenceMaxAgeMs,
  );
  const current = live.flatMap((e) => e.subnetIds);
  const service =
    live.length > 0 && subnetIds.every((id) => current.includes(id)) ? undefined : await offer();
  if (!service && live.length === 0) {
    throw new StepProblem(
      'endpoint',
      'ServiceNotFound',
      `endpoint service ${serviceName} not found (or not visible to this account)`,
    );
  }
  const plan = planSubnets({ wanted: subnetIds, vpcId, subnets, current, serviceName, service });
  // Nothing is built on a half-valid spec; a built endpoint keeps following the valid part.
  if (plan.problem && live.length === 0)
    throw new StepProblem('endpoint', plan.problem.reason, plan.problem.message);
  return plan;
}

/**
 * The private DNS check, reading the service and the VPC only to turn private DNS on.
 * @throws StepProblem when a new app's private DNS would be refused (nothing is built).
 */
async function checkPrivateDns(
  s: Session,
  { name: serviceName, live, offer }: ServiceView,
): Promise<PrivateDnsPlan> {
  const { vpcId, privateDnsEnabled: wanted = false } = s.app.spec.endpoint;
  const current = live.length > 0 ? live.some((e) => e.privateDnsEnabled === true) : undefined;
  if (!privateDnsNeedsCheck(wanted, current)) return planPrivateDns({ wanted, current, serviceName, vpcId });
  // Read fresh, not memoised: it is read only to turn private DNS on, and a stale "on" would
  // let the SG be built for an endpoint AWS then refuses.
  const vpc = await ops.describeVpcDns(s.clients.ec2, vpcId);
  const service = (await offer())?.privateDns;
  const plan = planPrivateDns({ wanted, current, serviceName, vpcId, service, vpc });
  if (plan.problem && live.length === 0)
    throw new StepProblem('endpoint', plan.problem.reason, plan.problem.message);
  return plan;
}

async function checkExtraSecurityGroups(s: Session, vpcId: string): Promise<void> {
  const ids = s.app.spec.endpoint.securityGroupIds ?? [];
  if (ids.length === 0) return;
  const sorted = [...ids].sort();
  const groups = await s.deps.reads.get(
    readKeys.extraSecurityGroups(s.clients.scope, sorted),
    () => ops.describeSecurityGroups(s.clients.ec2, sorted),
    s.referenceMaxAgeMs,
  );
  const bad = ids.filter((id) => !groups.some((g) => g.groupId === id && g.vpcId === vpcId));
  if (bad.length > 0) {
    throw new StepProblem(
      'securityGroups',
      'SecurityGroupNotFound',
      `security group(s) ${bad.join(', ')} not found in ${vpcId}`,
    );
  }
}

/** The listener and its ALB, which must be an ALB in the endpoint's VPC. */
async function checkListener(
  s: Session,
): Promise<{ listener: ops.ListenerInfo; loadBalancer: ops.LoadBalancerInfo }> {
  const found = await listenerAndAlb(s, s.listenerArn);
  if (!found) throw new StepProblem('route', 'ListenerNotFound', `listener ${s.listenerArn} not found`);
  const { listener, loadBalancer } = found;
  if (loadBalancer.type !== 'application') {
    throw new StepProblem(
      'route',
      'ListenerNotFound',
      `listener ${listener.listenerArn} belongs to a ${loadBalancer.type} load balancer, not an Application Load Balancer`,
    );
  }
  const vpcId = s.app.spec.endpoint.vpcId;
  if (loadBalancer.vpcId !== vpcId) {
    throw new StepProblem(
      'endpoint',
      'VpcMismatch',
      `endpoint VPC ${vpcId} is not the load balancer's VPC ${loadBalancer.vpcId}`,
    );
  }
  return found;
}

/** Says that the referenced EndpointService has no service name yet. */
function waitForEndpointService(s: Session): void {
  const ref = s.app.spec.service.endpointServiceRef;
  s.verdict('endpoint', {
    status: 'False',
    reason: 'WaitingForEndpointService',
    message: `EndpointService ${ref?.namespace ?? s.app.metadata?.namespace ?? ''}/${ref?.name ?? ''} has no service name yet`,
  });
}

/**
 * The rule's priority, and the certificate it needs. A built app whose rule cannot be placed
 * (or whose certificate is refused) keeps its recorded priority and carries the refusal; a
 * new app is refused whole (the StepProblem is thrown).
 */
async function placeOrHold(
  s: Session,
  listener: ops.ListenerInfo,
  built: boolean,
): Promise<Pick<References, 'priority' | 'routeProblem'>> {
  try {
    const priority = await placeRule(s, listener.listenerArn);
    const refused = await certificateRefusal(s, listener);
    if (refused) throw refused;
    return { priority };
  } catch (err) {
    if (!(err instanceof StepProblem) || !built) throw err;
    return { priority: s.app.status?.priority ?? 0, routeProblem: err };
  }
}

/**
 * The API hop (API front door only): a built app whose paths cannot be routes, or whose keys
 * another route holds, keeps its routes as they are and carries the refusal; a new app is
 * refused whole.
 */
async function checkApiOrHold(
  s: Session,
  loadBalancer: ops.LoadBalancerInfo,
  built: boolean,
): Promise<Pick<References, 'api' | 'apiProblem'>> {
  try {
    return { api: await checkApi(s, loadBalancer) };
  } catch (err) {
    if (!(err instanceof StepProblem) || !built) throw err;
    return { apiProblem: err };
  }
}

/**
 * @returns the references, or undefined while the referenced EndpointService has no service
 * name yet (reported as `WaitingForEndpointService`; its watch brings the app back).
 * @throws StepProblem for a reference that does not hold.
 */
export async function resolveReferences(s: Session): Promise<References | undefined> {
  const serviceName = serviceNameOf(s);
  if (!serviceName) {
    waitForEndpointService(s);
    return undefined;
  }
  s.report.fields.serviceName = serviceName;
  const { listener, loadBalancer } = await checkListener(s);
  const adoption = await judgeAdoption(s, { serviceName, vpcId: loadBalancer.vpcId });
  const owned = await ownedEndpoints(s);
  // The checks judge an endpoint still being adopted as a new one (a refusal changes nothing);
  // the steps build on it as the app's.
  const endpoints = withAdopted(owned, adoption?.endpoint);
  const service = serviceView(s, serviceName, owned);
  const subnets = await checkSubnets(s, service);
  const privateDns = await checkPrivateDns(s, service);
  await checkExtraSecurityGroups(s, s.app.spec.endpoint.vpcId);
  const placement = await placeOrHold(s, listener, service.live.length > 0);
  const api = await checkApiOrHold(s, loadBalancer, service.live.length > 0);
  return {
    serviceName,
    listener,
    loadBalancer,
    endpoints,
    subnets,
    privateDns,
    ...placement,
    ...api,
    ...(adoption && { adoption }),
  };
}

/** The app's endpoints, with the one being adopted (as it is about to be tagged). */
function withAdopted(
  owned: ops.TaggedEndpoint[],
  adopted: ops.TaggedEndpoint | undefined,
): ops.TaggedEndpoint[] {
  return adopted ? [...owned.filter((e) => e.id !== adopted.id), adopted] : owned;
}
