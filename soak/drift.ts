/**
 * Out-of-band drift: changes made straight to moto (not through the fault proxy), behind the
 * controller's back, to the resources an app's status names. Each returns what it did, or
 * why it did nothing (the app not yet that far, a race with the controller).
 */
import {
  RevokeSecurityGroupIngressCommand,
  DeleteVpcEndpointsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DeleteRuleCommand,
  DeregisterTargetsCommand,
  ModifyRuleCommand,
  SetRulePrioritiesCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { PublishedApp } from '../src/api/v1alpha1.ts';
import { targetIps } from '../test/integration/published-app/harness.ts';
import type { Drift, Random } from './plan.ts';
import { pick } from './plan.ts';

/** What one drift did: `applied` false when there was nothing to change. */
export interface DriftOutcome {
  applied: boolean;
  detail: string;
}

/** The status field naming the resource each drift changes. */
const NEEDS: Record<Drift, 'ruleArn' | 'targetGroupArn' | 'securityGroupId' | 'endpointId'> = {
  driftDeleteRule: 'ruleArn',
  driftRulePath: 'ruleArn',
  driftRulePriority: 'ruleArn',
  driftDeregisterTarget: 'targetGroupArn',
  driftRevokeIngress: 'securityGroupId',
  driftDeleteEndpoint: 'endpointId',
};

const skipped = (detail: string): DriftOutcome => ({ applied: false, detail });

/** Applies `drift` to `app`'s resources; `albSecurityGroup` is its listener's ALB SG. */
export async function applyDrift(
  random: Random,
  drift: Drift,
  app: PublishedApp,
  albSecurityGroup: string,
  aws: { ec2: EC2Client; elbv2: ElasticLoadBalancingV2Client },
): Promise<DriftOutcome> {
  const s = app.status ?? {};
  if (!s[NEEDS[drift]]) return skipped(`no ${NEEDS[drift]} yet`);
  try {
    switch (drift) {
      case 'driftDeleteRule':
        await aws.elbv2.send(new DeleteRuleCommand({ RuleArn: s.ruleArn! }));
        return { applied: true, detail: `deleted rule ${s.ruleArn}` };
      case 'driftRulePath':
        await aws.elbv2.send(
          new ModifyRuleCommand({
            RuleArn: s.ruleArn!,
            Conditions: [
              { Field: 'path-pattern', PathPatternConfig: { Values: ['/drifted', '/drifted/*'] } },
            ],
          }),
        );
        return { applied: true, detail: `rule path → /drifted` };
      case 'driftRulePriority': {
        // Far from the allocated range (≥ 1000) and the explicit ones (2000 + index).
        const priority = 30_000 + Math.floor(random() * 10_000);
        await aws.elbv2.send(
          new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: s.ruleArn!, Priority: priority }] }),
        );
        return { applied: true, detail: `rule priority → ${priority}` };
      }
      case 'driftDeregisterTarget': {
        const ips = await targetIps(aws.elbv2, s.targetGroupArn!);
        if (ips.length === 0) return skipped('no targets');
        const ip = pick(random, ips);
        await aws.elbv2.send(
          new DeregisterTargetsCommand({
            TargetGroupArn: s.targetGroupArn!,
            Targets: [{ Id: ip, Port: app.spec.target.port }],
          }),
        );
        return { applied: true, detail: `deregistered ${ip}` };
      }
      case 'driftRevokeIngress':
        await aws.ec2.send(
          new RevokeSecurityGroupIngressCommand({
            GroupId: s.securityGroupId!,
            IpPermissions: [
              {
                IpProtocol: 'tcp',
                FromPort: app.spec.target.port,
                ToPort: app.spec.target.port,
                UserIdGroupPairs: [{ GroupId: albSecurityGroup }],
              },
            ],
          }),
        );
        return { applied: true, detail: `revoked ingress from ${albSecurityGroup} on ${s.securityGroupId}` };
      case 'driftDeleteEndpoint':
        await aws.ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [s.endpointId!] }));
        return { applied: true, detail: `deleted endpoint ${s.endpointId}` };
    }
  } catch (err) {
    // E.g. the controller replaced the resource between our read and our change.
    return skipped(`${(err as Error).name}: ${(err as Error).message}`);
  }
}
