/**
 * Private DNS name verification: the controller asks AWS to verify the domain (AWS does not
 * on its own) and keeps asking, at the retry interval, until the TXT record is published;
 * PrivateDnsNameVerified tells the user which record to publish and when it worked, without
 * holding Ready back. The TXT record lives in the emulator's Route 53 (public DNS for the
 * moto extension).
 */
import { jest } from '@jest/globals';
import {
  DescribeVpcEndpointServiceConfigurationsCommand,
  type ServiceConfiguration,
} from '@aws-sdk/client-ec2';
import { newTestContext, type TestContext } from '../../env/context.ts';
import { publishTxtRecord } from '../../env/route53.ts';
import {
  account,
  applyEndpointService,
  condition,
  createNetwork,
  createNlb,
  patchSpec,
  startController,
  waitForEvent,
  waitForObject,
  type Account,
  type RunningController,
} from './harness.ts';

jest.setTimeout(120_000);

const DOMAIN = 'shop.example.net';
let ctx: TestContext;
let provider: Account;
let nlb: string;
let controller: RunningController;

beforeAll(async () => {
  ctx = await newTestContext('eps-private-dns');
  provider = account(ctx.accountId, ctx.awsClientConfig);
  nlb = await createNlb(provider.elbv2, await createNetwork(provider.ec2, 1));
  controller = await startController(ctx, { dnsVerificationRetryMs: 1_000 });
});

afterAll(async () => {
  await controller.stop();
  provider.destroy();
  await ctx.cleanup();
});

async function config(serviceId: string): Promise<ServiceConfiguration> {
  const out = await provider.ec2.send(
    new DescribeVpcEndpointServiceConfigurationsCommand({ ServiceIds: [serviceId] }),
  );
  return out.ServiceConfigurations![0]!;
}

it('starts verification until the TXT record is published, then reports the name verified', async () => {
  await applyEndpointService(ctx, 'shop', {
    networkLoadBalancerArns: [nlb],
    acceptanceRequired: false,
    privateDnsName: DOMAIN,
  });
  // Without the record: AWS's verification fails; the condition names the record to publish.
  const failed = await waitForObject(
    ctx,
    'shop',
    'verification failed',
    (o) => condition(o, 'PrivateDnsNameVerified')?.[1] === 'VerificationFailed',
  );
  const { name, value } = failed.status!.privateDnsNameConfiguration!;
  const fqdn = `${name!}.${DOMAIN}`;
  expect(failed.status!.privateDnsNameConfiguration!.state).toBe('failed');
  expect(condition(failed, 'PrivateDnsNameVerified')?.[0]).toBe('False');
  const message = failed.status!.conditions!.find((c) => c.type === 'PrivateDnsNameVerified')!.message;
  expect(message).toContain(`TXT ${fqdn} = "${value!}"`);
  await waitForEvent(ctx, 'shop', 'PrivateDnsVerificationStarted', fqdn);
  await waitForEvent(ctx, 'shop', 'PrivateDnsVerificationFailed', fqdn);
  // The service itself is usable: Ready does not wait for the name.
  await waitForObject(ctx, 'shop', 'Ready', (o) => condition(o, 'Ready')?.[0] === 'True');

  const before = controller.calls('StartVpcEndpointServicePrivateDnsVerification');
  await publishTxtRecord(process.env.AWS_ENDPOINT_URL!, ctx.accountId, 'example.net', fqdn, value!);
  const verified = await waitForObject(
    ctx,
    'shop',
    'verified',
    (o) => condition(o, 'PrivateDnsNameVerified')?.[0] === 'True',
  );
  expect(condition(verified, 'PrivateDnsNameVerified')).toEqual(['True', 'Verified']);
  expect(verified.status!.privateDnsNameConfiguration!.state).toBe('verified');
  expect((await config(verified.status!.serviceId!)).PrivateDnsNameConfiguration!.State).toBe('verified');
  expect(controller.calls('StartVpcEndpointServicePrivateDnsVerification')).toBeGreaterThan(before);
  await waitForEvent(ctx, 'shop', 'PrivateDnsVerified', DOMAIN);

  // Verified: no further starts.
  const settled = controller.calls('StartVpcEndpointServicePrivateDnsVerification');
  await new Promise((r) => setTimeout(r, 3_000));
  expect(controller.calls('StartVpcEndpointServicePrivateDnsVerification')).toBe(settled);
});

it('drops the condition with the name', async () => {
  await patchSpec(ctx, 'shop', { privateDnsName: null as unknown as undefined });
  const obj = await waitForObject(
    ctx,
    'shop',
    'condition dropped',
    (o) => o.status?.observedGeneration === 2 && condition(o, 'PrivateDnsNameVerified') === undefined,
  );
  expect(obj.status?.privateDnsNameConfiguration).toBeUndefined();
  expect(condition(obj, 'Ready')?.[0]).toBe('True');
});
