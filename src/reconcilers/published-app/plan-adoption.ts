/**
 * Adoption of what was built by hand for an app (spec.adopt), decided without I/O: whether
 * each named resource — endpoint, security group, target group, rule — may become the app's,
 * and which still need the ownership tags. A resource is adopted only when nobody else owns it,
 * and only when it can serve the spec in place: one that only a new resource could bring to
 * the spec (another VPC, another service, a target group of another protocol or port, a rule
 * on another listener) is refused, so adoption never replaces anything.
 */
import { TAG_KEYS } from '../../api/kinds.ts';
import type { PublishedAppSpecAdopt } from '../../api/v1alpha1.ts';
import type { Owner } from '../../aws/tags.ts';
import { adoptionRefusal, type AdoptionRefusal } from '../adoption-refusal.ts';
import { listenerArnOfRule } from './names.ts';
import type { Aspect } from './status.ts';

/** A named resource as AWS describes it. */
interface Found {
  id: string;
  tags: Record<string, string>;
}

export interface FoundEndpoint extends Found {
  vpcId: string;
  serviceName: string;
  state: string;
  /** Interface, Gateway, GatewayLoadBalancer, ...; undefined when AWS does not say. */
  type?: string;
}

export interface FoundSecurityGroup extends Found {
  vpcId: string;
}

export interface FoundTargetGroup extends Found {
  vpcId: string;
  targetType: string;
  protocol: string;
  port: number;
}

export interface FoundRule extends Found {
  isDefault: boolean;
}

/** What AWS holds under each name of spec.adopt (absent: not found). */
export interface AdoptionWorld {
  endpoint?: FoundEndpoint;
  securityGroup?: FoundSecurityGroup;
  targetGroup?: FoundTargetGroup;
  rule?: FoundRule;
}

/** What the spec needs of them. */
export interface AdoptionWants {
  /** The endpoint's VPC (the ALB's: checked before). */
  vpcId: string;
  serviceName: string;
  protocol: string;
  port: number;
  listenerArn: string;
}

/** The kinds spec.adopt can name, in the order the reconcile builds them. */
export const ADOPTED_KINDS = ['securityGroup', 'endpoint', 'targetGroup', 'rule'] as const;
export type AdoptedKind = (typeof ADOPTED_KINDS)[number];

const ASPECT: Record<AdoptedKind, Aspect> = {
  endpoint: 'endpoint',
  securityGroup: 'securityGroups',
  targetGroup: 'targets',
  rule: 'route',
};

const LABEL: Record<AdoptedKind, string> = {
  endpoint: 'endpoint',
  securityGroup: 'security group',
  targetGroup: 'target group',
  rule: 'listener rule',
};

const SPEC_KEY: Record<AdoptedKind, keyof PublishedAppSpecAdopt> = {
  endpoint: 'endpointId',
  securityGroup: 'securityGroupId',
  targetGroup: 'targetGroupArn',
  rule: 'ruleArn',
};

/** Why a named resource cannot be adopted; the aspect's condition carries it. */
export interface AdoptionProblem extends AdoptionRefusal {
  aspect: Aspect;
}

/** A named resource that still lacks the ownership tags. */
export interface ToTag {
  kind: AdoptedKind;
  id: string;
}

export interface AdoptionPlan {
  problem?: AdoptionProblem;
  /** Empty when refused, or when everything named is the app's already. */
  tag: ToTag[];
}

/** The id spec.adopt gives for `kind`, if any. */
export function adoptedId(named: PublishedAppSpecAdopt, kind: AdoptedKind): string | undefined {
  return named[SPEC_KEY[kind]];
}

const GONE = /^(deleted|deleting)$/i;

function endpointMismatch(e: FoundEndpoint, want: AdoptionWants): string | undefined {
  if (e.type !== undefined && e.type !== 'Interface')
    return `is a ${e.type} endpoint, not an interface endpoint`;
  if (e.vpcId !== want.vpcId)
    return `is in ${e.vpcId}, the spec wants ${want.vpcId}; an endpoint cannot move`;
  if (e.serviceName !== want.serviceName)
    return `connects to ${e.serviceName}, the spec wants ${want.serviceName}; an endpoint cannot change its service`;
  if (/^(failed|rejected|expired)$/i.test(e.state)) return `is ${e.state}; only a new endpoint would work`;
  return undefined;
}

/**
 * Why a target group cannot serve `want`'s protocol and port (AWS cannot change either);
 * undefined when it can. Shared by adoption (refused before) and the targets step (an adopted
 * group whose spec changed later).
 */
export function protocolPortMismatch(
  tg: { protocol?: string; port?: number },
  want: { protocol: string; port: number },
): string | undefined {
  if (tg.protocol === want.protocol && tg.port === want.port) return undefined;
  return `is ${tg.protocol ?? '?'}:${tg.port ?? '?'}, the spec wants ${want.protocol}:${want.port}; a target group cannot change them`;
}

function targetGroupMismatch(tg: FoundTargetGroup, want: AdoptionWants): string | undefined {
  if (tg.targetType !== 'ip') return `has target type ${tg.targetType}, not ip`;
  if (tg.vpcId !== want.vpcId) return `is in ${tg.vpcId}, the load balancer in ${want.vpcId}`;
  return protocolPortMismatch(tg, want);
}

function ruleMismatch(rule: FoundRule, want: AdoptionWants): string | undefined {
  if (rule.isDefault) return "is the listener's default rule, which serves every request no other rule takes";
  const on = listenerArnOfRule(rule.id);
  return on === want.listenerArn ? undefined : `is on ${on}, the app attaches to ${want.listenerArn}`;
}

/** What only a new resource could fix, by kind. */
function mismatch(kind: AdoptedKind, world: AdoptionWorld, want: AdoptionWants): string | undefined {
  switch (kind) {
    case 'endpoint':
      return world.endpoint && endpointMismatch(world.endpoint, want);
    case 'securityGroup':
      return world.securityGroup && world.securityGroup.vpcId !== want.vpcId
        ? `is in ${world.securityGroup.vpcId}, the endpoint in ${want.vpcId}`
        : undefined;
    case 'targetGroup':
      return world.targetGroup && targetGroupMismatch(world.targetGroup, want);
    case 'rule':
      return world.rule && ruleMismatch(world.rule, want);
  }
}

/** Why the named `kind` cannot be adopted; undefined when it may be (or is the app's already). */
function problemOf(
  kind: AdoptedKind,
  id: string,
  input: { world: AdoptionWorld; want: AdoptionWants; self: Pick<Owner, 'clusterId' | 'uid'> },
): AdoptionProblem | undefined {
  const resource = input.world[kind];
  // An endpoint being deleted is as good as gone.
  const gone = !resource || (kind === 'endpoint' && GONE.test(input.world.endpoint?.state ?? ''));
  const refusal = adoptionRefusal(`${LABEL[kind]} ${id}`, gone ? undefined : resource, input.self, () =>
    mismatch(kind, input.world, input.want),
  );
  return refusal && { aspect: ASPECT[kind], ...refusal };
}

/**
 * Judges everything spec.adopt names, all before any is tagged: one refusal refuses the
 * adoption whole.
 */
export function planAdoption(input: {
  named: PublishedAppSpecAdopt;
  world: AdoptionWorld;
  want: AdoptionWants;
  self: Pick<Owner, 'clusterId' | 'uid'>;
}): AdoptionPlan {
  const tag: ToTag[] = [];
  for (const kind of ADOPTED_KINDS) {
    const id = adoptedId(input.named, kind);
    if (id === undefined) continue;
    const problem = problemOf(kind, id, input);
    if (problem) return { problem, tag: [] };
    if (input.world[kind]?.tags[TAG_KEYS.uid] !== input.self.uid) tag.push({ kind, id });
  }
  return { tag };
}
