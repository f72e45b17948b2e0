/** PublishedApp AWS wrappers (see ../aws-ops.ts): the listener, its ALB and its rules. */
import {
  type Action,
  CreateRuleCommand,
  DeleteRuleCommand,
  DescribeRulesCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  type ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
  paginateDescribeListeners,
  paginateDescribeRules,
  type Rule,
  type RuleCondition,
  SetRulePrioritiesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { isNotFound, unlessNotFound } from '../../../aws/errors.ts';
import type { AwsTag } from '../../../aws/tags.ts';
import type { ObservedRule, RuleConditions } from '../plan-rule.ts';

export interface ListenerInfo {
  listenerArn: string;
  protocol: string;
  /** The port clients (and the API front door's VPC link) connect to. */
  port: number;
  loadBalancerArn: string;
}

export interface LoadBalancerInfo {
  arn: string;
  type: string;
  vpcId: string;
  dnsName: string;
  securityGroupIds: string[];
}

/** @returns undefined when the listener does not exist. */
export async function describeListener(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
): Promise<ListenerInfo | undefined> {
  return unlessNotFound(async () => {
    const out = await elbv2.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }));
    const l = out.Listeners?.[0];
    if (!l?.LoadBalancerArn) return undefined;
    return {
      listenerArn,
      protocol: l.Protocol ?? 'HTTP',
      port: l.Port ?? (l.Protocol === 'HTTPS' ? 443 : 80),
      loadBalancerArn: l.LoadBalancerArn,
    };
  });
}

/** The ARNs of a load balancer's listeners (paged). */
export async function listenersOfLoadBalancer(
  elbv2: ElasticLoadBalancingV2Client,
  loadBalancerArn: string,
): Promise<string[]> {
  const arns: string[] = [];
  for await (const page of paginateDescribeListeners({ client: elbv2 }, { LoadBalancerArn: loadBalancerArn }))
    arns.push(...(page.Listeners ?? []).map((l) => l.ListenerArn ?? ''));
  return arns;
}

/** @returns undefined when the load balancer does not exist. */
export async function describeLoadBalancer(
  elbv2: ElasticLoadBalancingV2Client,
  arn: string,
): Promise<LoadBalancerInfo | undefined> {
  return unlessNotFound(async () => {
    const out = await elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] }));
    const lb = out.LoadBalancers?.[0];
    if (!lb) return undefined;
    return {
      arn,
      type: lb.Type ?? 'application',
      vpcId: lb.VpcId ?? '',
      dnsName: lb.DNSName ?? '',
      securityGroupIds: lb.SecurityGroups ?? [],
    };
  });
}

/** A rule on a listener, normalised; `priority` is undefined for the default rule. */
export interface ListenerRule extends ObservedRule {
  isDefault: boolean;
}

function conditionValues(conditions: RuleCondition[] | undefined, field: string): string[] {
  const c = conditions?.find((x) => x.Field === field);
  if (!c) return [];
  const config = field === 'path-pattern' ? c.PathPatternConfig : c.HostHeaderConfig;
  return config?.Values ?? c.Values ?? [];
}

/** The rule's only action, when it is a forward. */
function plainForwardAction(actions: readonly Action[]): Action | undefined {
  return actions.length === 1 && actions[0]?.Type === 'forward' ? actions[0] : undefined;
}

/** The target groups an action forwards to: its ForwardConfig's, else its TargetGroupArn. */
function forwardedTargetGroups(a: Action): string[] {
  return (
    a.ForwardConfig?.TargetGroups?.map((t) => t.TargetGroupArn ?? '') ??
    (a.TargetGroupArn ? [a.TargetGroupArn] : [])
  );
}

function normaliseRule(r: Rule): ListenerRule {
  const actions = r.Actions ?? [];
  const isDefault = r.IsDefault === true || r.Priority === 'default';
  return {
    arn: r.RuleArn ?? '',
    priority: isDefault ? Number.MAX_SAFE_INTEGER : Number(r.Priority),
    isDefault,
    conditions: {
      pathPatterns: conditionValues(r.Conditions, 'path-pattern'),
      hostHeaders: conditionValues(r.Conditions, 'host-header'),
    },
    forwardTargetGroupArns: [...new Set(actions.flatMap(forwardedTargetGroups).filter(Boolean))],
    plainForward: plainForwardAction(actions) !== undefined,
  };
}

/** Every rule of a listener (paged), the default rule included. */
export async function describeRules(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
): Promise<ListenerRule[]> {
  const rules: ListenerRule[] = [];
  for await (const page of paginateDescribeRules(
    { client: elbv2, pageSize: 400 },
    { ListenerArn: listenerArn },
  ))
    rules.push(...(page.Rules ?? []).map(normaliseRule));
  return rules;
}

/** One rule by ARN; undefined when it does not exist. */
export async function describeRule(
  elbv2: ElasticLoadBalancingV2Client,
  ruleArn: string,
): Promise<ListenerRule | undefined> {
  return unlessNotFound(async () => {
    const out = await elbv2.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }));
    const rule = out.Rules?.[0];
    return rule ? normaliseRule(rule) : undefined;
  });
}

function ruleConditions(c: RuleConditions): RuleCondition[] {
  const out: RuleCondition[] = [
    { Field: 'path-pattern', PathPatternConfig: { Values: [...c.pathPatterns] } },
  ];
  if (c.hostHeaders.length > 0)
    out.push({ Field: 'host-header', HostHeaderConfig: { Values: [...c.hostHeaders] } });
  return out;
}

/** A rule to create: on which listener and where, matching what, forwarding where, tagged how. */
export interface NewRule {
  listenerArn: string;
  priority: number;
  conditions: RuleConditions;
  targetGroupArn: string;
  tags: AwsTag[];
}

export async function createRule(elbv2: ElasticLoadBalancingV2Client, rule: NewRule): Promise<ListenerRule> {
  const out = await elbv2.send(
    new CreateRuleCommand({
      ListenerArn: rule.listenerArn,
      Priority: rule.priority,
      Conditions: ruleConditions(rule.conditions),
      Actions: [{ Type: 'forward', TargetGroupArn: rule.targetGroupArn }],
      Tags: rule.tags,
    }),
  );
  return normaliseRule(out.Rules?.[0] ?? {});
}

export async function modifyRule(
  elbv2: ElasticLoadBalancingV2Client,
  ruleArn: string,
  conditions: RuleConditions,
  targetGroupArn: string,
): Promise<ListenerRule | undefined> {
  const out = await elbv2.send(
    new ModifyRuleCommand({
      RuleArn: ruleArn,
      Conditions: ruleConditions(conditions),
      Actions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
    }),
  );
  const rule = out.Rules?.[0];
  return rule ? normaliseRule(rule) : undefined;
}

export async function setRulePriority(
  elbv2: ElasticLoadBalancingV2Client,
  ruleArn: string,
  priority: number,
): Promise<ListenerRule | undefined> {
  const out = await elbv2.send(
    new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: ruleArn, Priority: priority }] }),
  );
  const rule = out.Rules?.find((r) => r.RuleArn === ruleArn);
  return rule ? normaliseRule(rule) : undefined;
}

/** NotFound counts as deleted. */
export async function deleteRule(elbv2: ElasticLoadBalancingV2Client, ruleArn: string): Promise<void> {
  try {
    await elbv2.send(new DeleteRuleCommand({ RuleArn: ruleArn }));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
