/**
 * The end state a reliability suite expects once its apps have converged, read straight from
 * moto: per live app exactly one endpoint, security group, target group and rule — the ones its
 * status records —, the rule routing the spec's paths to that target group, the targets equal
 * to the endpoint's ENI IPs; nothing tagged for an app that is gone, and no untagged look-alike
 * (a create that lost its tags). Failed checks are collected, not thrown, so a run reports
 * every violation at once.
 */
import type { PublishedApp } from '../../src/api/v1alpha1.ts';
import {
  endpointIps,
  listenerRules,
  pathsOf,
  targetIps,
  type Aws,
} from '../integration/published-app/harness.ts';
import { inventory, ownedCounts } from './inventory.ts';

/** Checks made and the ones that failed, by what they were about. */
export class Audit {
  checks = 0;
  readonly violations: string[] = [];

  /** Records one check; a failed one becomes a violation named by `what`. */
  check(ok: boolean, what: string): void {
    this.checks++;
    if (!ok) this.violations.push(what);
  }
}

/**
 * Checks `apps` (read after they became Ready) against AWS. `goneUids` are apps deleted
 * during the run: nothing of theirs may be left. The suite's account must hold no foreign
 * resources of the kinds the controller creates.
 */
export async function auditConverged(
  audit: Audit,
  aws: Aws,
  listenerArn: string,
  apps: readonly PublishedApp[],
  goneUids: readonly string[] = [],
): Promise<void> {
  const [inv, rules] = await Promise.all([
    inventory(aws.ec2, aws.elbv2, listenerArn),
    listenerRules(aws.elbv2, listenerArn),
  ]);
  for (const app of apps) {
    const { name, uid } = app.metadata as { name: string; uid: string };
    const status = app.status ?? {};
    for (const [kind, n] of Object.entries(ownedCounts(inv, uid)))
      audit.check(n === 1, `${name}: ${n} ${kind}`);
    audit.check(
      inv.endpoints.some((e) => e.uid === uid && e.id === status.endpointId),
      `${name}: endpoint is not the recorded one`,
    );
    audit.check(
      inv.securityGroups.some((g) => g.uid === uid && g.id === status.securityGroupId),
      `${name}: security group is not the recorded one`,
    );
    const rule = inv.rules.find((r) => r.uid === uid);
    audit.check(rule?.id === status.ruleArn, `${name}: rule is not the recorded one`);
    audit.check(
      rule?.forward.join() === status.targetGroupArn,
      `${name}: rule does not forward to its target group`,
    );
    const routed = rules.find((r) => r.RuleArn === status.ruleArn);
    const wanted = [...app.spec.routing.pathPatterns].sort();
    const paths = routed ? pathsOf(routed) : [];
    audit.check(
      paths.join() === wanted.join(),
      `${name}: rule paths ${paths.join()} ≠ spec ${wanted.join()}`,
    );
    const [targets, enis] = await Promise.all([
      targetIps(aws.elbv2, status.targetGroupArn ?? ''),
      endpointIps(aws.ec2, status.endpointId ?? ''),
    ]);
    audit.check(
      enis.length > 0 && targets.join() === enis.join(),
      `${name}: targets ${targets.join()} ≠ ENI IPs ${enis.join()}`,
    );
  }
  for (const uid of goneUids) {
    const left = Object.entries(ownedCounts(inv, uid)).filter(([, n]) => n > 0);
    audit.check(left.length === 0, `deleted app ${uid} left ${JSON.stringify(Object.fromEntries(left))}`);
  }
  const live = new Set(apps.map((a) => a.metadata!.uid!));
  for (const kind of ['endpoints', 'securityGroups', 'targetGroups', 'rules'] as const) {
    const stray = inv[kind].filter((x) => x.uid !== undefined && !live.has(x.uid));
    audit.check(stray.length === 0, `${stray.length} ${kind} tagged for no live app`);
  }
  const untagged = {
    endpoints: inv.endpoints.filter((e) => e.uid === undefined).length,
    plpTargetGroups: inv.targetGroups.filter((t) => t.uid === undefined && t.name.startsWith('plp-')).length,
    rules: inv.rules.filter((r) => !r.isDefault && r.uid === undefined).length,
  };
  audit.check(
    Object.values(untagged).every((n) => n === 0),
    `untagged look-alikes: ${JSON.stringify(untagged)}`,
  );
}
