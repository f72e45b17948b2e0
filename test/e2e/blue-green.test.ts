/**
 * The seed end to end (seeds/000): the blue and green teams each publish an internal NLB as a
 * VPC endpoint service from their own account (EndpointService, acceptance required, the DMZ
 * account auto-accepted); the DMZ account publishes both on one internet-facing ALB
 * (PublishedApp with endpointServiceRef) at /blue and /green. Both controllers run in one
 * Manager against the real API server and the extended moto. The provider VPCs use the same
 * CIDR on purpose: PrivateLink does not care.
 */
import { jest } from '@jest/globals';
import { API_GROUP, API_VERSION } from '../../src/api/kinds.ts';
import type { EndpointServiceSpec, PublishedAppSpec } from '../../src/api/v1alpha1.ts';
import { newTestContext, type TestContext } from '../env/context.ts';
import { DMZ_LISTENER, grantIdentity, removeIdentity, shareListener } from '../integration/grants.ts';
import {
  awsClients,
  condition,
  endpoint,
  endpointIps,
  endpointsOf,
  eventually,
  forwardOf,
  getApp,
  listenerRules,
  pathsOf,
  securityGroupRules,
  securityGroupsOf,
  startController,
  targetGroup,
  targetIps,
  waitForReady,
  type Aws,
  type RunningController,
} from '../integration/published-app/harness.ts';
import { createDmz, createProvider, type Dmz, type Provider } from '../integration/published-app/world.ts';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';

jest.setTimeout(180_000);

let ctx: TestContext;
let dmzAws: Aws;
let dmz: Dmz;
const providers: Record<string, { accountId: string; provider: Provider }> = {};
let controller: RunningController;
/** AwsIdentity names are cluster-wide: one per provider and test namespace. */
const identityOf = (name: string): string => `${ctx.namespace}-${name}`;

async function apply(
  kind: string,
  name: string,
  spec: EndpointServiceSpec | PublishedAppSpec,
): Promise<void> {
  const body = { apiVersion: `${API_GROUP}/${API_VERSION}`, kind, metadata: { name }, spec };
  const out = await ctx.kubectl(['apply', '-n', ctx.namespace, '-f', '-'], JSON.stringify(body));
  if (out.code !== 0) throw new Error(`kubectl apply failed: ${out.stderr}`);
}

beforeAll(async () => {
  ctx = await newTestContext('e2e-blue-green');
  dmzAws = awsClients(ctx);
  dmz = await createDmz(dmzAws.ec2, dmzAws.elbv2, 100, 'e2e');
  for (const name of ['blue', 'green']) {
    const other = await ctx.otherAccount();
    const ec2 = new EC2Client(other.awsClientConfig);
    const elbv2 = new ElasticLoadBalancingV2Client(other.awsClientConfig);
    providers[name] = {
      accountId: other.accountId,
      provider: await createProvider(ec2, elbv2, name, 1, { prefix: 'e2e' }),
    };
    ec2.destroy();
    elbv2.destroy();
  }
  controller = await startController(ctx, { endpointServices: true });
  // The platform team grants each provider account's role; the DMZ team shares its listener.
  await shareListener(ctx, dmz.listenerArn);
  for (const [name, { accountId, provider }] of Object.entries(providers)) {
    await grantIdentity(ctx, identityOf(name), {
      roleArn: `arn:aws:iam::${accountId}:role/privatelink-publisher`,
      allowedNamespaces: { names: [ctx.namespace] },
    });
    await apply('EndpointService', name, {
      aws: { identity: identityOf(name) },
      networkLoadBalancerArns: [provider.nlbArn],
      acceptanceRequired: true,
      allowedPrincipals: [`arn:aws:iam::${ctx.accountId}:root`],
      autoAccept: { principals: [ctx.accountId], rejectOthers: true },
      tags: { team: name },
    });
    await apply('PublishedApp', name, {
      service: { endpointServiceRef: { name } },
      endpoint: { vpcId: dmz.vpcId, subnetIds: dmz.subnetIds.slice(0, 2) },
      listenerRef: { name: DMZ_LISTENER },
      routing: { pathPatterns: [`/${name}`, `/${name}/*`] },
      target: { port: 80, protocol: 'HTTP', healthCheck: { path: `/${name}/`, matcher: '200-399' } },
      tags: { app: name },
    });
  }
});

afterAll(async () => {
  await controller.stop();
  for (const name of Object.keys(providers)) await removeIdentity(ctx, identityOf(name));
  dmzAws.destroy();
  await ctx.cleanup();
});

it('publishes blue and green on the DMZ ALB', async () => {
  for (const name of ['blue', 'green']) {
    const out = await ctx.kubectl([
      'wait',
      '-n',
      ctx.namespace,
      '--for=condition=Ready',
      `publishedapp/${name}`,
      '--timeout=90s',
    ]);
    // stderr may carry kubectl's own klog warnings (a watch re-established under load): judge
    // by the exit code and the answer, not by silence.
    expect({ code: out.code, stdout: out.stdout.trim() }).toEqual({
      code: 0,
      stdout: `publishedapp.publisher.privatelink.dev/${name} condition met`,
    });
  }
  const rules = await listenerRules(dmzAws.elbv2, dmz.listenerArn);
  expect(rules).toHaveLength(3);
  for (const name of ['blue', 'green']) {
    const app = await waitForReady(ctx, name);
    const st = app.status!;
    // The endpoint goes to the provider's service, created by its EndpointService and accepted by it.
    const es = await ctx.kubectl(['get', '-n', ctx.namespace, 'endpointservice', name, '-o', 'json']);
    const esStatus = (
      JSON.parse(es.stdout) as {
        status: { serviceName: string; connections?: { endpointId: string; state: string }[] };
      }
    ).status;
    expect(st.serviceName).toBe(esStatus.serviceName);
    expect(esStatus.connections).toEqual(
      expect.arrayContaining([expect.objectContaining({ endpointId: st.endpointId, state: 'available' })]),
    );
    const ep = (await endpoint(dmzAws.ec2, st.endpointId!))!;
    expect(ep).toMatchObject({ State: 'available', VpcId: dmz.vpcId, ServiceName: esStatus.serviceName });
    // The rule sends /<name> to a group holding exactly the endpoint's addresses.
    const rule = rules.find((r) => r.RuleArn === st.ruleArn)!;
    expect(pathsOf(rule)).toEqual([`/${name}`, `/${name}/*`]);
    expect(forwardOf(rule)).toEqual([st.targetGroupArn]);
    const ips = await endpointIps(dmzAws.ec2, st.endpointId!);
    expect(ips).toHaveLength(2);
    expect(await targetIps(dmzAws.elbv2, st.targetGroupArn!)).toEqual(ips);
    expect(await targetGroup(dmzAws.elbv2, st.targetGroupArn!)).toMatchObject({
      TargetType: 'ip',
      VpcId: dmz.vpcId,
      HealthCheckPath: `/${name}/`,
    });
    // The endpoint admits HTTP from the ALB's security group only.
    const sg = (await securityGroupRules(dmzAws.ec2, st.securityGroupId!))!;
    expect(sg.ingress).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 80,
        ToPort: 80,
        UserIdGroupPairs: [expect.objectContaining({ GroupId: dmz.albSecurityGroupId })],
      }),
    ]);
    expect(st.url).toBe(`http://${dmz.albDnsName}/${name}`);
  }
  const listed = await ctx.kubectl(['get', 'privatelink', '-n', ctx.namespace]);
  expect(listed.stdout).toMatch(/publishedapp.*\/blue\b/is);
});

it('takes everything down again when the objects are deleted', async () => {
  const before = await Promise.all(['blue', 'green'].map((n) => getApp(ctx, n)));
  const out = await ctx.kubectl([
    'delete',
    '-n',
    ctx.namespace,
    'publishedapp,endpointservice',
    '--all',
    '--timeout=90s',
  ]);
  expect(out.code).toBe(0);
  for (const app of before) {
    const uid = app!.metadata!.uid!;
    expect(await endpointsOf(dmzAws.ec2, uid)).toEqual([]);
    expect(await securityGroupsOf(dmzAws.ec2, uid)).toEqual([]);
    expect(await targetGroup(dmzAws.elbv2, app!.status!.targetGroupArn!)).toBeUndefined();
    expect(condition(app, 'Ready')).toEqual(['True', 'Ready']);
  }
  await eventually(
    'only the default rule left',
    async () => (await listenerRules(dmzAws.elbv2, dmz.listenerArn)).length === 1,
  );
});
