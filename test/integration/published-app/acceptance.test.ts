/**
 * An endpoint to a service that requires acceptance waits in `pendingAcceptance`
 * (`WaitingForAcceptance`, polled) until the service owner accepts it; a rejected one is
 * reported as `ConnectionRejected` and left alone (no re-create loop).
 */
import { jest } from '@jest/globals';
import {
  AcceptVpcEndpointConnectionsCommand,
  RejectVpcEndpointConnectionsCommand,
} from '@aws-sdk/client-ec2';
import { newTestContext, type TestContext } from '../../env/context.ts';
import {
  applyApp,
  awsClients,
  condition,
  endpointsOf,
  startController,
  waitForApp,
  waitForEvent,
  waitForReady,
  type Aws,
  type RunningController,
} from './harness.ts';
import { appSpec } from './specs.ts';
import { createWorld, type World } from './world.ts';
import { shareListener } from '../grants.ts';

jest.setTimeout(150_000);

let ctx: TestContext;
let aws: Aws;
let world: World;
let controller: RunningController;

beforeAll(async () => {
  ctx = await newTestContext('papp-acceptance');
  aws = awsClients(ctx);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true, acceptanceRequired: true });
  await shareListener(ctx, world.dmz.listenerArn);
  controller = await startController(ctx);
});

afterAll(async () => {
  await controller.stop();
  aws.destroy();
  await ctx.cleanup();
});

const endpointReason = (name: string, reason: string) =>
  waitForApp(ctx, name, reason, (o) => condition(o, 'EndpointAvailable')?.[1] === reason);

it('waits for acceptance, then becomes Ready', async () => {
  await applyApp(ctx, 'blue', appSpec(world, 'blue', '/blue'));
  const waiting = await endpointReason('blue', 'WaitingForAcceptance');
  expect(waiting.status!.endpointState).toBe('pendingAcceptance');
  expect(condition(waiting, 'Ready')).toEqual(['False', 'WaitingForAcceptance']);
  await aws.ec2.send(
    new AcceptVpcEndpointConnectionsCommand({
      ServiceId: world.providers.blue!.serviceId!,
      VpcEndpointIds: [waiting.status!.endpointId!],
    }),
  );
  const ready = await waitForReady(ctx, 'blue');
  expect(ready.status!.endpointState).toBe('available');
  expect(ready.status!.targets!.registered).toBe(2);
});

it('reports a rejected endpoint once and does not recreate it', async () => {
  await applyApp(ctx, 'green', appSpec(world, 'green', '/green'));
  const waiting = await endpointReason('green', 'WaitingForAcceptance');
  const id = waiting.status!.endpointId!;
  await aws.ec2.send(
    new RejectVpcEndpointConnectionsCommand({
      ServiceId: world.providers.green!.serviceId!,
      VpcEndpointIds: [id],
    }),
  );
  const rejected = await endpointReason('green', 'ConnectionRejected');
  expect(condition(rejected, 'Ready')).toEqual(['False', 'ConnectionRejected']);
  await waitForEvent(ctx, 'green', 'ConnectionRejected', id);
  await new Promise((r) => setTimeout(r, 3_000)); // resyncs
  expect((await endpointsOf(aws.ec2, rejected.metadata!.uid!)).map((e) => e.VpcEndpointId)).toEqual([id]);
});
