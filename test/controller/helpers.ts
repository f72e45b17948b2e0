/** Shared pieces of the controller-runtime integration tests: test objects, polling, logs. */
import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import type { ResourceKind } from '../../src/controller/types.ts';

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

/**
 * A minimal valid object of one of the product's kinds, for runtime tests that run under the
 * chart's RBAC (which grants only these kinds). Its AWS references point at nothing: no
 * product reconciler runs in those tests. Test inputs go in `annotations` (the spec has a schema).
 */
export function productObject(
  kind: ResourceKind,
  namespace: string,
  name: string,
  annotations: Record<string, string> = {},
): string {
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
    metadata: { name, namespace, annotations },
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
