/**
 * spec.tls: an app with host headers on an HTTPS listener names an ACM certificate, which the
 * controller adds to the listener as an SNI certificate — shared by the apps naming it,
 * removed with the last of them, never when someone else added it, the listener's default
 * certificate never changed. What cannot work (HTTP listener, certificate pending or not
 * covering the hosts, the ALB at its certificate quota) is refused before any change.
 */
import { jest } from '@jest/globals';
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import {
  AddListenerCertificatesCommand,
  CreateListenerCommand,
  DescribeListenerCertificatesCommand,
  DescribeTagsCommand,
  RemoveListenerCertificatesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { PublishedAppSpec } from '../../../src/api/v1alpha1.ts';
import { newTestContext, type TestContext } from '../../env/context.ts';
import { shareListener } from '../grants.ts';
import {
  applyApp,
  awsClients,
  condition,
  controllerTargetGroups,
  deleteApp,
  expectRefusedWhole,
  eventsFor,
  eventually,
  forwardOf,
  getApp,
  listenerRules,
  patchApp,
  startController,
  waitForApp,
  waitForEvent,
  waitForReady,
  type Aws,
  type RunningController,
} from './harness.ts';
import { appSpec } from './specs.ts';
import { createWorld, type World } from './world.ts';

jest.setTimeout(180_000);

const QUOTA = 3;
const MARK_PREFIX = 'publisher.privatelink.dev/sni-';

let ctx: TestContext;
let aws: Aws;
let acm: ACMClient;
let world: World;
let controller: RunningController;
let httpsListenerArn: string;
let defaultCert: string;
let foreignCert: string;

/**
 * An ACM certificate for `domain` (+ SANs). moto issues one at once when a private CA is named
 * (it does not check the CA); without one it stays PENDING_VALIDATION for a minute.
 */
async function certificate(domain: string, sans: string[] = [], issued = true): Promise<string> {
  const out = await acm.send(
    new RequestCertificateCommand({
      DomainName: domain,
      SubjectAlternativeNames: [domain, ...sans],
      ...(issued
        ? { CertificateAuthorityArn: `arn:aws:acm-pca:us-east-1:${ctx.accountId}:certificate-authority/test` }
        : {}),
    }),
  );
  return out.CertificateArn!;
}

/** The listener's certificates: [arn, isDefault] in AWS's order. */
async function listenerCertificates(): Promise<[string, boolean][]> {
  const out = await aws.elbv2.send(
    new DescribeListenerCertificatesCommand({ ListenerArn: httpsListenerArn }),
  );
  return (out.Certificates ?? []).map((c) => [c.CertificateArn!, c.IsDefault === true]);
}

const sniCertificates = async () =>
  (await listenerCertificates())
    .filter(([, d]) => !d)
    .map(([a]) => a)
    .sort();

async function marks(): Promise<string[]> {
  const out = await aws.elbv2.send(new DescribeTagsCommand({ ResourceArns: [httpsListenerArn] }));
  return (out.TagDescriptions?.[0]?.Tags ?? []).map((t) => t.Key!).filter((k) => k.startsWith(MARK_PREFIX));
}

/** An app on the HTTPS listener for `host`, naming `certificateArn`. */
function httpsApp(provider: string, path: string, host: string, certificateArn: string): PublishedAppSpec {
  return appSpec(world, provider, path, {
    listenerRef: { name: 'https' },
    routing: { pathPatterns: [path, `${path}/*`], hostHeaders: [host] },
    tls: { certificateArn },
  });
}

beforeAll(async () => {
  ctx = await newTestContext('papp-certificates');
  aws = awsClients(ctx);
  acm = new ACMClient(ctx.awsClientConfig);
  world = await createWorld(aws.ec2, aws.elbv2, { services: true, providers: ['blue', 'green'] });
  defaultCert = await certificate('dmz.example.com');
  const listener = await aws.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: world.dmz.albArn,
      Protocol: 'HTTPS',
      Port: 443,
      Certificates: [{ CertificateArn: defaultCert }],
      DefaultActions: [
        { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' } },
      ],
    }),
  );
  httpsListenerArn = listener.Listeners![0]!.ListenerArn!;
  // The DMZ team's own SNI certificate, added by hand: never the controller's to remove.
  foreignCert = await certificate('shop.example.com');
  await aws.elbv2.send(
    new AddListenerCertificatesCommand({
      ListenerArn: httpsListenerArn,
      Certificates: [{ CertificateArn: foreignCert }],
    }),
  );
  await shareListener(ctx, world.dmz.listenerArn);
  await shareListener(ctx, httpsListenerArn, { name: 'https' });
  controller = await startController(ctx, { app: { albCertificateQuota: QUOTA } });
});

afterAll(async () => {
  await controller.stop();
  acm.destroy();
  aws.destroy();
  await ctx.cleanup();
});

it('refuses what cannot work, changing nothing: HTTP listener, pending certificate, hosts not covered', async () => {
  const before = await listenerCertificates();
  const blueCert = await certificate('blue.example.com', ['*.blue.example.com']);
  await applyApp(ctx, 'on-http', {
    ...httpsApp('blue', '/on-http', 'blue.example.com', blueCert),
    listenerRef: { name: 'dmz' },
  });
  await expectRefusedWhole(ctx, aws.ec2, {
    name: 'on-http',
    condition: 'RouteConfigured',
    reason: 'ListenerNotHttps',
    says: 'not HTTPS',
  });

  await applyApp(
    ctx,
    'pending',
    httpsApp('blue', '/pending', 'blue.example.com', await certificate('blue.example.com', [], false)),
  );
  await expectRefusedWhole(ctx, aws.ec2, {
    name: 'pending',
    condition: 'RouteConfigured',
    reason: 'CertificateNotIssued',
    says: 'PENDING_VALIDATION',
  });

  await applyApp(ctx, 'mismatch', httpsApp('green', '/mismatch', 'green.example.com', blueCert));
  await expectRefusedWhole(ctx, aws.ec2, {
    name: 'mismatch',
    condition: 'RouteConfigured',
    reason: 'CertificateHostMismatch',
    says: 'does not cover green.example.com',
  });

  expect(await listenerCertificates()).toEqual(before);
  expect(await marks()).toEqual([]);
  for (const name of ['on-http', 'pending', 'mismatch']) await deleteApp(ctx, name);
});

it('adds a certificate once for the apps naming it, keeps it while one does, removes it with the last', async () => {
  const blueCert = await certificate('blue.example.com', ['*.blue.example.com']);
  await applyApp(ctx, 'blue', httpsApp('blue', '/blue', 'blue.example.com', blueCert));
  await applyApp(ctx, 'blue-www', httpsApp('blue', '/www', 'www.blue.example.com', blueCert));
  const blue = await waitForReady(ctx, 'blue');
  await waitForReady(ctx, 'blue-www');
  expect(blue.status?.certificateArn).toBe(blueCert);
  expect(await sniCertificates()).toEqual([blueCert, foreignCert].sort());
  expect((await listenerCertificates()).filter(([, d]) => d)).toEqual([[defaultCert, true]]);
  expect(await marks()).toHaveLength(1);
  // Added by whichever app came first, once.
  const added = async (name: string) =>
    (await eventsFor(ctx, name)).filter(
      (e) => e.reason === 'CertificateAdded' && e.message?.includes(blueCert),
    );
  const both = async () => [...(await added('blue')), ...(await added('blue-www'))];
  await eventually('CertificateAdded', async () => (await both()).length > 0);
  expect(await both()).toHaveLength(1);
  // The rule forwards the host to the app only now that its certificate is on the listener.
  const rule = (await listenerRules(aws.elbv2, httpsListenerArn)).find(
    (r) => r.RuleArn === blue.status?.ruleArn,
  );
  expect(forwardOf(rule!)).toEqual([blue.status?.targetGroupArn]);

  await deleteApp(ctx, 'blue');
  await eventually('blue gone', async () => (await getApp(ctx, 'blue')) === undefined);
  expect(await sniCertificates()).toEqual([blueCert, foreignCert].sort());

  await deleteApp(ctx, 'blue-www');
  await eventually('blue-www gone', async () => (await getApp(ctx, 'blue-www')) === undefined);
  expect(await sniCertificates()).toEqual([foreignCert]);
  expect(await marks()).toEqual([]);
  expect((await listenerCertificates()).filter(([, d]) => d)).toEqual([[defaultCert, true]]);
});

it('uses a certificate someone else added without taking it over, and leaves it on delete', async () => {
  await applyApp(ctx, 'shop', httpsApp('green', '/shop', 'shop.example.com', foreignCert));
  const shop = await waitForReady(ctx, 'shop');
  expect(shop.status?.certificateArn).toBe(foreignCert);
  expect(await marks()).toEqual([]);
  await deleteApp(ctx, 'shop');
  await eventually('shop gone', async () => (await getApp(ctx, 'shop')) === undefined);
  expect(await sniCertificates()).toEqual([foreignCert]);
});

it('moves to a new certificate and releases the old one; puts a removed one back', async () => {
  const first = await certificate('blue.example.com');
  const second = await certificate('blue.example.com');
  await applyApp(ctx, 'blue', httpsApp('blue', '/blue', 'blue.example.com', first));
  await waitForReady(ctx, 'blue');
  expect(await sniCertificates()).toEqual([first, foreignCert].sort());

  await patchApp(ctx, 'blue', { tls: { certificateArn: second } });
  await eventually(
    'the new certificate held',
    async () => (await getApp(ctx, 'blue'))?.status?.certificateArn === second,
  );
  await waitForReady(ctx, 'blue');
  expect(await sniCertificates()).toEqual([second, foreignCert].sort());
  await waitForEvent(ctx, 'blue', 'CertificateRemoved', first);

  await aws.elbv2.send(
    new RemoveListenerCertificatesCommand({
      ListenerArn: httpsListenerArn,
      Certificates: [{ CertificateArn: second }],
    }),
  );
  await waitForEvent(ctx, 'blue', 'Drifted', 'missing from the listener');
  await eventually('put back', async () => (await sniCertificates()).includes(second));
  await waitForReady(ctx, 'blue');
});

it('refuses a certificate beyond the ALB quota, changing nothing; a built app keeps the rest', async () => {
  // Now: the foreign certificate and blue's. One more fits (quota 3).
  const greenCert = await certificate('green.example.com');
  await applyApp(ctx, 'green', httpsApp('green', '/green', 'green.example.com', greenCert));
  await waitForReady(ctx, 'green');
  expect(await sniCertificates()).toHaveLength(QUOTA);
  const before = await listenerCertificates();
  const groupsBefore = (await controllerTargetGroups(aws.elbv2)).length;

  await applyApp(
    ctx,
    'green2',
    httpsApp('green', '/green2', 'green2.example.com', await certificate('green2.example.com')),
  );
  await expectRefusedWhole(ctx, aws.ec2, {
    name: 'green2',
    condition: 'RouteConfigured',
    reason: 'CertificateLimitExceeded',
    says: '--alb-certificate-quota',
  });
  expect((await controllerTargetGroups(aws.elbv2)).length).toBe(groupsBefore);

  // A built app asking for another certificate at the quota keeps its rule and certificate.
  const blue = (await getApp(ctx, 'blue'))!;
  await patchApp(ctx, 'blue', { tls: { certificateArn: await certificate('blue.example.com') } });
  const refused = await waitForApp(
    ctx,
    'blue',
    'refused',
    (o) => condition(o, 'RouteConfigured')?.[1] === 'CertificateLimitExceeded',
  );
  expect(refused.status?.ruleArn).toBe(blue.status?.ruleArn);
  expect(refused.status?.certificateArn).toBe(blue.status?.certificateArn);
  expect(condition(refused, 'TargetsSynced')?.[0]).toBe('True');
  expect(await listenerCertificates()).toEqual(before);
});
