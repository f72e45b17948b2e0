/**
 * Drift and spec changes: what someone changes in AWS behind the controller's back is put
 * back (allowed principals, detached NLBs); spec edits reach AWS through
 * ModifyVpcEndpointServiceConfiguration / ModifyVpcEndpointServicePermissions.
 */
import { jest } from '@jest/globals';
import {
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointServicePermissionsCommand,
  ModifyVpcEndpointServiceConfigurationCommand,
  ModifyVpcEndpointServicePermissionsCommand,
  type ServiceConfiguration,
} from '@aws-sdk/client-ec2';
import { newTestContext, type TestContext } from '../../env/context.ts';
import {
  account,
  applyEndpointService,
  condition,
  createNetwork,
  createNlb,
  eventually,
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
let nlb1: string;
let nlb2: string;
let controller: RunningController;
let serviceId: string;
const B = '222222222222';
const C = '333333333333';
const principalB = `arn:aws:iam::${B}:root`;
const principalC = `arn:aws:iam::${C}:role/consumer`;

beforeAll(async () => {
  ctx = await newTestContext('eps-drift');
  provider = account(ctx.accountId, ctx.awsClientConfig);
  const network = await createNetwork(provider.ec2, 1);
  nlb1 = await createNlb(provider.elbv2, network);
  nlb2 = await createNlb(provider.elbv2, network);
  // A short resync and a full check on each: drift has no notification, the periodic
  // re-check finds it.
  controller = await startController(ctx, { resyncPeriodMs: 1_500, fullCheckIntervalMs: 0 });
  await applyEndpointService(ctx, 'drifty', {
    networkLoadBalancerArns: [nlb1, nlb2],
    allowedPrincipals: [principalB],
  });
  const obj = await waitForObject(ctx, 'drifty', 'Ready', (o) => condition(o, 'Ready')?.[0] === 'True');
  serviceId = obj.status!.serviceId!;
});

afterAll(async () => {
  await controller.stop();
  provider.destroy();
  await ctx.cleanup();
});

async function principals(): Promise<string[]> {
  const out = await provider.ec2.send(
    new DescribeVpcEndpointServicePermissionsCommand({ ServiceId: serviceId }),
  );
  return (out.AllowedPrincipals ?? []).map((p) => p.Principal!).sort();
}

async function config(): Promise<ServiceConfiguration> {
  const out = await provider.ec2.send(
    new DescribeVpcEndpointServiceConfigurationsCommand({ ServiceIds: [serviceId] }),
  );
  return out.ServiceConfigurations![0]!;
}

function sameSet(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...b].sort());
}

it('set the allowed principals from the spec at creation', async () => {
  expect(await principals()).toEqual([principalB]);
  expect((await config()).NetworkLoadBalancerArns?.sort()).toEqual([nlb1, nlb2].sort());
});

it('puts back principals changed out of band', async () => {
  await provider.ec2.send(
    new ModifyVpcEndpointServicePermissionsCommand({
      ServiceId: serviceId,
      AddAllowedPrincipals: [principalC],
      RemoveAllowedPrincipals: [principalB],
    }),
  );
  expect(await principals()).toEqual([principalC]);
  await eventually('principals restored', async () => sameSet(await principals(), [principalB]));
  await waitForEvent(ctx, 'drifty', 'PrincipalsUpdated', principalB, principalC);
});

it('re-attaches an NLB detached out of band', async () => {
  await provider.ec2.send(
    new ModifyVpcEndpointServiceConfigurationCommand({
      ServiceId: serviceId,
      RemoveNetworkLoadBalancerArns: [nlb2],
    }),
  );
  expect((await config()).NetworkLoadBalancerArns).toEqual([nlb1]);
  await eventually('NLB re-attached', async () =>
    sameSet((await config()).NetworkLoadBalancerArns, [nlb1, nlb2]),
  );
  await waitForEvent(ctx, 'drifty', 'ServiceModified', `attach NLB ${nlb2}`);
});

it('applies spec edits: acceptance, private DNS name, NLBs and principals', async () => {
  await patchSpec(ctx, 'drifty', {
    networkLoadBalancerArns: [nlb2],
    acceptanceRequired: false,
    privateDnsName: 'drifty.example.com',
    allowedPrincipals: [principalC, '*'],
  });
  await eventually('configuration modified', async () => {
    const c = await config();
    return (
      sameSet(c.NetworkLoadBalancerArns, [nlb2]) &&
      c.AcceptanceRequired === false &&
      c.PrivateDnsName === 'drifty.example.com'
    );
  });
  await eventually('principals replaced', async () => sameSet(await principals(), [principalC, '*']));
  const obj = await waitForObject(
    ctx,
    'drifty',
    'generation 2 reported',
    (o) => o.status?.observedGeneration === 2 && condition(o, 'Ready')?.[0] === 'True',
  );
  const dns = (await config()).PrivateDnsNameConfiguration!;
  expect(obj.status?.privateDnsNameConfiguration).toEqual({
    state: dns.State,
    type: dns.Type,
    name: dns.Name,
    value: dns.Value,
  });
  expect(obj.status?.privateDnsNameConfiguration?.type).toBe('TXT');
  expect(obj.status?.conditions?.every((c) => c.observedGeneration === 2)).toBe(true);
});

it('removes the private DNS name when the spec drops it', async () => {
  await patchSpec(ctx, 'drifty', { privateDnsName: null as unknown as undefined });
  await eventually('private DNS name removed', async () => !(await config()).PrivateDnsName);
  const obj = await waitForObject(
    ctx,
    'drifty',
    'DNS record cleared',
    (o) => o.status?.observedGeneration === 3,
  );
  expect(obj.status?.privateDnsNameConfiguration).toBeUndefined();
});
