/**
 * A controller taken over at steady state (issue 17), shared by the fail-over suite (a new
 * leader) and the crash suite (a restarted process): the controller that takes over must
 * resume every app whose status checkpoint holds — its first look costs no call of the app's
 * own — walk the one whose checkpoint was edited by hand, and follow an ENI replaced at the
 * moment of the kill soon after. Loose bounds: the bench holds the real numbers.
 */
import { expect } from '@jest/globals';
import { ModifyVpcEndpointCommand } from '@aws-sdk/client-ec2';
import type { PublishedApp } from '../../src/api/v1alpha1.ts';
import type { RecordedCall } from '../env/aws-proxy/server.ts';
import type { TestContext } from '../env/context.ts';
import {
  condition,
  endpointIps,
  eventually,
  getApp,
  targetIps,
  type Aws,
} from '../integration/published-app/harness.ts';
import type { World } from '../integration/published-app/world.ts';
import type { Replica } from './controller-replica.ts';

/** What the take-over acts on: the suite's context, clients and world, and its app names. */
export interface TakeOverScene {
  ctx: TestContext;
  aws: Aws;
  world: World;
  /** At least two: the first has its ENIs replaced, the second its checkpoint edited. */
  apps: readonly string[];
}

/** How the controller is replaced: `kill` crashes the one running, `next` yields its successor. */
export interface TakeOver {
  kill: () => Promise<void>;
  next: () => Promise<Replica>;
}

const EDITED = 'edited-by-hand-000000';

const isReady = (o: PublishedApp | undefined): boolean =>
  condition(o, 'Ready')?.[0] === 'True' && o?.status?.observedGeneration === o?.metadata?.generation;

/**
 * Waits for steady state (every app Ready with a checkpoint), edits the second app's
 * checkpoint by hand, kills the controller, replaces the first app's ENIs at once, and waits
 * until the successor has put the new ENI IPs in the target group and walked the liar.
 * @returns the successor and how long after the kill its target group followed the ENIs.
 */
export async function takeOverAtSteadyState(
  scene: TakeOverScene,
  takeOver: TakeOver,
): Promise<{ next: Replica; followedMs: number }> {
  const { ctx, aws, world } = scene;
  const [moved, liar] = scene.apps as [string, string];
  await eventually(
    'every app Ready with a status checkpoint',
    async () => {
      const all = await Promise.all(scene.apps.map((a) => getApp(ctx, a)));
      return all.every((o) => isReady(o) && !!o?.status?.checkpoint) ? true : undefined;
    },
    120_000,
  );
  const patched = await ctx.kubectl([
    ...['patch', '-n', ctx.namespace, 'publishedapp', liar, '--subresource=status', '--type=merge'],
    ...['-p', JSON.stringify({ status: { checkpoint: EDITED } })],
  ]);
  expect(patched.code).toBe(0);
  const { endpointId, targetGroupArn } = (await getApp(ctx, moved))!.status!;

  await takeOver.kill();
  const killedAt = Date.now();
  const subnet = world.dmz.subnetIds[1]!;
  await aws.ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: endpointId!, RemoveSubnetIds: [subnet] }));
  await aws.ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: endpointId!, AddSubnetIds: [subnet] }));
  const live = JSON.stringify(await endpointIps(aws.ec2, endpointId!));

  const next = await takeOver.next();
  await eventually(
    'targets = the ENIs replaced during the take-over',
    async () => (JSON.stringify(await targetIps(aws.elbv2, targetGroupArn!)) === live ? true : undefined),
    90_000,
  );
  const followedMs = Date.now() - killedAt;
  await eventually(
    `${liar} walked: a checkpoint of its own again`,
    async () => {
      const o = await getApp(ctx, liar);
      return o?.status?.checkpoint && o.status.checkpoint !== EDITED ? true : undefined;
    },
    60_000,
  );
  await new Promise((r) => setTimeout(r, 5_000));
  return { next, followedMs };
}

/**
 * Prints the take-over's numbers and asserts the loose bounds. Only two apps may be walked
 * (the liar and the app whose ENIs changed): each walk describes its ENIs once and its target
 * health at most twice, where a walk of every app, as before status checkpoints, makes one of
 * each per app. The rest are the scope's shared describes, a dozen or so whatever the number
 * of apps, hence the loose total of under three calls per app at this suite's size. The
 * target group must follow within `followBoundMs` of the kill.
 */
export function expectCheapTakeOver(
  suite: string,
  calls: readonly RecordedCall[],
  outcome: { apps: number; followedMs: number; followBoundMs: number },
): void {
  const byOperation: Record<string, number> = {};
  for (const c of calls) byOperation[c.operation] = (byOperation[c.operation] ?? 0) + 1;
  const enis = byOperation.DescribeNetworkInterfaces ?? 0;
  console.log(
    JSON.stringify({
      suite,
      apps: outcome.apps,
      calls: calls.length,
      callsPerApp: calls.length / outcome.apps,
      describeNetworkInterfaces: enis,
      eniFollowedMsAfterKill: outcome.followedMs,
      byOperation,
    }),
  );
  expect(enis).toBeLessThanOrEqual(2);
  expect(byOperation.DescribeTargetHealth ?? 0).toBeLessThanOrEqual(4);
  expect(calls.length / outcome.apps).toBeLessThan(3);
  expect(outcome.followedMs).toBeLessThan(outcome.followBoundMs);
}
