/**
 * Tenants as a cluster gives them: a namespace, and a ServiceAccount bound to the built-in
 * `edit` ClusterRole there and nothing else. What `edit` holds of this API comes from the
 * chart's aggregated user roles (templates/user-roles.yaml) through the real
 * kube-controller-manager's ClusterRole aggregation, so a rule the chart grants too widely
 * shows up here as an attack that works.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { API_GROUP } from '../../../src/api/kinds.ts';
import { writeTokenKubeconfig } from '../../env/control-plane.ts';
import { runKubectl, type TestContext } from '../../env/context.ts';
import { canI } from '../../env/controller-identity.ts';
import { eventually } from '../../env/poll.ts';

const chartDir = path.resolve(import.meta.dirname, '../../../deploy/helm/privatelink-publisher');

/** One tenant: its namespace and kubectl as its `edit`-only ServiceAccount. */
export interface Tenant {
  namespace: string;
  kc: KubeConfig;
  kubectl: (args: string[], stdin?: string) => Promise<{ code: number; stdout: string; stderr: string }>;
}

async function must(ctx: TestContext, args: string[], stdin?: string): Promise<string> {
  const out = await ctx.kubectl(args, stdin);
  if (out.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${out.stderr}`);
  return out.stdout;
}

/**
 * Installs the chart's aggregated user ClusterRoles (release `release`) and waits until
 * aggregation has merged them into `edit`. Returns their removal.
 */
export async function installUserRoles(ctx: TestContext, release: string): Promise<() => Promise<void>> {
  const helm = process.env.PLP_HELM;
  if (!helm) throw new Error('PLP_HELM is not set: is this test in the jest "integration" project?');
  const rendered = await new Promise<string>((resolve, reject) => {
    execFile(
      helm,
      [
        'template',
        release,
        chartDir,
        '--namespace',
        ctx.namespace,
        '--show-only',
        'templates/user-roles.yaml',
      ],
      (err, stdout, stderr) => {
        if (err) reject(new Error(`helm template: ${stderr || err.message}`));
        else resolve(stdout);
      },
    );
  });
  await must(ctx, ['apply', '-f', '-'], rendered);
  await eventually('edit aggregates publishedapps', async () => {
    const edit = JSON.parse(await must(ctx, ['get', 'clusterrole', 'edit', '-o', 'json'])) as {
      rules?: { apiGroups?: string[]; resources?: string[] }[];
    };
    return (edit.rules ?? []).some(
      (r) => r.apiGroups?.includes(API_GROUP) && r.resources?.includes('publishedapps'),
    );
  });
  return async () => {
    await ctx.kubectl(['delete', '--ignore-not-found', '--wait=false', '-f', '-'], rendered);
  };
}

/**
 * Creates namespace `namespace` with `labels`, a ServiceAccount `dev` in it bound to `edit`,
 * and a kubeconfig for that account. Resolves once the authorizer lets it create PublishedApps.
 */
export async function createTenant(
  ctx: TestContext,
  namespace: string,
  labels: Record<string, string>,
): Promise<Tenant> {
  await ctx.kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace, labels } } });
  await must(ctx, ['create', 'serviceaccount', 'dev', '-n', namespace]);
  await must(ctx, [
    'create',
    'rolebinding',
    'dev-edit',
    '-n',
    namespace,
    '--clusterrole=edit',
    `--serviceaccount=${namespace}:dev`,
  ]);
  const token = (await must(ctx, ['create', 'token', 'dev', '-n', namespace, '--duration=2h'])).trim();
  const kubeconfigPath = path.join(process.env.PLP_TEST_WORKDIR ?? '/tmp', `tenant-${namespace}.kubeconfig`);
  const kc = writeTokenKubeconfig(ctx.kc, kubeconfigPath, token, `${namespace}-dev`);
  await eventually('the tenant may create PublishedApps', () =>
    canI(kc, { verb: 'create', group: API_GROUP, resource: 'publishedapps', namespace }),
  );
  return {
    namespace,
    kc,
    kubectl: (args, stdin) => runKubectl(kubeconfigPath, args, stdin),
  };
}
