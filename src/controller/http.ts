/** The health/readiness/metrics HTTP endpoint. */
import http from 'node:http';
import type { Registry } from 'prom-client';

export interface HealthServerOptions {
  /** `host:port`; an empty host (`:8080`) listens on all interfaces; port 0 picks a free port. */
  address: string;
  registry: Registry;
  /** Readiness check; a string explains why not ready. */
  ready: () => true | string;
}

/** Splits `host:port` (host optional, IPv6 in brackets). */
export function parseAddress(address: string): { host: string | undefined; port: number } {
  const m = /^(?:\[?([^\]]*?)\]?)?:(\d+)$/.exec(address);
  if (!m) throw new Error(`invalid address ${JSON.stringify(address)}: want host:port or :port`);
  const port = Number(m[2]);
  if (port > 65535) throw new Error(`invalid port in ${address}`);
  return { host: m[1] === '' ? undefined : m[1], port };
}

/** Serves /healthz, /readyz and /metrics. */
export class HealthServer {
  private readonly server: http.Server;
  private readonly opts: HealthServerOptions;

  constructor(opts: HealthServerOptions) {
    this.opts = opts;
    this.server = http.createServer((req, res) => {
      void this.handle(req, res);
    });
  }

  async listen(): Promise<void> {
    const { host, port } = parseAddress(this.opts.address);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  port(): number | undefined {
    const addr = this.server.address();
    return addr && typeof addr === 'object' ? addr.port : undefined;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (path === '/healthz' || path === '/livez') {
        send(res, 200, 'ok');
      } else if (path === '/readyz') {
        const ready = this.opts.ready();
        send(res, ready === true ? 200 : 503, ready === true ? 'ok' : ready);
      } else if (path === '/metrics') {
        const body = await this.opts.registry.metrics();
        res.writeHead(200, { 'Content-Type': this.opts.registry.contentType });
        res.end(body);
      } else {
        send(res, 404, 'not found');
      }
    } catch (err) {
      send(res, 500, String(err));
    }
  }
}

function send(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}
