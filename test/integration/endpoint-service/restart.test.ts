/**
 * A controller that dies right after CreateVpcEndpointServiceConfiguration succeeded (before
 * it could record the service id) must not make a second service when it comes back.
 */
import { jest } from '@jest/globals';
import type { AwsClientFactory } from '../../../src/aws/types.ts';
import { FINALIZER } from '../../../src/api/kinds.ts';
import { newTestContext, type TestContext } from '../../env/context.ts';
import {
  account,
  applyEndpointService,
  condition,
  createNetwork,
  createNlb,
  eventually,
  getEndpointService,
  interceptedFactory,
  servicesOwnedBy,
  startController,
  waitForEvent,
  waitForObject,
  type Account,
} from './harness.ts';

// The project-level testTimeout is not applied by jest (a global-only option).
jest.setTimeout(120_000);

let ctx: TestContext;
let provider: Account;

beforeAll(async () => {
  ctx = await newTestContext('eps-restart');
  provider = account(ctx.accountId, ctx.awsClientConfig);
});

afterAll(async () => {
  provider.destroy();
  await ctx.cleanup();
});

/**
 * A client factory whose EC2 client "dies" once a service was created: the create's response
 * is lost and every later EC2 call fails, as if the process had been killed at that moment.
 */
function dyingAfterCreate(): { factory: AwsClientFactory & { destroy(): void }; died: () => boolean } {
  let dead = false;
  const factory = interceptedFactory(ctx, async (command, send) => {
    if (dead) throw new Error('simulated crash: the process is gone');
    const out = await send();
    if (command === 'CreateVpcEndpointServiceConfigurationCommand') {
      dead = true;
      throw new Error('simulated crash: response of the create lost');
    }
    return out;
  });
  return { factory, died: () => dead };
}

it('finds the service it created instead of creating another', async () => {
  const nlbArn = await createNlb(provider.elbv2, await createNetwork(provider.ec2, 1));
  const dying = dyingAfterCreate();
  const first = await startController(ctx, { aws: dying.factory });
  await applyEndpointService(ctx, 'phoenix', { networkLoadBalancerArns: [nlbArn] });
  await eventually('the first controller to die after its create', () => Promise.resolve(dying.died()));
  await first.stop();
  dying.factory.destroy();

  const before = (await getEndpointService(ctx, 'phoenix'))!;
  expect(before.metadata?.finalizers).toContain(FINALIZER);
  expect(before.status?.serviceId).toBeUndefined();
  const created = await servicesOwnedBy(provider.ec2, before.metadata!.uid!);
  expect(created).toHaveLength(1);

  const second = await startController(ctx);
  try {
    const obj = await waitForObject(ctx, 'phoenix', 'Ready', (o) => condition(o, 'Ready')?.[0] === 'True');
    expect(obj.status?.serviceId).toBe(created[0]!.ServiceId);
    expect((await servicesOwnedBy(provider.ec2, before.metadata!.uid!)).map((s) => s.ServiceId)).toEqual([
      created[0]!.ServiceId,
    ]);
  } finally {
    await second.stop();
  }
});

it('in dry run publishes the plan as Events and changes nothing', async () => {
  const nlbArn = await createNlb(provider.elbv2, await createNetwork(provider.ec2, 2));
  const dry = await startController(ctx, { dryRun: true });
  try {
    await applyEndpointService(ctx, 'dry', { networkLoadBalancerArns: [nlbArn] });
    const event = await waitForEvent(ctx, 'dry', 'DryRun', 'would create endpoint service', nlbArn);
    expect(event.type).toBe('Normal');
    const obj = (await getEndpointService(ctx, 'dry'))!;
    expect(obj.metadata?.finalizers ?? []).not.toContain(FINALIZER);
    expect(obj.status).toBeUndefined();
    expect(await servicesOwnedBy(provider.ec2, obj.metadata!.uid!)).toEqual([]);
    expect(dry.calls('CreateVpcEndpointServiceConfiguration')).toBe(0);
  } finally {
    await dry.stop();
  }
});
