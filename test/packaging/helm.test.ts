/**
 * The Helm chart, against the real API server: lint, schema, rendering with default and
 * non-default values (each validated with `kubectl apply --dry-run=server`), `helm install`
 * (every object exists, the service account's effective permissions are least privilege),
 * and the chart's CRDs staying identical to crds/.
 */
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jest } from '@jest/globals';
import { parse, parseAllDocuments } from 'yaml';
import { newTestContext, type TestContext } from '../env/context.ts';
import { kubeconfigYaml } from '../env/control-plane.ts';
import { freePort, startController } from './controller-process.ts';

const root = path.resolve(import.meta.dirname, '../..');
const chartDir = path.join(root, 'deploy/helm/privatelink-publisher');
const customValuesFile = path.join(import.meta.dirname, 'values-custom.yaml');

// Every step runs helm or kubectl processes; on a loaded 2-core machine that takes seconds.
jest.setTimeout(120_000);

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
}

/** The parts of the rendered objects these tests read. */
interface Container {
  image: string;
  args: string[];
  env?: unknown[];
  ports: { name: string; containerPort: number; protocol: string }[];
  livenessProbe: { httpGet: unknown };
  readinessProbe: { httpGet: unknown };
  resources: unknown;
  securityContext: unknown;
}
type Selector = { matchLabels: Record<string, string> };
interface AntiAffinity {
  preferredDuringSchedulingIgnoredDuringExecution?: unknown[];
  requiredDuringSchedulingIgnoredDuringExecution?: unknown[];
}
interface Deployment extends Manifest {
  spec: {
    replicas: number;
    selector: Selector;
    template: {
      spec: {
        serviceAccountName: string;
        containers: Container[];
        securityContext: unknown;
        affinity: { podAntiAffinity: AntiAffinity };
        tolerations?: unknown[];
        nodeSelector?: Record<string, string>;
        priorityClassName?: string;
      };
    };
  };
}
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
interface Role extends Manifest {
  rules: Rule[];
}
interface AwsIdentityManifest extends Manifest {
  spec: { roleArn?: string; externalId?: string; allowedNamespaces: unknown };
}
interface RoleBinding extends Manifest {
  subjects: unknown[];
}
interface Service extends Manifest {
  spec: { selector: Record<string, string>; ports: unknown[] };
}
interface PodDisruptionBudget extends Manifest {
  spec: unknown;
}
interface ServiceMonitor extends Manifest {
  spec: { selector: Selector; endpoints: unknown[] };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function helm(args: string[]): Promise<Run> {
  const bin = process.env.PLP_HELM;
  if (!bin) throw new Error('PLP_HELM is not set: is this test in the jest "integration" project?');
  return new Promise((resolve) => {
    execFile(bin, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** `helm template` → the rendered YAML text and its objects. */
async function render(
  release: string,
  namespace: string,
  extra: string[] = [],
): Promise<{ text: string; docs: Manifest[] }> {
  const out = await helm(['template', release, chartDir, '--namespace', namespace, ...extra]);
  if (out.code !== 0) throw new Error(`helm template failed: ${out.stderr}`);
  const docs = parseAllDocuments(out.stdout)
    .map((d) => d.toJS() as Manifest | null)
    .filter((d): d is Manifest => d !== null);
  return { text: out.stdout, docs };
}

interface KindTypes {
  AwsIdentity: AwsIdentityManifest;
  Deployment: Deployment;
  Role: Role;
  Service: Service;
  ServiceAccount: Manifest;
  PodDisruptionBudget: PodDisruptionBudget;
  ServiceMonitor: ServiceMonitor;
}

/** The objects of `kind` in `docs`, by name. */
function byName<T extends Manifest>(docs: Manifest[], kind: string): Map<string, T> {
  return new Map(docs.filter((d) => d.kind === kind).map((d) => [d.metadata.name, d as T]));
}

/** The one object of `kind` in `docs` (throws when there are none or several). */
function only<K extends keyof KindTypes>(docs: Manifest[], kind: K): KindTypes[K] {
  const found = docs.filter((d) => d.kind === kind);
  if (found.length !== 1) throw new Error(`want exactly one ${kind}, got ${found.length}`);
  return found[0] as KindTypes[K];
}

function container(docs: Manifest[]): Container {
  return only(docs, 'Deployment').spec.template.spec.containers[0]!;
}

function kinds(docs: Manifest[]): string[] {
  return docs.map((d) => `${d.kind}/${d.metadata.namespace ?? ''}`).sort();
}

/**
 * Validates rendered YAML with the API server's own schema and admission checks.
 * @returns the warnings it printed (Pod Security, deprecations), normally none.
 */
async function serverDryRun(ctx: TestContext, text: string): Promise<string> {
  // Server-side apply, as the CRD upgrade instructions use (the CRDs already exist here).
  const args = ['apply', '--server-side', '--force-conflicts', '--field-manager=plp-helm-test'];
  const out = await ctx.kubectl([...args, '--dry-run=server', '-o', 'name', '-f', '-'], text);
  if (out.code !== 0) throw new Error(`kubectl apply --dry-run=server failed:\n${out.stderr}`);
  return out.stderr;
}

function randomSuffix(): string {
  return randomInt(0, 36 ** 5)
    .toString(36)
    .padStart(5, '0');
}

let ctx: TestContext;
beforeAll(async () => {
  ctx = await newTestContext('helm');
  // The "restricted" Pod Security Standard: the API server warns about any workload that breaks it.
  const labels = ['enforce', 'warn'].map((mode) => `pod-security.kubernetes.io/${mode}=restricted`);
  const out = await ctx.kubectl(['label', 'namespace', ctx.namespace, ...labels]);
  if (out.code !== 0) throw new Error(out.stderr);
});
afterAll(async () => {
  await ctx.cleanup();
});

describe('helm lint', () => {
  test.each([
    ['default values', []],
    ['non-default values', ['-f', customValuesFile]],
  ])('passes with %s', async (_name, extra) => {
    const out = await helm(['lint', '--strict', chartDir, ...extra]);
    expect(out.stderr).toBe('');
    expect(out).toMatchObject({ code: 0 });
    expect(out.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });
});

describe('values.schema.json and template guards reject bad values with a clear message', () => {
  test.each([
    ['controller.logLevel=loud', "at '/controller/logLevel': value must be one of"],
    ['replicaCount=two', "at '/replicaCount': got string, want integer"],
    ['controller.awsApiShare=1.5', "at '/controller/awsApiShare'"],
    ['controller.awsApiShare=0', "at '/controller/awsApiShare'"],
    ['controller.albRuleQuota=0', "at '/controller/albRuleQuota'"],
    ['controller.albCertificateQuota=0', "at '/controller/albCertificateQuota'"],
    ['controller.resyncPeriod=5 minutes', "at '/controller/resyncPeriod'"],
    ['controller.concurrency=0', "at '/controller/concurrency'"],
    ['controller.namespaces={Team_Blue}', "at '/controller/namespaces/0'"],
    ['controller.region=Europe', "at '/controller/region'"],
    ['controller.clusterId=prod cluster', "at '/controller/clusterId'"],
    ['controller.leaderElect=true', "at '/controller': additional properties 'leaderElect' not allowed"],
    ['image.digest=latest', "at '/image/digest'"],
    ['podAntiAffinity=sometimes', "at '/podAntiAffinity'"],
    ['tolerations[0].operator=Maybe', "at '/tolerations/0/operator'"],
    ['metrics.serviceMonitor.interval=often', "at '/metrics/serviceMonitor/interval'"],
    ['rbac.aggregateToDefaultRoles=maybe', "at '/rbac/aggregateToDefaultRoles'"],
    ['identities[0].name=Not_A_Name', "at '/identities/0/name'"],
    ['identities[0].roleArn=arn:aws:iam::1:user/x', "at '/identities/0/roleArn'"],
    ['identities[0].allowedNamespaces.names={Team_Blue}', "at '/identities/0/allowedNamespaces/names/0'"],
    ['identities[0].allowedNamespaces.everyone=true', "additional properties 'everyone' not allowed"],
    ['identities[0].externalId=abc', "at '/identities/0'"],
  ])('--set %s', async (value, message) => {
    const [lint, template] = await Promise.all([
      helm(['lint', chartDir, '--set', value]),
      helm(['template', 'x', chartDir, '--set', value]),
    ]);
    expect(lint.code).not.toBe(0);
    expect(lint.stdout + lint.stderr).toContain(message);
    expect(template.code).not.toBe(0);
    expect(template.stderr).toContain(message);
  });

  test.each([
    [
      ['replicaCount=2', 'controller.leaderElection.enabled=false'],
      'replicaCount > 1 needs controller.leaderElection.enabled',
    ],
    [
      ['metrics.serviceMonitor.enabled=true', 'metrics.service.enabled=false'],
      'metrics.serviceMonitor.enabled needs metrics.service.enabled',
    ],
    [['serviceAccount.create=false'], 'serviceAccount.name is required when serviceAccount.create is false'],
    [['identities[0].name=default', 'identities[1].name=default'], 'identities: "default" is listed twice'],
  ])('--set %j', async (values, message) => {
    const out = await helm(['template', 'x', chartDir, ...values.flatMap((v) => ['--set', v])]);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain(message);
  });

  test('replicas 1 without leader election is allowed', async () => {
    const { docs } = await render('x', 'plp', [
      '--set',
      'replicaCount=1',
      '--set',
      'controller.leaderElection.enabled=false',
    ]);
    const args = container(docs).args;
    expect(args.filter((a) => a.startsWith('--leader-elect'))).toEqual([]);
    expect(docs.filter((d) => d.kind === 'Role' || d.kind === 'PodDisruptionBudget')).toEqual([]);
  });
});

describe('default values', () => {
  let docs: Manifest[];
  let text: string;
  const release = 'plp';
  beforeAll(async () => {
    ({ docs, text } = await render(release, ctx.namespace));
  });

  test('render exactly the expected objects, namespaced ones in the release namespace', () => {
    const ns = ctx.namespace;
    expect(kinds(docs)).toEqual(
      [
        'AwsIdentity/',
        ...Array<string>(5).fill('ClusterRole/'),
        'ClusterRoleBinding/',
        `Deployment/${ns}`,
        `PodDisruptionBudget/${ns}`,
        `Role/${ns}`,
        `RoleBinding/${ns}`,
        `Service/${ns}`,
        `ServiceAccount/${ns}`,
      ].sort(),
    );
  });

  test('Deployment: 2 replicas, leader election in the release namespace, probes, hardened pod', () => {
    const deploy = only(docs, 'Deployment');
    const values = parse(readFileSync(path.join(chartDir, 'values.yaml'), 'utf8'));
    expect(deploy.spec.replicas).toBe(2);
    const pod = deploy.spec.template.spec;
    const main = pod.containers[0]!;
    const lease = only(docs, 'Role').rules.find((r) => r.resourceNames)?.resourceNames?.[0];
    expect(main.args).toEqual(
      expect.arrayContaining([
        '--leader-elect',
        `--leader-election-id=${lease}`,
        `--leader-election-namespace=${ctx.namespace}`,
        `--http-address=:${values.controller.httpPort}`,
        `--resync-period=${values.controller.resyncPeriod}`,
        `--aws-api-share=${values.controller.awsApiShare}`,
      ]),
    );
    expect(
      main.args.filter((a: string) => /^--(namespaces|region|cluster-id|dry-run|single-tenant)/.test(a)),
    ).toEqual([]);
    expect(main.ports).toEqual([
      { name: 'http', containerPort: values.controller.httpPort, protocol: 'TCP' },
    ]);
    expect(main.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(main.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(main.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
      {
        weight: 100,
        podAffinityTerm: {
          topologyKey: 'kubernetes.io/hostname',
          labelSelector: { matchLabels: deploy.spec.selector.matchLabels },
        },
      },
    ]);
    expect(pod.serviceAccountName).toBe(only(docs, 'ServiceAccount').metadata.name);
  });

  test("the default AwsIdentity (the controller's own credentials) is granted to nobody, and kept by Helm", () => {
    const identity = only(docs, 'AwsIdentity');
    expect(identity.metadata.name).toBe('default');
    expect(identity.spec).toEqual({ allowedNamespaces: { names: [] } });
    expect(identity.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
  });

  test('the controller reads the grants and never writes them; people get edit/view (aggregated) and the two admin roles', () => {
    const plp = 'publisher.privatelink.dev';
    const roles = byName<Role>(docs, 'ClusterRole');
    const full = `${release}-privatelink-publisher`;
    const controller = roles.get(full)!;
    const grants = ['sharedlisteners', 'awsidentities', 'namespaces'];
    const touching = controller.rules.filter((r) => r.resources.some((res) => grants.includes(res)));
    expect(touching.flatMap((r) => r.verbs).sort()).toEqual([
      'get',
      'get',
      'get',
      'list',
      'list',
      'list',
      'watch',
      'watch',
      'watch',
    ]);
    const edit = roles.get(`${full}-edit`)!;
    const view = roles.get(`${full}-view`)!;
    expect(edit.metadata.labels).toMatchObject({
      'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
      'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
    });
    expect(view.metadata.labels).toMatchObject({ 'rbac.authorization.k8s.io/aggregate-to-view': 'true' });
    expect(edit.rules).toEqual([
      {
        apiGroups: [plp],
        resources: ['publishedapps', 'endpointservices'],
        verbs: ['create', 'update', 'patch', 'delete', 'get', 'list', 'watch'],
      },
    ]);
    expect(view.rules.flatMap((r) => r.verbs)).toEqual(['get', 'list', 'watch']);
    // No role for people writes /status (the controller trusts it) or a grant kind, except
    // the two admin roles, which are not aggregated and are bound by the platform.
    for (const [name, role] of roles) {
      if (name === full) continue;
      const writes = role.rules.filter((r) => r.verbs.some((v) => !['get', 'list', 'watch'].includes(v)));
      const written = writes.flatMap((r) => r.resources);
      expect({ name, status: written.filter((res) => res.endsWith('/status')) }).toEqual({
        name,
        status: [],
      });
      const adminOf: Record<string, string[] | undefined> = {
        [`${full}-dmz-admin`]: ['sharedlisteners'],
        [`${full}-platform-admin`]: ['awsidentities'],
      };
      const ofGrants = written.filter((res) => grants.includes(res));
      expect({ name, ofGrants }).toEqual({ name, ofGrants: adminOf[name] ?? [] });
      if (adminOf[name])
        expect(Object.keys(role.metadata.labels ?? {}).filter((l) => l.includes('aggregate'))).toEqual([]);
    }
  });

  test('PodDisruptionBudget and metrics Service select the controller pods', () => {
    const selector = only(docs, 'Deployment').spec.selector.matchLabels;
    expect(only(docs, 'PodDisruptionBudget').spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: selector },
    });
    expect(only(docs, 'Service').spec.selector).toEqual(selector);
    expect(only(docs, 'Service').spec.ports).toEqual([
      { name: 'http-metrics', port: 8080, targetPort: 'http', protocol: 'TCP' },
    ]);
  });

  test('the API server accepts every object (dry-run), CRDs included, without a Pod Security warning', async () => {
    expect(await serverDryRun(ctx, text)).toBe('');
    const withCrds = await render(release, ctx.namespace, ['--include-crds']);
    const crds = withCrds.docs.filter((d) => d.kind === 'CustomResourceDefinition');
    expect(crds.map((d) => d.metadata.name.split('.')[0]).sort()).toEqual([
      'awsidentities',
      'endpointservices',
      'publishedapps',
      'sharedlisteners',
    ]);
    expect(await serverDryRun(ctx, withCrds.text)).toBe('');
  });

  test('a pod that breaks the restricted standard does get a warning (the check above can fail)', async () => {
    const { text: loose } = await render(release, ctx.namespace, [
      '--set',
      'securityContext.allowPrivilegeEscalation=true',
    ]);
    expect(await serverDryRun(ctx, loose)).toContain('would violate PodSecurity "restricted');
  });
});

describe('non-default values', () => {
  // Prometheus Operator is not installed in the test API server: a minimal ServiceMonitor CRD
  // (group, kind, scope and version only — its spec schema is not checked) lets the
  // ServiceMonitor go through the same dry-run as everything else.
  const serviceMonitorCrd = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: servicemonitors.monitoring.coreos.com }
spec:
  group: monitoring.coreos.com
  scope: Namespaced
  names: { kind: ServiceMonitor, listKind: ServiceMonitorList, plural: servicemonitors, singular: servicemonitor }
  versions:
    - name: v1
      served: true
      storage: true
      schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
`;
  const values = parse(readFileSync(customValuesFile, 'utf8'));
  const suffix = randomSuffix();
  const watched = [`plp-team-a-${suffix}`, `plp-team-b-${suffix}`];
  let docs: Manifest[];
  let text: string;

  beforeAll(async () => {
    ({ docs, text } = await render('custom', ctx.namespace, [
      '-f',
      customValuesFile,
      '--set',
      `controller.namespaces={${watched.join(',')}}`,
    ]));
  });
  afterAll(async () => {
    await ctx.kubectl(['delete', 'namespace', '--wait=false', '--ignore-not-found', ...watched]);
    await ctx.kubectl([
      'delete',
      '--wait=false',
      '--ignore-not-found',
      'crd/servicemonitors.monitoring.coreos.com',
    ]);
  });

  test('one replica: no PodDisruptionBudget; ServiceMonitor; Roles in the watched namespaces instead of a ClusterRole', () => {
    const ns = ctx.namespace;
    expect(kinds(docs)).toEqual(
      [
        'AwsIdentity/',
        'AwsIdentity/',
        // The cluster-scoped grants (read-only) and the four roles for people.
        ...Array<string>(5).fill('ClusterRole/'),
        'ClusterRoleBinding/',
        `Deployment/${ns}`,
        `Role/${ns}`,
        `RoleBinding/${ns}`,
        ...watched.flatMap((w) => [`Role/${w}`, `RoleBinding/${w}`]),
        `Service/${ns}`,
        `ServiceAccount/${ns}`,
        `ServiceMonitor/${ns}`,
      ].sort(),
    );
    const sa = only(docs, 'ServiceAccount');
    for (const w of watched) {
      const binding = docs.find((d) => d.kind === 'RoleBinding' && d.metadata.namespace === w) as RoleBinding;
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: ns }]);
    }
  });

  test('every controller value becomes its flag', () => {
    const c = values.controller;
    const args = container(docs).args;
    expect(args).toEqual([
      `--http-address=:${c.httpPort}`,
      `--log-level=${c.logLevel}`,
      `--concurrency=${c.concurrency}`,
      `--resync-period=${c.resyncPeriod}`,
      `--observe-period=${c.observePeriod}`,
      `--full-recheck-period=${c.fullRecheckPeriod}`,
      `--aws-api-share=${c.awsApiShare}`,
      `--alb-rule-quota=${c.albRuleQuota}`,
      `--alb-certificate-quota=${c.albCertificateQuota}`,
      '--leader-elect',
      `--leader-election-id=${c.leaderElection.id}`,
      `--leader-election-namespace=${ctx.namespace}`,
      `--leader-elect-lease-duration=${c.leaderElection.leaseDuration}`,
      `--leader-elect-renew-deadline=${c.leaderElection.renewDeadline}`,
      `--leader-elect-retry-period=${c.leaderElection.retryPeriod}`,
      `--namespaces=${watched.join(',')}`,
      `--region=${c.region}`,
      `--cluster-id=${c.clusterId}`,
      '--dry-run',
      '--single-tenant',
      ...c.extraArgs,
    ]);
  });

  test('identities become AwsIdentities as given; user roles are not aggregated; the cluster-wide role only reads', () => {
    const identities = byName<AwsIdentityManifest>(docs, 'AwsIdentity');
    type Entry = { name: string; roleArn?: string; externalId?: string; allowedNamespaces: unknown };
    expect([...identities.keys()]).toEqual((values.identities as Entry[]).map((i) => i.name));
    for (const { name, ...spec } of values.identities as Entry[])
      expect(identities.get(name)!.spec).toEqual(spec);
    const roles = byName<Role>(docs, 'ClusterRole');
    for (const role of roles.values())
      expect(Object.keys(role.metadata.labels ?? {}).filter((l) => l.includes('aggregate'))).toEqual([]);
    expect(roles.get('custom-privatelink-publisher-cluster-read')!.rules).toEqual([
      {
        apiGroups: ['publisher.privatelink.dev'],
        resources: ['awsidentities'],
        verbs: ['get', 'list', 'watch'],
      },
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
    ]);
  });

  test('IRSA annotation, scheduling, image, ports and ServiceMonitor follow the values', () => {
    expect(only(docs, 'ServiceAccount').metadata.annotations).toEqual(values.serviceAccount.annotations);
    const pod = only(docs, 'Deployment').spec.template.spec;
    const main = pod.containers[0]!;
    expect(pod.tolerations).toEqual(values.tolerations);
    expect(pod.nodeSelector).toEqual(values.nodeSelector);
    expect(pod.priorityClassName).toBe(values.priorityClassName);
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    expect(main.image).toBe(`${values.image.repository}:${values.image.tag}`);
    expect(main.env).toEqual(values.controller.env);
    expect(main.resources).toEqual(values.resources);
    expect(main.ports[0]!.containerPort).toBe(values.controller.httpPort);
    expect(only(docs, 'Service').spec.ports[0]).toMatchObject({
      port: values.metrics.service.port,
      targetPort: 'http',
    });
    const monitor = only(docs, 'ServiceMonitor');
    expect(monitor.metadata.labels).toMatchObject(values.metrics.serviceMonitor.labels);
    expect(monitor.spec.selector.matchLabels).toEqual(only(docs, 'Service').spec.selector);
    expect(monitor.spec.endpoints).toEqual([
      {
        port: 'http-metrics',
        path: '/metrics',
        interval: values.metrics.serviceMonitor.interval,
        scrapeTimeout: '10s',
      },
    ]);
  });

  test('the API server accepts every object (dry-run, ServiceMonitor through a minimal CRD)', async () => {
    const crd = await ctx.kubectl(['apply', '-f', '-'], serviceMonitorCrd);
    expect(crd).toMatchObject({ code: 0 });
    await ctx.kubectl(['wait', '--for=condition=Established', 'crd/servicemonitors.monitoring.coreos.com']);
    for (const name of watched)
      expect(await ctx.kubectl(['create', 'namespace', name])).toMatchObject({ code: 0 });
    await serverDryRun(ctx, text);
  });
});

describe('helm install', () => {
  const roleArn = 'arn:aws:iam::123456789012:role/privatelink-publisher';
  const release = `plp-${randomSuffix()}`;
  // Its own identity: the test environment's `default` AwsIdentity already exists (other
  // suites use it) and Helm would refuse to take it over.
  const identity = `${release}-own`;
  let manifest: Manifest[];
  let manifestText: string;
  let serviceAccount: string;
  let installOutput: string;

  beforeAll(async () => {
    const out = await helm([
      'install',
      release,
      chartDir,
      '--namespace',
      ctx.namespace,
      '--set-string',
      `serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=${roleArn}`,
      '--set-json',
      `identities=[{"name":"${identity}","allowedNamespaces":{"names":["${ctx.namespace}"]}}]`,
    ]);
    if (out.code !== 0) throw new Error(`helm install failed: ${out.stderr}`);
    installOutput = out.stdout;
    const got = await helm(['get', 'manifest', release, '--namespace', ctx.namespace]);
    manifestText = got.stdout;
    manifest = parseAllDocuments(manifestText)
      .map((d) => d.toJS() as Manifest | null)
      .filter((d): d is Manifest => d !== null);
    serviceAccount = only(manifest, 'ServiceAccount').metadata.name;
  });
  afterAll(async () => {
    await helm(['uninstall', release, '--namespace', ctx.namespace, '--wait']);
    await ctx.kubectl(['delete', 'awsidentity', identity, '--ignore-not-found']);
  });

  test('every object of the release exists in the API server', async () => {
    expect(manifest.length).toBe(13);
    const got = await ctx.kubectl(['get', '-f', '-', '-o', 'name'], manifestText);
    expect(got).toMatchObject({ code: 0, stderr: '' });
    expect(got.stdout.trim().split('\n')).toHaveLength(manifest.length);
  });

  test('the stored Deployment keeps the hardened pod, args and probes; IRSA annotation on the account', async () => {
    const selector = `app.kubernetes.io/instance=${release}`;
    const out = await ctx.kubectl(['get', 'deployment', '-n', ctx.namespace, '-l', selector, '-o', 'json']);
    const stored = (JSON.parse(out.stdout) as { items: Deployment[] }).items;
    expect(stored).toHaveLength(1);
    const pod = stored[0]!.spec.template.spec;
    const wanted = only(manifest, 'Deployment').spec.template.spec;
    expect(pod.securityContext).toEqual(wanted.securityContext);
    expect(pod.containers[0]!.args).toEqual(wanted.containers[0]!.args);
    expect(pod.containers[0]!.securityContext).toEqual(wanted.containers[0]!.securityContext);
    expect(pod.containers[0]!.livenessProbe).toMatchObject(wanted.containers[0]!.livenessProbe);
    expect(pod.containers[0]!.readinessProbe).toMatchObject(wanted.containers[0]!.readinessProbe);
    const sa = await ctx.kubectl([
      'get',
      'serviceaccount',
      serviceAccount,
      '-n',
      ctx.namespace,
      '-o',
      'json',
    ]);
    expect((JSON.parse(sa.stdout) as Manifest).metadata.annotations).toMatchObject({
      'eks.amazonaws.com/role-arn': roleArn,
    });
  });

  test("the service account's effective permissions are exactly what the controller needs", async () => {
    const ns = ctx.namespace;
    const lease = container(manifest)
      .args.find((a) => a.startsWith('--leader-election-id='))
      ?.split('=')[1];
    const plp = 'publisher.privatelink.dev';
    const lc = 'coordination.k8s.io';
    const other = 'some-other-namespace';
    // [verb, group, resource[/subresource], namespace, name] → allowed
    const cases: [string, string, string, string, string, boolean][] = [
      ['watch', plp, 'publishedapps', other, '', true],
      ['list', plp, 'endpointservices', '', '', true],
      ['patch', plp, 'publishedapps', other, '', true],
      ['patch', plp, 'endpointservices/status', other, '', true],
      ['update', plp, 'publishedapps/finalizers', other, '', true],
      ['create', '', 'events', other, '', true],
      ['patch', 'events.k8s.io', 'events', other, '', true],
      ['create', lc, 'leases', ns, '', true],
      ['get', lc, 'leases', ns, lease!, true],
      ['update', lc, 'leases', ns, lease!, true],
      ['watch', plp, 'sharedlisteners', other, '', true],
      ['list', plp, 'awsidentities', '', '', true],
      ['watch', '', 'namespaces', '', '', true],
      // Not needed, so not granted: above all, no write to the grants.
      ['create', plp, 'sharedlisteners', other, '', false],
      ['patch', plp, 'sharedlisteners', other, '', false],
      ['update', plp, 'awsidentities', '', identity, false],
      ['create', plp, 'awsidentities', '', '', false],
      ['patch', '', 'namespaces', '', other, false],
      ['create', plp, 'publishedapps', other, '', false],
      ['delete', plp, 'endpointservices', other, '', false],
      ['get', plp, 'publishedapps/status', other, '', false],
      ['create', lc, 'leases', other, '', false],
      ['update', lc, 'leases', ns, 'someone-elses', false],
      ['delete', lc, 'leases', ns, lease!, false],
      ['delete', '', 'events', other, '', false],
      ['get', '', 'secrets', ns, '', false],
      ['list', '', 'configmaps', '', '', false],
      ['get', 'apiextensions.k8s.io', 'customresourcedefinitions', '', '', false],
    ];
    const user = `system:serviceaccount:${ns}:${serviceAccount}`;
    const results = await Promise.all(
      cases.map(async ([verb, group, res, namespace, name]) => {
        const [resource, subresource] = res.split('/');
        const review = {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: { user, resourceAttributes: { verb, group, resource, subresource, namespace, name } },
        };
        const out = await ctx.kubectl(['create', '-o', 'json', '-f', '-'], JSON.stringify(review));
        if (out.code !== 0) throw new Error(out.stderr);
        const allowed = (JSON.parse(out.stdout) as { status: { allowed: boolean } }).status.allowed;
        return [verb, group, res, namespace, name, allowed];
      }),
    );
    expect(results).toEqual(cases);
  });

  test("the cluster id defaults to the kube-system namespace's UID, and the notes say so", async () => {
    const uid = await ctx.kubectl(['get', 'namespace', 'kube-system', '-o', 'jsonpath={.metadata.uid}']);
    expect(uid.stdout).toMatch(/^[0-9a-f-]{36}$/);
    expect(container(manifest).args).toContain(`--cluster-id=${uid.stdout}`);
    expect(installOutput).toContain(`publisher.privatelink.dev/cluster=${uid.stdout}`);
  });

  test('the controller, with only this service account, leads, writes status and events, and finalizes', async () => {
    const ns = ctx.namespace;
    const token = await ctx.kubectl(['create', 'token', serviceAccount, '-n', ns, '--duration=1h']);
    expect(token).toMatchObject({ code: 0 });
    const cluster = ctx.kc.getCurrentCluster()!;
    const kubeconfig = path.join(mkdtempSync(path.join(os.tmpdir(), 'plp-sa-')), 'kubeconfig');
    writeFileSync(
      kubeconfig,
      kubeconfigYaml({
        url: cluster.server,
        caData: Buffer.from(cluster.caData!, 'base64').toString(),
        token: token.stdout.trim(),
        user: serviceAccount,
      }),
    );
    const port = await freePort();
    const chartArgs = container(manifest).args.filter((a) => !a.startsWith('--http-address='));
    // Watching only this test's namespace keeps it off other suites' objects; the grant is still
    // the chart's ClusterRole.
    const args = [
      ...chartArgs,
      `--http-address=127.0.0.1:${port}`,
      `--kubeconfig=${kubeconfig}`,
      `--namespaces=${ns}`,
    ];
    const { credentials } = ctx.awsClientConfig;
    const env = {
      HOME: path.dirname(kubeconfig),
      AWS_REGION: ctx.awsClientConfig.region,
      AWS_ENDPOINT_URL: ctx.awsClientConfig.endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken,
    };
    const node24 = path.join(root, 'node_modules/.bin/node');
    const controller = startController(node24, [path.join(root, 'src/main.ts'), ...args], {
      cwd: root,
      env,
      port,
    });
    const lease = chartArgs.find((a) => a.startsWith('--leader-election-id='))!.split('=')[1]!;
    const nlb = `arn:aws:elasticloadbalancing:us-east-1:${ctx.accountId}:loadbalancer/net/missing/0123456789abcdef`;
    const eps = {
      apiVersion: 'publisher.privatelink.dev/v1alpha1',
      kind: 'EndpointService',
      metadata: { name: 'rbac-probe', namespace: ns },
      spec: { aws: { identity }, networkLoadBalancerArns: [nlb] },
    };
    try {
      expect(await controller.waitForHttp200('/readyz', 60_000)).toBe(true);
      const holder = await eventually(async () => {
        const out = await ctx.kubectl([
          'get',
          'lease',
          lease,
          '-n',
          ns,
          '-o',
          'jsonpath={.spec.holderIdentity}',
        ]);
        return out.code === 0 && out.stdout !== '' ? out.stdout : undefined;
      });
      expect(holder).toBeDefined();
      expect(await ctx.kubectl(['apply', '-f', '-'], JSON.stringify(eps))).toMatchObject({ code: 0 });
      const ready = await eventually(async () => {
        const out = await ctx.kubectl([
          'get',
          'endpointservice',
          'rbac-probe',
          '-n',
          ns,
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Ready")].reason}',
        ]);
        return out.stdout === '' ? undefined : out.stdout;
      });
      // The chart's identity granted the namespace, so the controller went to AWS (and found
      // no such NLB): it read the AwsIdentity and the namespace with the chart's RBAC.
      expect(ready).toBe('LoadBalancerNotFound');
      const events = await eventually(async () => {
        const out = await ctx.kubectl([
          'get',
          'events',
          '-n',
          ns,
          '--field-selector',
          'involvedObject.name=rbac-probe',
          '-o',
          'name',
        ]);
        return out.stdout.trim() === '' ? undefined : out.stdout;
      });
      expect(events).toBeDefined();
      const deleted = await ctx.kubectl([
        'delete',
        'endpointservice',
        'rbac-probe',
        '-n',
        ns,
        '--timeout=60s',
      ]);
      expect(deleted).toMatchObject({ code: 0 });
    } finally {
      const code = await controller.stop();
      const output = controller.output();
      // The API server's RBAC answers 403 to anything the chart did not grant.
      expect(output.match(/.*(forbidden|\b403\b).*/gi) ?? []).toEqual([]);
      expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
    }
  });

  test('helm upgrade keeps the cluster id and applies changed values', async () => {
    const before = container(manifest).args.find((a) => a.startsWith('--cluster-id='));
    const args = ['upgrade', release, chartDir, '--namespace', ctx.namespace, '--reuse-values'];
    const out = await helm([...args, '--set', 'replicaCount=3', '--set', 'controller.concurrency=6']);
    expect(out).toMatchObject({ code: 0 });
    const got = await helm(['get', 'manifest', release, '--namespace', ctx.namespace]);
    const docs = parseAllDocuments(got.stdout).map((d) => d.toJS() as Manifest);
    expect(container(docs).args).toEqual(expect.arrayContaining([before, '--concurrency=6']));
    const stored = await ctx.kubectl([
      'get',
      'deployment',
      '-n',
      ctx.namespace,
      '-l',
      `app.kubernetes.io/instance=${release}`,
      '-o',
      'jsonpath={.items[0].spec.replicas}',
    ]);
    expect(stored.stdout).toBe('3');
  });
});

/** Polls `probe` every 500 ms until it returns a value or `timeoutMs` passes (undefined). */
async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
  return undefined;
}

test('the chart ships exactly the CRDs of crds/, byte for byte (run scripts/sync-chart-crds.sh)', () => {
  const list = (dir: string) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
  const top = list(path.join(root, 'crds'));
  expect(top.length).toBeGreaterThan(0);
  expect(list(path.join(chartDir, 'crds'))).toEqual(top);
  for (const file of top) {
    const a = readFileSync(path.join(root, 'crds', file));
    const b = readFileSync(path.join(chartDir, 'crds', file));
    expect({ file, identical: a.equals(b) }).toEqual({ file, identical: true });
  }
});
