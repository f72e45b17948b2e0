/**
 * A real etcd + kube-apiserver on free loopback ports, the way controller-runtime's envtest
 * starts them: token auth for an admin in system:masters, RBAC on, a service-account signing
 * key so TokenRequest works (the RBAC tests run the controller as a ServiceAccount). Plus a
 * kube-controller-manager running only ClusterRole aggregation, so the built-in
 * `admin`/`edit`/`view` roles take in `aggregate-to-*` labelled roles as in a real cluster.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { freePort, startProcess, waitFor, type ManagedProcess } from './processes.ts';

const execFileAsync = promisify(execFile);

/** Options for {@link startControlPlane}. */
export interface ControlPlaneOptions {
  /** Directory holding etcd, kube-apiserver, kube-controller-manager and kubectl (KUBEBUILDER_ASSETS). */
  assetsDir: string;
  /** Scratch directory for data, certs, logs and the kubeconfig; created if missing. */
  workDir: string;
  /** Process whose death kills the servers (default: this process). */
  watchPid?: number;
}

/** A running control plane. */
export interface ControlPlane {
  url: string;
  /** Kubeconfig for an admin (system:masters) user. */
  kubeconfigPath: string;
  adminToken: string;
  kubectlPath: string;
  /** CA bundle that verifies the API server's serving certificate. */
  caData: string;
  /** Stops kube-apiserver only (etcd keeps the data), for restart tests. */
  stopApiServer(): Promise<void>;
  /** Starts kube-apiserver again on the same port with the same data. */
  startApiServer(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts etcd, kube-apiserver and kube-controller-manager (ClusterRole aggregation only);
 * resolves once the API server is ready and aggregation has filled in the built-in `edit`.
 */
export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const { assetsDir, workDir } = opts;
  mkdirSync(workDir, { recursive: true });
  const certDir = path.join(workDir, 'certs');
  mkdirSync(certDir, { recursive: true });

  const etcdPort = await freePort();
  const etcdPeerPort = await freePort();
  const etcd = startProcess(
    'etcd',
    path.join(assetsDir, 'etcd'),
    [
      `--data-dir=${path.join(workDir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeerPort}`,
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ],
    { logFile: path.join(workDir, 'etcd.log'), watchPid: opts.watchPid },
  );
  await waitFor(
    'etcd /health',
    async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok,
    60_000,
    etcd,
  );

  // Service-account signing key: RSA keypair in PEM, no openssl needed.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const saKey = path.join(certDir, 'sa.key');
  const saPub = path.join(certDir, 'sa.pub');
  writeFileSync(saKey, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(saPub, publicKey.export({ type: 'spki', format: 'pem' }));
  const adminToken = randomBytes(24).toString('hex');
  const tokenFile = path.join(certDir, 'tokens.csv');
  writeFileSync(tokenFile, `${adminToken},admin,admin-uid,"system:masters"\n`);

  const apiPort = await freePort();
  const url = `https://127.0.0.1:${apiPort}`;
  const apiArgs = [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    `--cert-dir=${certDir}`,
    `--secure-port=${apiPort}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    '--service-cluster-ip-range=10.0.0.0/24',
    '--authorization-mode=RBAC',
    `--token-auth-file=${tokenFile}`,
    `--service-account-key-file=${saPub}`,
    `--service-account-signing-key-file=${saKey}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    '--allow-privileged=true',
    '--enable-priority-and-fairness=false',
    '--v=1',
  ];
  let apiServer: ManagedProcess | undefined;
  let caData = '';

  const readyz = (): Promise<boolean> =>
    new Promise((resolve) => {
      const req = https.get(
        `${url}/readyz`,
        { headers: { Authorization: `Bearer ${adminToken}` }, rejectUnauthorized: false, timeout: 2000 },
        (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        },
      );
      req.on('error', () => {
        resolve(false);
      });
      req.on('timeout', () => req.destroy());
    });

  const startApiServer = async (): Promise<void> => {
    apiServer = startProcess('kube-apiserver', path.join(assetsDir, 'kube-apiserver'), apiArgs, {
      logFile: path.join(workDir, 'kube-apiserver.log'),
      watchPid: opts.watchPid,
    });
    await waitFor('kube-apiserver /readyz', readyz, 120_000, apiServer);
    // The self-signed serving cert is written on first start; it is its own CA.
    caData = readFileSync(path.join(certDir, 'apiserver.crt'), 'utf8');
  };
  await startApiServer();

  const kubeconfigPath = path.join(workDir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigYaml({ url, caData, token: adminToken, user: 'admin' }));

  // Only ClusterRole aggregation: what makes the chart's aggregate-to-edit roles part of the
  // built-in `edit` a tenant is bound to. Nothing else of a controller manager is wanted here.
  const kcmPort = await freePort();
  const controllerManager = startProcess(
    'kube-controller-manager',
    path.join(assetsDir, 'kube-controller-manager'),
    [
      `--kubeconfig=${kubeconfigPath}`,
      // v1.36's canonical name (`clusterrole-aggregation` is its alias); no other controller.
      '--controllers=clusterrole-aggregation-controller',
      '--leader-elect=false',
      '--use-service-account-credentials=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${kcmPort}`,
      `--cert-dir=${path.join(certDir, 'kcm')}`,
      '--v=1',
    ],
    { logFile: path.join(workDir, 'kube-controller-manager.log'), watchPid: opts.watchPid },
  );
  await waitFor(
    'kube-controller-manager /healthz',
    async () => (await httpsGet(`https://127.0.0.1:${kcmPort}/healthz`)).status === 200,
    60_000,
    controllerManager,
  );
  // /healthz is up before the controller's informers sync. The bootstrap `edit` has only an
  // aggregationRule and no rules of its own, so rules in it prove aggregation has run.
  await waitFor(
    'ClusterRole edit to be aggregated',
    async () => {
      const res = await httpsGet(`${url}/apis/rbac.authorization.k8s.io/v1/clusterroles/edit`, {
        token: adminToken,
        ca: caData,
      });
      return res.status === 200 && ((JSON.parse(res.body) as { rules?: unknown[] }).rules ?? []).length > 0;
    },
    60_000,
    controllerManager,
  );

  return {
    url,
    kubeconfigPath,
    adminToken,
    kubectlPath: path.join(assetsDir, 'kubectl'),
    get caData() {
      return caData;
    },
    stopApiServer: async () => {
      await apiServer?.stop();
    },
    startApiServer,
    async stop() {
      await controllerManager.stop();
      await apiServer?.stop();
      await etcd.stop();
      rmSync(path.join(workDir, 'etcd'), { recursive: true, force: true });
    },
  };
}

/**
 * GET over HTTPS, optionally with a bearer token; without `ca` the server's certificate is not
 * verified (self-signed health endpoints). Never rejects: a connection failure is status 0.
 */
function httpsGet(
  url: string,
  opts: { token?: string; ca?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = https.get(
      url,
      {
        headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {},
        ...(opts.ca ? { ca: opts.ca } : { rejectUnauthorized: false }),
        timeout: 2000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', () => {
          resolve({ status: 0, body: '' });
        });
      },
    );
    req.on('error', () => {
      resolve({ status: 0, body: '' });
    });
    req.on('timeout', () => req.destroy());
  });
}

/** A single-context kubeconfig for a bearer-token user. */
export function kubeconfigYaml(o: {
  url: string;
  caData: string;
  token: string;
  user: string;
  namespace?: string;
}): string {
  const ca = Buffer.from(o.caData).toString('base64');
  return `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: ${o.url}
    certificate-authority-data: ${ca}
users:
- name: ${o.user}
  user:
    token: ${o.token}
contexts:
- name: test
  context:
    cluster: test
    user: ${o.user}${o.namespace ? `\n    namespace: ${o.namespace}` : ''}
current-context: test
`;
}

/** Applies every CRD in `crdDir` and waits until all are Established. */
export async function installCrds(kubectl: string, kubeconfigPath: string, crdDir: string): Promise<void> {
  const env = { ...process.env, KUBECONFIG: kubeconfigPath };
  if (!existsSync(crdDir) || !readdirSync(crdDir).some((f) => f.endsWith('.yaml'))) return;
  await execFileAsync(kubectl, ['apply', '--server-side', '-f', crdDir], { env });
  await execFileAsync(kubectl, ['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all'], {
    env,
  });
}

/**
 * Writes a kubeconfig at `file` for a bearer-token `user` of the admin's cluster (same server
 * and CA), so a test acts as that user under the real RBAC.
 * @returns it, loaded.
 */
export function writeTokenKubeconfig(
  admin: KubeConfig,
  file: string,
  token: string,
  user: string,
): KubeConfig {
  const cluster = admin.getCurrentCluster();
  if (!cluster?.caData) throw new Error('the admin kubeconfig has no cluster CA');
  const caData = Buffer.from(cluster.caData, 'base64').toString();
  writeFileSync(file, kubeconfigYaml({ url: cluster.server, caData, token, user }));
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return kc;
}
