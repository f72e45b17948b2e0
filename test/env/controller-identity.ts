/**
 * The identity the controller under test talks to the API server as: the chart's own
 * ServiceAccount and RBAC (templates/serviceaccount.yaml + templates/rbac.yaml, rendered by
 * helm with the default, cluster-wide values), never the admin. A permission the chart forgets
 * is then a 403 in the tests, not in a user's cluster.
 *
 * One identity per test namespace, installed as a release of that namespace: the chart grants
 * the Lease in the release namespace only, so each suite can lead on its own Lease without
 * contending with the others.
 */
import { mkdirSync } from 'node:fs';
import { execFile } from 'node:child_process';
import path from 'node:path';
import {
  AuthorizationV1Api,
  KubeConfig,
  type V1ClusterRoleBinding,
  type V1ResourceAttributes,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { API_GROUP } from '../../src/api/kinds.ts';
import { writeTokenKubeconfig } from './control-plane.ts';
import { eventually } from './poll.ts';

const chartDir = path.resolve(import.meta.dirname, '../../deploy/helm/privatelink-publisher');

/** Runs kubectl as the admin; resolves with its exit code and output. */
export type AdminKubectl = (
  args: string[],
  stdin?: string,
) => Promise<{ code: number; stdout: string; stderr: string }>;

/** The chart's identity for one release. */
export interface ControllerIdentity {
  kc: KubeConfig;
  /** The same identity as a kubeconfig file, for controller processes (`--kubeconfig`). */
  kubeconfigPath: string;
  /** The one Lease the chart lets the controller hold (its leader-election Role). */
  lease: { namespace: string; name: string };
  /** Deletes what the chart created (the cluster-scoped objects outlive the namespace). */
  remove(): Promise<void>;
}

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: { resources: string[]; resourceNames?: string[] }[];
}

/** Whether the API server lets `kc`'s user do this (a SelfSubjectAccessReview). */
export async function canI(kc: KubeConfig, attributes: V1ResourceAttributes): Promise<boolean> {
  const review = await kc
    .makeApiClient(AuthorizationV1Api)
    .createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: attributes } } });
  return review.status?.allowed === true;
}

/**
 * The ClusterRoleBindings naming the ServiceAccount of `identity` (a kubeconfig written by
 * {@link createControllerIdentity}, whose user is named after the ServiceAccount) in `namespace`.
 */
export async function clusterRoleBindingsOf(
  kubectl: AdminKubectl,
  identity: KubeConfig,
  namespace: string,
): Promise<V1ClusterRoleBinding[]> {
  const all = JSON.parse(await mustKubectl(kubectl, ['get', 'clusterrolebinding', '-o', 'json'])) as {
    items: V1ClusterRoleBinding[];
  };
  const serviceAccount = identity.getCurrentUser()?.name;
  return all.items.filter((b) =>
    b.subjects?.some(
      (s) => s.kind === 'ServiceAccount' && s.namespace === namespace && s.name === serviceAccount,
    ),
  );
}

/** `helm template` of the chart's ServiceAccount and RBAC for `release` in `namespace`. */
function renderRbac(release: string, namespace: string): Promise<string> {
  const helm = process.env.PLP_HELM;
  if (!helm) throw new Error('PLP_HELM is not set: is this test in the jest "integration" project?');
  const args = ['template', release, chartDir, '--namespace', namespace];
  const only = ['templates/serviceaccount.yaml', 'templates/rbac.yaml'].flatMap((t) => ['--show-only', t]);
  return new Promise((resolve, reject) => {
    execFile(helm, [...args, ...only], (err, stdout, stderr) => {
      if (err) reject(new Error(`helm template: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/** Throws with kubectl's stderr unless it exited 0. */
async function mustKubectl(kubectl: AdminKubectl, args: string[], stdin?: string): Promise<string> {
  const out = await kubectl(args, stdin);
  if (out.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${out.stderr}`);
  return out.stdout;
}

/**
 * Installs the chart's ServiceAccount and RBAC as release `release` of `namespace` (which must
 * exist), mints a token for the ServiceAccount and writes a kubeconfig for it into `dir`.
 * Resolves once the API server's authorizer has the grants (RBAC caches lag the write).
 */
export async function createControllerIdentity(opts: {
  adminKc: KubeConfig;
  kubectl: AdminKubectl;
  namespace: string;
  release: string;
  dir: string;
}): Promise<ControllerIdentity> {
  const { adminKc, kubectl, namespace, release } = opts;
  const rendered = await renderRbac(release, namespace);
  const docs = parseAllDocuments(rendered)
    .map((d) => d.toJS() as Manifest | null)
    .filter((d): d is Manifest => d !== null);
  const serviceAccount = docs.find((d) => d.kind === 'ServiceAccount')?.metadata.name;
  const leaseName = docs
    .filter((d) => d.kind === 'Role')
    .flatMap((d) => d.rules ?? [])
    .find((r) => r.resources.includes('leases') && r.resourceNames)?.resourceNames?.[0];
  if (!serviceAccount || !leaseName)
    throw new Error(`chart rendered no ServiceAccount or Lease:\n${rendered}`);

  await mustKubectl(kubectl, ['apply', '-f', '-'], rendered);
  const token = (
    await mustKubectl(kubectl, ['create', 'token', serviceAccount, '-n', namespace, '--duration=8760h'])
  ).trim();
  mkdirSync(opts.dir, { recursive: true });
  const kubeconfigPath = path.join(opts.dir, `controller-${namespace}.kubeconfig`);
  const kc = writeTokenKubeconfig(adminKc, kubeconfigPath, token, serviceAccount);

  await eventually(
    'the chart RBAC in effect',
    async () =>
      (await canI(kc, { verb: 'watch', group: API_GROUP, resource: 'publishedapps' })) &&
      (await canI(kc, {
        verb: 'update',
        group: 'coordination.k8s.io',
        resource: 'leases',
        namespace,
        name: leaseName,
      })),
  );

  return {
    kc,
    kubeconfigPath,
    lease: { namespace, name: leaseName },
    async remove() {
      await kubectl(['delete', '--ignore-not-found', '--wait=false', '-f', '-'], rendered);
    },
  };
}
