/**
 * The benchmark's measurements against a running environment: apps created and timed to
 * Ready, ENI-IP changes timed to the target group, moto's own speed.
 */
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeVpcEndpointsCommand, EC2Client, ModifyVpcEndpointCommand } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, AWS_IDENTITY, PUBLISHED_APP, SHARED_LISTENER } from '../src/api/kinds.ts';
import type { PublishedApp, PublishedAppSpec } from '../src/api/v1alpha1.ts';
import { endpointIps, targetIps } from '../test/integration/published-app/harness.ts';
import type { BenchWorld } from './world.ts';
import { mapLimit } from './world.ts';

/** The SharedListener of the world's DMZ `k`. */
export const benchListener = (k: number): string => `dmz-${k}`;

/** The spec of app `i`: its own service, the DMZ (shared listener) of its listener group, path /a<i>. */
export function benchAppSpec(world: BenchWorld, i: number, rulesPerListener: number): PublishedAppSpec {
  const k = Math.floor(i / rulesPerListener);
  const dmz = world.dmzs[k]!;
  return {
    service: { serviceName: world.serviceNames[i]! },
    endpoint: { vpcId: dmz.vpcId, subnetIds: dmz.subnetIds.slice(0, 2) },
    listenerRef: { name: benchListener(k) },
    routing: { pathPatterns: [`/a${i}`, `/a${i}/*`] },
    target: { port: 80, protocol: 'HTTP', deregistrationDelaySeconds: 0 },
  };
}

/**
 * The platform and DMZ teams' part, as in production: the AwsIdentity `bench` (the world
 * account's role) granted to `namespace`, and every DMZ listener shared there as that
 * identity, so each listener's apps share one tagged STS session.
 */
export async function shareBenchWorld(
  kc: KubeConfig,
  namespace: string,
  world: BenchWorld,
  roleArn: string,
): Promise<void> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const apiVersion = `${API_GROUP}/${API_VERSION}`;
  await api.createClusterCustomObject({
    group: API_GROUP,
    version: API_VERSION,
    plural: AWS_IDENTITY.plural,
    body: {
      apiVersion,
      kind: 'AwsIdentity',
      metadata: { name: 'bench' },
      spec: { roleArn, allowedNamespaces: { names: [namespace] } },
    },
  });
  await mapLimit(world.dmzs, 8, (dmz, k) =>
    api.createNamespacedCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      namespace,
      plural: SHARED_LISTENER.plural,
      body: {
        apiVersion,
        kind: 'SharedListener',
        metadata: { name: benchListener(k) },
        spec: { listenerArn: dmz.listenerArn, aws: { identity: 'bench' } },
      },
    }),
  );
}

const isReady = (a: PublishedApp): boolean =>
  a.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Lists the namespace's PublishedApps. */
export async function listApps(kc: KubeConfig, namespace: string): Promise<PublishedApp[]> {
  const out = (await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
    group: API_GROUP,
    version: API_VERSION,
    namespace,
    plural: PUBLISHED_APP.plural,
  })) as { items: PublishedApp[] };
  return out.items;
}

/** Creates the apps (8 requests in flight). */
export async function createApps(
  kc: KubeConfig,
  namespace: string,
  specs: readonly PublishedAppSpec[],
): Promise<void> {
  const api = kc.makeApiClient(CustomObjectsApi);
  await mapLimit(specs, 8, (spec, i) =>
    api.createNamespacedCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      namespace,
      plural: PUBLISHED_APP.plural,
      body: {
        apiVersion: `${API_GROUP}/${API_VERSION}`,
        kind: 'PublishedApp',
        metadata: { name: `app-${i}` },
        spec,
      },
    }),
  );
}

/**
 * Polls every 2 s until `count` apps are Ready or `timeoutMs` passes.
 * @returns ms from `startedAt` to all Ready, or undefined on timeout; and the last Ready count.
 */
export async function waitAllReady(
  kc: KubeConfig,
  namespace: string,
  count: number,
  startedAt: number,
  timeoutMs: number,
  onProgress: (ready: number) => void,
): Promise<{ ms: number | undefined; ready: number }> {
  let ready = 0;
  while (Date.now() - startedAt < timeoutMs) {
    const apps = await listApps(kc, namespace);
    ready = apps.filter(isReady).length;
    if (ready >= count) return { ms: Date.now() - startedAt, ready };
    onProgress(ready);
    await sleep(2_000);
  }
  return { ms: undefined, ready };
}

/** One timed ENI-IP change. */
export interface EniChange {
  app: string;
  /** ms from the out-of-band ModifyVpcEndpoint to the target group holding exactly the new IPs; undefined on timeout. */
  ms: number | undefined;
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

/**
 * For up to `count` Ready apps (spread over all), one after the other: replace the ENI in
 * the endpoint's second subnet out of band (ModifyVpcEndpoint removing and adding the same
 * subnet: a fresh ENI with a fresh IP, the subnet set unchanged so it is no spec drift), then
 * poll moto directly every 250 ms until the group's non-draining targets are exactly the
 * endpoint's IPs. Bounded per change (`perChangeTimeoutMs`) and in total (`totalMs`).
 */
export async function timeEniChanges(
  kc: KubeConfig,
  namespace: string,
  ec2: EC2Client,
  elbv2: ElasticLoadBalancingV2Client,
  opts: { count: number; perChangeTimeoutMs: number; totalMs: number },
): Promise<EniChange[]> {
  const apps = (await listApps(kc, namespace)).filter(
    (a) => isReady(a) && a.status?.endpointId && a.status.targetGroupArn,
  );
  const step = Math.max(1, Math.floor(apps.length / opts.count));
  const chosen = apps.filter((_, i) => i % step === 0).slice(0, opts.count);
  const phaseEnd = Date.now() + opts.totalMs;
  const results: EniChange[] = [];
  for (const app of chosen) {
    if (Date.now() >= phaseEnd) break;
    const endpointId = app.status!.endpointId!;
    const tgArn = app.status!.targetGroupArn!;
    const subnet = app.spec.endpoint.subnetIds[1]!;
    const before = await endpointIps(ec2, endpointId);
    await ec2.send(
      new ModifyVpcEndpointCommand({
        VpcEndpointId: endpointId,
        RemoveSubnetIds: [subnet],
        AddSubnetIds: [subnet],
      }),
    );
    const t0 = Date.now();
    const after = await endpointIps(ec2, endpointId);
    // moto may hand the fresh ENI the freed address again: nothing for the controller to
    // follow, so that app is left out rather than timed at 0 s.
    if (sameSet(before, after)) {
      process.stderr.write(`ENI change skipped: ${endpointId} got the same IP(s) back\n`);
      continue;
    }
    let ms: number | undefined;
    while (Date.now() - t0 < opts.perChangeTimeoutMs) {
      if (sameSet(await targetIps(elbv2, tgArn), after)) {
        ms = Date.now() - t0;
        break;
      }
      await sleep(250);
    }
    results.push({ app: app.metadata!.name!, ms });
  }
  return results;
}

/** Average ms per call of `k` sequential DescribeVpcEndpoints (every endpoint of the account) with `ec2`. */
export async function describeEndpointsMs(ec2: EC2Client, k: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < k; i++) await ec2.send(new DescribeVpcEndpointsCommand({ MaxResults: 1000 }));
  return (performance.now() - t0) / k;
}

/** A random 12-digit account id other than moto's default. */
export function randomAccountId(): string {
  return String(randomInt(200_000_000_000, 999_999_999_999));
}
