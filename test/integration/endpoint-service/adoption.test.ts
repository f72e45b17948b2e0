/**
 * spec.adopt: an endpoint service clicked together by hand (seed 000) is taken over without
 * replacing it — tagged as owned, then converged to the spec in place — only through an
 * identity that allows adoption, never when someone else owns it, never when only a new
 * service would do. A dry run (the object's annotation) says every change before anything
 * is tagged. Adopted objects default to Retain: deletion leaves the service, untagged.
 */
import { jest } from '@jest/globals';
import {
  CreateTagsCommand,
  CreateVpcEndpointServiceConfigurationCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointServicePermissionsCommand,
  ModifyVpcEndpointServicePermissionsCommand,
  type ServiceConfiguration,
} from '@aws-sdk/client-ec2';
import { CreateLoadBalancerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DRY_RUN_ANNOTATION, TAG_KEYS } from '../../../src/api/kinds.ts';
import type { EndpointServiceSpec } from '../../../src/api/v1alpha1.ts';
import { newTestContext, type TestContext } from '../../env/context.ts';
import { grantIdentity, removeIdentity } from '../grants.ts';
import {
  account,
  applyEndpointService,
  condition,
  createNetwork,
  createNlb,
  eventsFor,
  eventually,
  getEndpointService,
  startController,
  waitForEvent,
  waitForObject,
  type Account,
  type Network,
  type RunningController,
} from './harness.ts';

jest.setTimeout(150_000);

let ctx: TestContext;
let provider: Account;
let network: Network;
let nlbArn: string;
let adopter: string;
let controller: RunningController;

const principal = (n: number) => `arn:aws:iam::${String(n).repeat(12)}:root`;

/** A service as seed 000 builds it: by hand, acceptance required, one principal, a team tag. */
async function handBuilt(): Promise<string> {
  const out = await provider.ec2.send(
    new CreateVpcEndpointServiceConfigurationCommand({
      NetworkLoadBalancerArns: [nlbArn],
      AcceptanceRequired: true,
      TagSpecifications: [{ ResourceType: 'vpc-endpoint-service', Tags: [{ Key: 'team', Value: 'blue' }] }],
    }),
  );
  const serviceId = out.ServiceConfiguration!.ServiceId!;
  await provider.ec2.send(
    new ModifyVpcEndpointServicePermissionsCommand({
      ServiceId: serviceId,
      AddAllowedPrincipals: [principal(1)],
    }),
  );
  return serviceId;
}

/** The service and its principals as AWS has them: what "nothing changed" is compared on. */
async function world(serviceId: string): Promise<{ config: ServiceConfiguration; principals: string[] }> {
  const out = await provider.ec2.send(
    new DescribeVpcEndpointServiceConfigurationsCommand({ ServiceIds: [serviceId] }),
  );
  const perms = await provider.ec2.send(
    new DescribeVpcEndpointServicePermissionsCommand({ ServiceId: serviceId }),
  );
  const config = out.ServiceConfigurations![0]!;
  config.Tags?.sort((a, b) => a.Key!.localeCompare(b.Key!));
  return { config, principals: (perms.AllowedPrincipals ?? []).map((p) => p.Principal!).sort() };
}

const tagsOf = (c: ServiceConfiguration) => Object.fromEntries((c.Tags ?? []).map((t) => [t.Key!, t.Value!]));

function adoptSpec(serviceId: string, identity = adopter): EndpointServiceSpec {
  return {
    aws: { identity },
    adopt: { serviceId },
    networkLoadBalancerArns: [nlbArn],
    acceptanceRequired: false,
    allowedPrincipals: [principal(1), principal(2)],
    tags: { team: 'blue', managed: 'privatelink-publisher' },
  };
}

beforeAll(async () => {
  ctx = await newTestContext('eps-adoption');
  provider = account(ctx.accountId, ctx.awsClientConfig);
  network = await createNetwork(provider.ec2, 1);
  nlbArn = await createNlb(provider.elbv2, network);
  adopter = `${ctx.namespace}-adopter`;
  await grantIdentity(ctx, adopter, { allowAdoption: true, allowedNamespaces: { names: [ctx.namespace] } });
  // Full checks often enough that drift of the adopted service is seen within the test.
  controller = await startController(ctx, { resyncPeriodMs: 2_000, fullCheckIntervalMs: 1_000 });
});

afterAll(async () => {
  await controller.stop();
  await removeIdentity(ctx, adopter);
  provider.destroy();
  await ctx.cleanup();
});

/** The object is refused with `reason` and the service is exactly as before. */
async function expectRefused(name: string, serviceId: string, reason: string, says: string): Promise<void> {
  const before = await world(serviceId);
  const obj = await waitForObject(ctx, name, reason, (o) => condition(o, 'Ready')?.[1] === reason);
  expect(condition(obj, 'Ready')?.[0]).toBe('False');
  await waitForEvent(ctx, name, reason, says);
  expect(await world(serviceId)).toEqual(before);
}

it('refuses adoption through an identity that does not allow it, before any AWS call', async () => {
  const serviceId = await handBuilt();
  await applyEndpointService(ctx, 'no-grant', adoptSpec(serviceId, 'default'));
  await expectRefused('no-grant', serviceId, 'AdoptionNotPermitted', 'does not allow adoption');
});

it('refuses a service another object or another cluster owns', async () => {
  const serviceId = await handBuilt();
  await provider.ec2.send(
    new CreateTagsCommand({
      Resources: [serviceId],
      Tags: [
        { Key: TAG_KEYS.cluster, Value: 'another-cluster' },
        { Key: TAG_KEYS.owner, Value: 'EndpointService/team-green/green' },
        { Key: TAG_KEYS.uid, Value: 'someone-else' },
      ],
    }),
  );
  await applyEndpointService(ctx, 'owned', adoptSpec(serviceId));
  await expectRefused('owned', serviceId, 'OwnedElsewhere', 'EndpointService/team-green/green');
});

it('refuses a service only a new one could bring to the spec (Gateway Load Balancers)', async () => {
  const gwlb = await provider.elbv2.send(
    new CreateLoadBalancerCommand({ Name: 'adopt-gwlb', Type: 'gateway', Subnets: network.subnetIds }),
  );
  const out = await provider.ec2.send(
    new CreateVpcEndpointServiceConfigurationCommand({
      GatewayLoadBalancerArns: [gwlb.LoadBalancers![0]!.LoadBalancerArn!],
    }),
  );
  const serviceId = out.ServiceConfiguration!.ServiceId!;
  await applyEndpointService(ctx, 'gateway', adoptSpec(serviceId));
  await expectRefused('gateway', serviceId, 'AdoptionNeedsReplacement', 'Gateway Load Balancers');
});

it('refuses a service that does not exist', async () => {
  await applyEndpointService(ctx, 'missing', adoptSpec('vpce-svc-0123456789abcdef0'));
  await waitForObject(
    ctx,
    'missing',
    'refused',
    (o) => condition(o, 'Ready')?.[1] === 'AdoptionTargetNotFound',
  );
});

it('a dry run lists every change before anything is tagged', async () => {
  const serviceId = await handBuilt();
  const before = await world(serviceId);
  await applyEndpointService(ctx, 'planned', adoptSpec(serviceId), { [DRY_RUN_ANNOTATION]: 'true' });
  await waitForEvent(ctx, 'planned', 'DryRun', `adopt ${serviceId}`);
  await waitForEvent(ctx, 'planned', 'DryRun', 'acceptance');
  await waitForEvent(ctx, 'planned', 'DryRun', principal(2));
  const said = (await eventsFor(ctx, 'planned')).filter((e) => e.reason === 'DryRun').map((e) => e.message);
  expect(said.some((m) => m?.includes(`tag ${serviceId}`))).toBe(true);
  expect(await world(serviceId)).toEqual(before);
  expect((await getEndpointService(ctx, 'planned'))?.status).toBeUndefined();
});

it('adopts in place, converges, repairs drift, and on delete leaves the service without our tags', async () => {
  const serviceId = await handBuilt();
  await applyEndpointService(ctx, 'blue', adoptSpec(serviceId));
  const obj = await waitForObject(ctx, 'blue', 'Ready', (o) => condition(o, 'Ready')?.[0] === 'True');
  expect(obj.status).toMatchObject({ serviceId, deletionPolicy: 'Retain' });
  await waitForEvent(ctx, 'blue', 'Adopted', serviceId);

  const adopted = await world(serviceId);
  expect(adopted.config.AcceptanceRequired).toBe(false);
  expect(adopted.principals).toEqual([principal(1), principal(2)]);
  expect(tagsOf(adopted.config)).toEqual({
    team: 'blue',
    managed: 'privatelink-publisher',
    [TAG_KEYS.cluster]: 'it-endpoint-service',
    [TAG_KEYS.owner]: `EndpointService/${ctx.namespace}/blue`,
    [TAG_KEYS.uid]: obj.metadata!.uid!,
  });

  // Drift on an adopted service is put back like on any other.
  await provider.ec2.send(
    new ModifyVpcEndpointServicePermissionsCommand({
      ServiceId: serviceId,
      RemoveAllowedPrincipals: [principal(2)],
    }),
  );
  await eventually('principal put back', async () =>
    (await world(serviceId)).principals.includes(principal(2)),
  );

  await ctx.kubectl(['delete', '-n', ctx.namespace, 'endpointservice', 'blue', '--wait=false']);
  await eventually('object gone', async () => (await getEndpointService(ctx, 'blue')) === undefined);
  const left = await world(serviceId);
  expect(left.config.ServiceState).toBe('Available');
  expect(tagsOf(left.config)).toEqual({ team: 'blue', managed: 'privatelink-publisher' });
  expect(left.principals).toEqual([principal(1), principal(2)]);
});
