/**
 * AccessDenied: the controller's role may not change the service's permissions. That is
 * reported as `AccessDenied` with a Warning event and not retried in a loop — a change to the
 * object (or the resync) tries again. moto enforces no IAM, so the refusal is injected where
 * the SDK hands AWS's 403 to the controller, shaped exactly as the SDK would deliver it.
 */
import { jest } from '@jest/globals';
import { DescribeVpcEndpointServicePermissionsCommand, EC2ServiceException } from '@aws-sdk/client-ec2';
import { newTestContext, type TestContext } from '../../env/context.ts';
import {
  account,
  applyEndpointService,
  condition,
  createNetwork,
  createNlb,
  interceptedFactory,
  patchSpec,
  startController,
  waitForEvent,
  waitForObject,
  type Account,
  type RunningController,
} from './harness.ts';

// The project-level testTimeout is not applied by jest (a global-only option).
jest.setTimeout(120_000);

let ctx: TestContext;
let provider: Account;
let controller: RunningController;
let denied = true;
let attempts = 0;
const factory = (): ReturnType<typeof interceptedFactory> =>
  interceptedFactory(ctx, async (command, send) => {
    if (command !== 'ModifyVpcEndpointServicePermissionsCommand') return send();
    attempts++;
    if (!denied) return send();
    throw new EC2ServiceException({
      name: 'UnauthorizedOperation',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'You are not authorized to perform this operation.',
    });
  });
let aws: ReturnType<typeof interceptedFactory>;

beforeAll(async () => {
  ctx = await newTestContext('eps-access-denied');
  provider = account(ctx.accountId, ctx.awsClientConfig);
  aws = factory();
  controller = await startController(ctx, { aws });
});

afterAll(async () => {
  await controller.stop();
  aws.destroy();
  provider.destroy();
  await ctx.cleanup();
});

it('reports AccessDenied once, without retrying in a loop, and recovers on the next change', async () => {
  const nlbArn = await createNlb(provider.elbv2, await createNetwork(provider.ec2, 1));
  const principal = 'arn:aws:iam::222222222222:root';
  await applyEndpointService(ctx, 'locked', {
    networkLoadBalancerArns: [nlbArn],
    allowedPrincipals: [principal],
  });
  const obj = await waitForObject(
    ctx,
    'locked',
    'AccessDenied',
    (o) => condition(o, 'Ready')?.[1] === 'AccessDenied',
  );
  expect(condition(obj, 'ServiceAvailable')?.[0]).toBe('True');
  expect(condition(obj, 'PrincipalsSynced')).toEqual(['False', 'AccessDenied']);
  expect(obj.status?.serviceId).toMatch(/^vpce-svc-/);
  const event = await waitForEvent(ctx, 'locked', 'AccessDenied', 'UnauthorizedOperation');
  expect(event.type).toBe('Warning');

  // Our own status write and finalizer patch each wake the object once more; after those
  // re-checks it must go quiet (a hot loop never would).
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  let seen = -1;
  while (seen !== attempts) {
    seen = attempts;
    await sleep(1_500);
  }
  expect(attempts).toBeLessThanOrEqual(3);
  await sleep(3_000);
  expect(attempts).toBe(seen);

  denied = false;
  await patchSpec(ctx, 'locked', { tags: { retry: 'please' } });
  await waitForObject(ctx, 'locked', 'Ready', (o) => condition(o, 'Ready')?.[0] === 'True');
  const out = await provider.ec2.send(
    new DescribeVpcEndpointServicePermissionsCommand({ ServiceId: obj.status!.serviceId! }),
  );
  expect(out.AllowedPrincipals?.map((p) => p.Principal)).toEqual([principal]);
});
