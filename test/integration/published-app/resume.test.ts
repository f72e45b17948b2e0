/**
 * Resuming from the status checkpoint (issue 17): a controller that starts after another
 * (a restart, a hand-over) skips the first walk of every app whose last clean pass left a
 * checkpoint in its status that still holds for the spec, the AWS slice and the status — no
 * per-app AWS call — and walks the others; a checkpoint that lies (edited by hand, or a status
 * edited under it) is not trusted. Resumed apps are watched as usual: an ENI replaced after
 * the start reaches the target group.
 */
import { jest } from '@jest/globals';
import { ModifyVpcEndpointCommand } from '@aws-sdk/client-ec2';
import type { AwsCallObserverCall } from '../../../src/aws/types.ts';
import { newTestContext, type TestContext } from '../../env/context.ts';
import { shareListener } from '../grants.ts';
import {
  applyApp,
  awsClients,
  endpoint,
  endpointIps,
  eventually,
  getApp,
  patchApp,
  startController,
  targetIps,
  waitForApp,
  waitForReady,
  type Aws,
  type RunningController,
} from './harness.ts';
import { appSpec } from './specs.ts';
import { createWorld, type World } from './world.ts';

jest.setTimeout(180_000);

const APPS = ['app-0', 'app-1', 'app-2', 'app-3'];
/** Long enough that no periodic full walk falls inside the test. */
const NO_FULL_WALK = { fullRecheckMs: 600_000 };

let ctx: TestContext;
let aws: Aws;
let world: World;
let controller: RunningController | undefined;

beforeAll(async () => {
  ctx = await newTestContext('papp-resume');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true });
  await shareListener(ctx, world.dmz.listenerArn);
});

afterAll(async () => {
  await controller?.stop();
  aws.destroy();
  await ctx.cleanup();
});

async function patchStatus(name: string, status: object): Promise<void> {
  const out = await ctx.kubectl([
    'patch',
    '-n',
    ctx.namespace,
    'publishedapp',
    name,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({ status }),
  ]);
  if (out.code !== 0) throw new Error(`kubectl patch failed: ${out.stderr}`);
}

it('resumes the apps whose checkpoint holds, walks the ones whose checkpoint lies, and follows ENIs', async () => {
  controller = await startController(ctx, { app: NO_FULL_WALK });
  for (const [i, name] of APPS.entries())
    await applyApp(ctx, name, appSpec(world, i % 2 === 0 ? 'blue' : 'green', `/${name}`));
  for (const name of APPS) await waitForApp(ctx, name, 'checkpoint in status', (o) => !!o.status?.checkpoint);
  await controller.stop();
  controller = undefined;

  // Two lies: a forged checkpoint, and a status edited under a true one.
  await patchStatus('app-1', { checkpoint: 'forged-checkpoint-0000' });
  const truth = (await getApp(ctx, 'app-2'))!.status!;
  await patchStatus('app-2', { endpointIPs: ['10.100.9.9'] });

  const calls: AwsCallObserverCall[] = [];
  controller = await startController(ctx, { app: NO_FULL_WALK, observer: (c) => calls.push(c) });
  // The liars are walked: app-1 gets a true checkpoint again, app-2 its live addresses back.
  await waitForApp(
    ctx,
    'app-1',
    'a checkpoint of its own again',
    (o) => !!o.status?.checkpoint && o.status.checkpoint !== 'forged-checkpoint-0000',
  );
  await waitForApp(
    ctx,
    'app-2',
    'its live addresses back',
    (o) => JSON.stringify(o.status?.endpointIPs) === JSON.stringify(truth.endpointIPs),
  );
  // Several resyncs (2 s) and observation rounds (0.5 s) later, only the two were walked:
  // each walk of an app this process never saw describes that app's ENIs, a resumed app
  // costs nothing of its own.
  await new Promise((r) => setTimeout(r, 5_000));
  const count = (op: string) => calls.filter((c) => c.operation === op).length;
  expect(count('DescribeNetworkInterfaces')).toBe(2);
  expect(count('DescribeTargetHealth')).toBeLessThanOrEqual(4);
  for (const name of ['app-0', 'app-3']) expect((await getApp(ctx, name))!.status?.checkpoint).toBeTruthy();

  // A resumed app walked later (a spec change) takes its addresses from the status the
  // checkpoint vouched for: still no DescribeNetworkInterfaces.
  await patchApp(ctx, 'app-3', { tags: { app: 'green', walked: 'yes' } });
  await waitForApp(
    ctx,
    'app-3',
    'Ready at the new generation',
    (o) => o.status?.observedGeneration === o.metadata?.generation && !!o.status?.checkpoint,
  );
  expect(count('DescribeNetworkInterfaces')).toBe(2);

  // A resumed app is watched: its replaced ENI reaches the target group.
  const app0 = (await waitForReady(ctx, 'app-0')).status!;
  const subnet = world.dmz.subnetIds[1]!;
  const started = Date.now();
  await aws.ec2.send(
    new ModifyVpcEndpointCommand({ VpcEndpointId: app0.endpointId!, RemoveSubnetIds: [subnet] }),
  );
  await aws.ec2.send(
    new ModifyVpcEndpointCommand({ VpcEndpointId: app0.endpointId!, AddSubnetIds: [subnet] }),
  );
  expect((await endpoint(aws.ec2, app0.endpointId!))!.NetworkInterfaceIds).toHaveLength(2);
  const live = await endpointIps(aws.ec2, app0.endpointId!);
  expect(live).not.toEqual(app0.endpointIPs);
  await eventually(
    'targets = the replaced ENI IPs',
    async () =>
      JSON.stringify(await targetIps(aws.elbv2, app0.targetGroupArn!)) === JSON.stringify(live)
        ? true
        : undefined,
    30_000,
  );
  // Loose: the observation polls every 0.5 s here; the bench holds the real numbers.
  expect(Date.now() - started).toBeLessThan(20_000);
});
