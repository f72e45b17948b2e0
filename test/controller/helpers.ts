/** Shared pieces of the controller-runtime integration tests: a throwaway CRD, polling, logs. */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import type { ResourceKind } from '../../src/controller/types.ts';

/** A tiny namespaced kind with a status subresource and free-form spec/status. */
export function widgetKind(group: string): ResourceKind {
  return { group, version: 'v1', plural: 'widgets', kind: 'Widget' };
}

/** A group name unique to this test run, so CRDs of concurrent test files never collide. */
export function uniqueGroup(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}.test.plp.dev`;
}

export function widgetCrdYaml(group: string): string {
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.${group}
spec:
  group: ${group}
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget, listKind: WidgetList }
  versions:
    - name: v1
      served: true
      storage: true
      subresources: { status: {} }
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: { type: object, x-kubernetes-preserve-unknown-fields: true }
            status: { type: object, x-kubernetes-preserve-unknown-fields: true }
`;
}

/** Runs kubectl; rejects with its stderr on a non-zero exit. */
export function kubectl(kubeconfigPath: string, args: string[], stdin?: string): Promise<string> {
  const bin = process.env.PLP_KUBECTL;
  if (!bin) throw new Error('PLP_KUBECTL is not set: run in the jest "integration" project');
  return new Promise((resolve, reject) => {
    const child = execFile(
      bin,
      args,
      { env: { ...process.env, KUBECONFIG: kubeconfigPath } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`kubectl ${args.join(' ')}: ${stderr || err.message}`));
        else resolve(stdout);
      },
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

/** Creates the Widget CRD in `group` and waits until it is served. */
export async function installWidgetCrd(kubeconfigPath: string, group: string): Promise<ResourceKind> {
  await kubectl(kubeconfigPath, ['apply', '-f', '-'], widgetCrdYaml(group));
  await kubectl(kubeconfigPath, [
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    `crd/widgets.${group}`,
  ]);
  return widgetKind(group);
}

export async function deleteWidgetCrd(kubeconfigPath: string, group: string): Promise<void> {
  await kubectl(kubeconfigPath, ['delete', 'crd', `widgets.${group}`, '--wait=false', '--ignore-not-found']);
}

/** A Widget manifest. */
export function widget(
  group: string,
  namespace: string,
  name: string,
  spec: Record<string, unknown> = {},
): string {
  return JSON.stringify({ apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name, namespace }, spec });
}

/**
 * A minimal valid object of one of the product's kinds, for runtime tests that run under the
 * chart's RBAC (which grants only these kinds). Its AWS references point at nothing: no
 * product reconciler runs in those tests.
 */
export function productObject(kind: ResourceKind, namespace: string, name: string): string {
  const account = '210987654321';
  const spec =
    kind.kind === 'EndpointService'
      ? {
          networkLoadBalancerArns: [
            `arn:aws:elasticloadbalancing:us-east-1:${account}:loadbalancer/net/none/0123456789abcdef`,
          ],
        }
      : {
          service: { serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0' },
          endpoint: { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'] },
          listenerArn: `arn:aws:elasticloadbalancing:us-east-1:${account}:listener/app/none/0123456789abcdef/0123456789abcdef`,
          routing: { pathPatterns: ['/none'] },
          target: { port: 80 },
        };
  return JSON.stringify({
    apiVersion: `${kind.group}/${kind.version}`,
    kind: kind.kind,
    metadata: { name, namespace },
    spec,
  });
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A debug-level logger writing to a file in the test work dir (jest output stays readable). */
export function testLogger(name: string): Logger {
  const dir = process.env.PLP_TEST_WORKDIR ?? '/tmp';
  return pino({ level: 'debug' }, pino.destination({ dest: path.join(dir, `${name}.log`), sync: true }));
}

/** GETs a URL on the manager's HTTP server. */
export async function httpGet(port: number, urlPath: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${urlPath}`);
  return { status: res.status, body: await res.text() };
}

/** A TCP proxy whose current connections can be frozen: bytes stop flowing, nothing closes. */
export class FreezableProxy {
  private readonly server: net.Server;
  private readonly pairs: [net.Socket, net.Socket][] = [];
  private readonly frozen: [net.Socket, net.Socket][] = [];
  port = 0;

  constructor(targetPort: number) {
    this.server = net.createServer((client) => {
      const upstream = net.connect(targetPort, '127.0.0.1');
      client.pipe(upstream);
      upstream.pipe(client);
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop);
      upstream.on('error', drop);
      this.pairs.push([client, upstream]);
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** Stops forwarding on every open connection (they stay open). New connections work. */
  freeze(): number {
    const pairs = this.pairs.splice(0);
    this.frozen.push(...pairs);
    for (const [client, upstream] of pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
    return pairs.length;
  }

  /** Stops listening and cuts every connection (frozen ones too). */
  close(): void {
    this.server.close();
    for (const [c, u] of [...this.pairs, ...this.frozen]) {
      c.destroy();
      u.destroy();
    }
  }
}
