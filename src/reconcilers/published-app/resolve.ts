/**
 * Resolves and checks what a PublishedApp refers to before anything is changed: the service
 * name, the listener → its ALB (VPC, SGs, DNS name), the subnets and extra SGs, that the
 * service is visible, and where the app's rule can go on the listener (priority, paths,
 * room). A problem here is a {@link StepProblem}: reported with a specific reason, and no AWS
 * change is made for the object.
 */
import { TAG_KEYS } from '../../api/kinds.ts';
import * as ops from './aws-ops.ts';
import { scopeEndpoints } from './scope-reads.ts';
import { Session, StepProblem } from './session.ts';
import { placeRule } from './sync-rule.ts';

/** What the later steps build on. */
export interface References {
  serviceName: string;
  listener: ops.ListenerInfo;
  loadBalancer: ops.LoadBalancerInfo;
  /** Every endpoint of ours (this app's UID), any state. */
  endpoints: ops.TaggedEndpoint[];
  /** The rule's priority, decided with its paths and the listener's room before any change. */
  priority: number;
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
export function listenerAndAlb(
  s: Session,
  listenerArn: string,
): Promise<{ listener: ops.ListenerInfo; loadBalancer: ops.LoadBalancerInfo } | undefined> {
  const { elbv2, scope } = s.clients;
  return s.deps.reads.get(
    `${scope}|listener|${listenerArn}`,
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

async function checkSubnets(s: Session, vpcId: string): Promise<void> {
  const ids = [...s.app.spec.endpoint.subnetIds].sort();
  const vpcs = await s.deps.reads.get(
    `${s.clients.scope}|subnets|${ids.join(',')}`,
    () => ops.describeSubnetVpcs(s.clients.ec2, ids),
    s.referenceMaxAgeMs,
  );
  const missing = ids.filter((id) => !vpcs.has(id));
  if (missing.length > 0)
    throw new StepProblem('endpoint', 'SubnetNotFound', `subnet(s) ${missing.join(', ')} not found`);
  const elsewhere = ids.filter((id) => vpcs.get(id) !== vpcId);
  if (elsewhere.length > 0) {
    throw new StepProblem(
      'endpoint',
      'SubnetNotInVpc',
      `subnet(s) ${elsewhere.join(', ')} are not in ${vpcId}`,
    );
  }
}

async function checkExtraSecurityGroups(s: Session, vpcId: string): Promise<void> {
  const ids = s.app.spec.endpoint.securityGroupIds ?? [];
  if (ids.length === 0) return;
  const sorted = [...ids].sort();
  const groups = await s.deps.reads.get(
    `${s.clients.scope}|extra-sgs|${sorted.join(',')}`,
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

/**
 * @returns the references, or undefined while the referenced EndpointService has no service
 * name yet (reported as `WaitingForEndpointService`; its watch brings the app back).
 * @throws StepProblem for a reference that does not hold.
 */
export async function resolveReferences(s: Session): Promise<References | undefined> {
  const serviceName = serviceNameOf(s);
  if (!serviceName) {
    const ref = s.app.spec.service.endpointServiceRef;
    s.verdict('endpoint', {
      status: 'False',
      reason: 'WaitingForEndpointService',
      message: `EndpointService ${ref?.namespace ?? s.app.metadata?.namespace ?? ''}/${ref?.name ?? ''} has no service name yet`,
    });
    return undefined;
  }
  s.report.fields.serviceName = serviceName;
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
  await checkSubnets(s, vpcId);
  await checkExtraSecurityGroups(s, vpcId);
  const endpoints = await ownedEndpoints(s);
  const haveOne = endpoints.some(
    (e) => e.serviceName === serviceName && !['deleted', 'deleting'].includes(e.state),
  );
  if (!haveOne && !(await ops.serviceVisible(s.clients.ec2, serviceName))) {
    throw new StepProblem(
      'endpoint',
      'ServiceNotFound',
      `endpoint service ${serviceName} not found (or not visible to this account)`,
    );
  }
  const priority = await placeRule(s, listener.listenerArn);
  return { serviceName, listener, loadBalancer, endpoints, priority };
}
