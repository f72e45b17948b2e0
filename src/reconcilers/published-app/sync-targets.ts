/**
 * Step: the IP target group (created if missing, settings kept to the spec) whose targets
 * are exactly the endpoint's current ENI IPs, registered before stale ones go.
 */
import * as ops from './aws-ops.ts';
import { classifyChange } from './drift.ts';
import { appTargetGroupName } from './names.ts';
import { planTargets, type RegisteredTarget, type TargetRef } from './plan-targets.ts';
import { protocolPortMismatch } from './plan-adoption.ts';
import type { References } from './resolve.ts';
import { readKeys, targetGroupsOfLoadBalancer } from './scope-reads.ts';
import type { EndpointOutcome } from './sync-endpoint.ts';
import { PLANNED, type Session } from './session.ts';

/** Target group settings the spec asks for, AWS's defaults where it is silent. */
export function desiredTargetGroup(s: Session, vpcId: string): ops.TargetGroupSettings {
  const t = s.app.spec.target;
  const protocol = t.protocol ?? 'HTTP';
  const h = t.healthCheck ?? {};
  return {
    name: appTargetGroupName(s.app),
    vpcId,
    protocol,
    port: t.port,
    healthCheck: {
      path: h.path ?? '/',
      intervalSeconds: h.intervalSeconds ?? 30,
      timeoutSeconds: h.timeoutSeconds ?? 5,
      healthyThresholdCount: h.healthyThresholdCount ?? 5,
      unhealthyThresholdCount: h.unhealthyThresholdCount ?? 2,
      matcher: h.matcher ?? '200-399',
    },
    deregistrationDelaySeconds: t.deregistrationDelaySeconds ?? 300,
  };
}

const show = (targets: readonly TargetRef[]): string => targets.map((t) => `${t.ip}:${t.port}`).join(', ');

/**
 * Health check and deregistration delay are made exact when the group is new, the spec
 * changed, the targets are not in order yet, or the ALB-wide describe shows a health check
 * that is not the spec's.
 */
async function syncSettings(
  s: Session,
  tg: ops.ObservedTargetGroup,
  want: ops.TargetGroupSettings,
): Promise<void> {
  const { elbv2 } = s.clients;
  if (JSON.stringify(tg.healthCheck) !== JSON.stringify(want.healthCheck)) {
    await s.act('Modify', `set health check of ${tg.arn}`, () =>
      ops.modifyTargetGroupHealthCheck(elbv2, tg.arn, want.healthCheck),
    );
  }
  if ((await ops.describeDeregistrationDelay(elbv2, tg.arn)) !== want.deregistrationDelaySeconds) {
    await s.act(
      'Modify',
      `set deregistration delay of ${tg.arn} to ${want.deregistrationDelaySeconds}s`,
      () => ops.setDeregistrationDelay(elbv2, tg.arn, want.deregistrationDelaySeconds),
    );
  }
}

async function ensureTargetGroup(
  s: Session,
  want: ops.TargetGroupSettings,
): Promise<ops.ObservedTargetGroup | undefined> {
  const { elbv2 } = s.clients;
  const found = await ops.describeTargetGroupByName(elbv2, want.name);
  if (found) {
    if (!s.finishedAtThisGeneration('targets')) await syncSettings(s, found, want);
    return found;
  }
  const created = await s.act(
    'Create',
    `create IP target group ${want.name} (${want.protocol}:${want.port})`,
    () => ops.createTargetGroup(elbv2, want, s.tags()),
  );
  if (!created) return undefined;
  s.event('Normal', 'TargetGroupCreated', 'Create', `created target group ${created.arn}`);
  await syncSettings(s, created, want);
  return created;
}

/**
 * Health-check drift, seen in the describe of all the ALB's target groups that the
 * observation shares (a group not yet forwarded to is not in it: nothing to compare).
 */
async function repairHealthCheck(
  s: Session,
  arn: string,
  want: ops.TargetGroupSettings,
  loadBalancerArn: string,
): Promise<void> {
  const groups = await targetGroupsOfLoadBalancer(s.deps, s.clients, loadBalancerArn, s.readMaxAgeMs);
  const seen = groups.find((g) => g.arn === arn);
  if (!seen || JSON.stringify(seen.healthCheck) === JSON.stringify(want.healthCheck)) return;
  s.event('Warning', 'Drifted', 'Update', `target group ${arn}: health check put back`);
  await syncSettings(s, seen, want);
  s.deps.reads.invalidate(readKeys.targetGroups(s.clients.scope, loadBalancerArn));
}

/**
 * The group and its targets. A walk of an unchanged app costs one call of its own:
 * DescribeTargetHealth on the recorded group (NotFound tells it is gone), plus the shared
 * ALB-wide group describe; the group itself is described only when no pass at this
 * generation has finished the targets (spec changed, or a pass failed before or in them),
 * nothing is recorded, or the recorded one has vanished.
 */
async function observeTargetGroup(
  s: Session,
  want: ops.TargetGroupSettings,
  loadBalancerArn: string,
): Promise<
  { tg: { arn: string; protocol?: string; port?: number }; registered: RegisteredTarget[] } | undefined
> {
  const recorded = s.app.status?.targetGroupArn;
  if (recorded?.includes(`:targetgroup/${want.name}/`) && s.finishedAtThisGeneration('targets')) {
    const registered = await ops.describeTargets(s.clients.elbv2, recorded);
    if (registered) {
      await repairHealthCheck(s, recorded, want, loadBalancerArn);
      return { tg: { arn: recorded }, registered };
    }
  }
  const tg = await ensureTargetGroup(s, want);
  if (!tg) return undefined;
  const registered = await ops.describeTargets(s.clients.elbv2, tg.arn);
  if (!registered) throw new Error(`target group ${tg.arn} disappeared; trying again`);
  return { tg, registered };
}

/** IPs that were ours: recorded in status or seen on an endpoint of this app by this process. */
function formerIps(s: Session, currentIps: readonly string[]): Set<string> {
  let seen = s.deps.seenIps.get(s.uid);
  if (!seen) {
    seen = new Set();
    s.deps.seenIps.set(s.uid, seen);
  }
  for (const ip of currentIps) seen.add(ip);
  return new Set([...seen, ...(s.app.status?.endpointIPs ?? [])]);
}

/** @returns the target group ARN ({@link PLANNED} in a dry run that would create it). */
export async function syncTargets(s: Session, refs: References, outcome: EndpointOutcome): Promise<string> {
  const endpoint = outcome.current;
  const { elbv2, ec2, scope } = s.clients;
  const ips = endpoint
    ? await s.deps.enis.ips(scope, endpoint.networkInterfaceIds, (ids) => ops.describeEniIps(ec2, ids))
    : [];
  s.report.fields.endpointIPs = [...ips].sort();
  const want = desiredTargetGroup(s, refs.loadBalancer.vpcId);
  const found = await observeTargetGroup(s, want, refs.loadBalancer.arn);
  if (!found) {
    s.verdict('targets', {
      status: 'False',
      reason: 'Pending',
      message: 'dry run: the target group would be created',
    });
    return PLANNED;
  }
  const { tg, registered } = found;
  s.report.fields.targetGroupArn = tg.arn;
  // An adopted group keeps its protocol and port (AWS cannot change them): targets follow
  // the endpoint on the group's port, and a spec asking for another is refused below.
  const replacement = replacementNeeded(tg, want);
  const plan = planTargets({
    desiredIps: ips,
    port: tg.port ?? want.port,
    registered,
    formerIps: formerIps(s, ips),
    settled: outcome.settled,
  });
  if (plan.register.length > 0) {
    await s.act('Register', `register ${show(plan.register)} in ${tg.arn}`, () =>
      ops.registerTargets(elbv2, tg.arn, plan.register),
    );
  }
  if (plan.deregister.length > 0) {
    await s.act('Deregister', `deregister stale ${show(plan.deregister)} from ${tg.arn}`, () =>
      ops.deregisterTargets(elbv2, tg.arn, plan.deregister),
    );
  }
  const changed = plan.register.length + plan.deregister.length > 0;
  const now = changed && !s.dryRun ? ((await ops.describeTargets(elbv2, tg.arn)) ?? []) : registered;
  const counted = now.filter((t) => t.state !== 'draining' && t.state !== 'unused');
  s.report.fields.targets = {
    registered: counted.length,
    healthy: counted.filter((t) => t.state === 'healthy').length,
  };
  reportTargets(s, plan, ips);
  if (replacement) {
    s.reportProblem('targets', { reason: 'AdoptionNeedsReplacement', message: replacement }, 'Validate');
    s.refused('targets');
  }
  return tg.arn;
}

/** Why the group found (an adopted one) cannot serve the spec's protocol and port; undefined when it can. */
function replacementNeeded(
  tg: { arn: string; protocol?: string; port?: number },
  want: ops.TargetGroupSettings,
): string | undefined {
  // A group described without a port is not judged: there is nothing to compare.
  const mismatch = tg.port === undefined ? undefined : protocolPortMismatch(tg, want);
  return (
    mismatch &&
    `target group ${tg.arn} ${mismatch}, so only a new one would do (its targets keep following the endpoint on port ${tg.port})`
  );
}

function reportTargets(s: Session, plan: ReturnType<typeof planTargets>, ips: readonly string[]): void {
  const differences = [
    ...plan.register.map((t) => `target ${t.ip}:${t.port} missing`),
    ...plan.deregister.map((t) => `stale target ${t.ip}:${t.port}`),
  ];
  const kind = classifyChange(differences, s.previous('targets'), s.generation);
  if (plan.foreign.length > 0) {
    // Kept: api.md promises never to remove what the controller does not own.
    const message = `target(s) ${show(plan.foreign)} are not addresses of this app's endpoint and were left in place; remove them`;
    if (s.previous('targets')?.reason !== 'ForeignTargets')
      s.event('Warning', 'ForeignTargets', 'Observe', message);
    s.verdict('targets', { status: 'False', reason: 'ForeignTargets', message });
  } else if (ips.length === 0) {
    s.poll(s.deps.opts.pollMs);
    s.verdict('targets', {
      status: 'False',
      reason: 'WaitingForEndpoint',
      message: 'the endpoint has no network interfaces yet',
    });
  } else if (plan.kept.length > 0) {
    s.poll(s.deps.opts.pollMs);
    const message = `the endpoint is changing; stale target(s) ${show(plan.kept)} stay until it settles`;
    s.verdict('targets', { status: 'False', reason: 'WaitingForEndpoint', message });
  } else if (kind === 'drift') {
    const message = `put back: ${differences.join('; ')}`;
    s.event('Warning', 'Drifted', 'Update', `targets: ${message}`);
    s.verdict('targets', { status: 'False', reason: 'Drifted', message });
  } else {
    s.verdict('targets', {
      status: 'True',
      reason: 'Synced',
      message: `targets are the endpoint's ${ips.length} address(es)`,
    });
  }
}
