/**
 * Per-test-file isolation on the shared servers: a fresh namespace and a fresh AWS account.
 * The account's credentials come from STS AssumeRole against moto, exactly how the controller
 * gets credentials for `spec.aws.roleArn` in production — so the controller under test needs
 * no test-only hooks to act in the right account.
 */
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { createControllerIdentity, type AdminKubectl } from './controller-identity.ts';

/** SDK client settings for one test account. */
export interface AwsClientConfig {
  region: string;
  endpoint: string;
  credentials: AwsCredentialIdentity;
}

/** What a test file gets: its own namespace and AWS account on the shared servers. */
export interface TestContext {
  namespace: string;
  accountId: string;
  /** The admin (system:masters): for the test's own setup and assertions. */
  kc: KubeConfig;
  kubeconfigPath: string;
  /**
   * For the controller under test: the chart's ServiceAccount with exactly the chart's
   * ClusterRole (and leader-election Role), installed as a release in this namespace.
   */
  controllerKc: KubeConfig;
  controllerKubeconfigPath: string;
  /** The one Lease the chart grants that identity: use it when the controller leader-elects. */
  controllerLease: { namespace: string; name: string };
  awsClientConfig: AwsClientConfig;
  /** Runs the test environment's kubectl with the admin kubeconfig. */
  kubectl: AdminKubectl;
  /** Credentials for another fresh (or given) account, e.g. a cross-account consumer. */
  otherAccount(accountId?: string): Promise<{ accountId: string; awsClientConfig: AwsClientConfig }>;
  cleanup(): Promise<void>;
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: is this test in the jest "integration" project?`);
  return value;
}

/** A random 12-digit account id that is not moto's default (123456789012). */
export function randomAccountId(): string {
  return String(randomInt(200_000_000_000, 999_999_999_999));
}

/** Temporary credentials that act in `accountId` on the test AWS endpoint. */
export async function accountCredentials(accountId: string): Promise<AwsClientConfig> {
  const endpoint = requireEnv('AWS_ENDPOINT_URL');
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const sts = new STSClient({
    region,
    endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${accountId}:role/plp-test`,
      RoleSessionName: 'plp-test',
    }),
  );
  sts.destroy();
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('STS AssumeRole returned no credentials');
  return {
    region,
    endpoint,
    credentials: {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    },
  };
}

/** Runs kubectl with the given kubeconfig; never throws on a non-zero exit. */
export function runKubectl(
  kubeconfigPath: string,
  args: string[],
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const kubectl = requireEnv('PLP_KUBECTL');
  return new Promise((resolve) => {
    const child = execFile(
      kubectl,
      args,
      { env: { ...process.env, KUBECONFIG: kubeconfigPath }, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

/** Creates a namespace named after `suite` and a fresh AWS account for one test file. */
export async function newTestContext(suite: string): Promise<TestContext> {
  const kubeconfigPath = requireEnv('KUBECONFIG');
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const slug = suite
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  const namespace = `${slug}-${randomInt(0, 36 ** 5)
    .toString(36)
    .padStart(5, '0')}`;
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace, labels: { 'plp-test': slug } } } });
  const kubectl: AdminKubectl = (args, stdin) => runKubectl(kubeconfigPath, args, stdin);
  const accountId = randomAccountId();
  const [awsClientConfig, controller] = await Promise.all([
    accountCredentials(accountId),
    createControllerIdentity({
      adminKc: kc,
      kubectl,
      namespace,
      release: namespace,
      dir: requireEnv('PLP_TEST_WORKDIR'),
    }),
  ]);
  return {
    namespace,
    accountId,
    kc,
    kubeconfigPath,
    controllerKc: controller.kc,
    controllerKubeconfigPath: controller.kubeconfigPath,
    controllerLease: controller.lease,
    awsClientConfig,
    kubectl,
    async otherAccount(id = randomAccountId()) {
      return { accountId: id, awsClientConfig: await accountCredentials(id) };
    },
    async cleanup() {
      await controller.remove();
      await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    },
  };
}
