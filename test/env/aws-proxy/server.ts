/**
 * The AWS proxy: an HTTP server in front of (extended) moto that, per AWS account, applies
 * AWS's documented throttling buckets, injects faults on demand and records every call.
 * Tests drive it through the returned object; another process (a benchmark, the sandbox)
 * through the control API under `/_proxy/` (see README.md).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AccountBuckets, type BucketName } from './buckets.ts';
import { errorCodeOf, injectedError, throttlingError, type ErrorResponse } from './error-responses.ts';
import { FaultInjector, parseFaultRules, type FaultKind, type FaultPlan, type FaultRule } from './faults.ts';
import { AccountDirectory, operationOf, queryParams, restOperation, signingOf } from './request-info.ts';

/** How a call ended, as the proxy saw it. */
export type CallOutcome = 'ok' | 'error' | 'throttled' | 'fault';

/** One AWS call that went through the proxy. */
export interface RecordedCall {
  /** Arrival, ms since the epoch. */
  time: number;
  account: string;
  region: string;
  /** `ec2`, `elbv2`, `sts`, or the SigV4 signing name of another service. */
  service: string;
  operation: string;
  /** `fault` when an injected fault ended the call; a latency-only fault keeps the real outcome. */
  outcome: CallOutcome;
  /** HTTP status answered (by moto or the proxy); 0 if not forwarded and no response was sent. */
  status: number;
  errorCode?: string;
  /** Arrival to response (or to dropping the connection), including injected delay. */
  latencyMs: number;
  /** The terminal fault injected, else `latency` if only a delay was. */
  fault?: FaultKind;
  /** Injected delay, when a latency fault hit. */
  delayMs?: number;
  /** The exhausted bucket, when throttled by the buckets (not by a fault). */
  bucket?: BucketName;
  /** The SDK's `x-amz-user-agent` (or `user-agent`): tells the controller's calls from a test's own. */
  userAgent?: string;
}

/** Options of {@link startAwsProxy}. */
export interface AwsProxyOptions {
  /** moto's URL, e.g. process.env.AWS_ENDPOINT_URL. */
  upstream: string;
  /** Multiplies every bucket's refill rate (bursts unchanged); default 1 = AWS's real rates. */
  timeScale?: number;
  /** Apply the buckets; default true. */
  throttling?: boolean;
  /** Record calls; default true. */
  record?: boolean;
  /** Seed of the fault PRNG; default 1. */
  seed?: number;
  /** Port to listen on (loopback); default: a free one. */
  port?: number;
}

/** A running proxy. */
export interface AwsProxy {
  /** Point SDK clients' `endpoint` here. */
  url: string;
  timeScale: number;
  /** Replaces the fault rules and restarts the PRNG from `seed` (default: the proxy's seed). */
  setFaults(rules: readonly FaultRule[], seed?: number): void;
  clearFaults(): void;
  /** A copy of the calls recorded so far, in arrival order. */
  calls(): RecordedCall[];
  resetCalls(): void;
  /** Refills every bucket of every account. */
  resetBuckets(): void;
  stop(): Promise<void>;
}

interface UpstreamResponse {
  status: number;
  headers: http.OutgoingHttpHeaders;
  body: Buffer;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'content-length',
]);

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

/** Sends the request to moto unchanged but for Host (moto checks no signatures). */
function forward(
  agent: http.Agent,
  upstream: URL,
  req: http.IncomingMessage,
  body: Buffer,
): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => {
    const out = http.request(
      {
        agent,
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...endToEnd(req.headers), host: upstream.host, 'content-length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 502,
            headers: endToEnd(res.headers),
            body: Buffer.concat(chunks),
          });
        });
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function relay(res: http.ServerResponse, answer: UpstreamResponse): void {
  res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
  res.end(answer.body);
}

function sendXml(res: http.ServerResponse, err: ErrorResponse, requestId: string): void {
  res.writeHead(err.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
  res.end(err.body);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = value === undefined ? '' : JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
}

/** The AWS-facing half of one call, after it has been identified. */
interface Call {
  time: number;
  started: number;
  account: string;
  region: string;
  service: string;
  operation: string;
  params: URLSearchParams;
  plan: FaultPlan;
  userAgent?: string;
}

/** Starts the proxy on a loopback port; resolves once it listens. */
export async function startAwsProxy(options: AwsProxyOptions): Promise<AwsProxy> {
  const upstream = new URL(options.upstream);
  const throttling = options.throttling ?? true;
  const record = options.record ?? true;
  const defaultSeed = options.seed ?? 1;
  const buckets = new AccountBuckets(() => performance.now(), options.timeScale ?? 1);
  const accounts = new AccountDirectory();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let faults = new FaultInjector([], defaultSeed);
  let faultRules: readonly FaultRule[] = [];
  let recorded: RecordedCall[] = [];

  function finish(
    call: Call,
    result: Pick<RecordedCall, 'outcome' | 'status' | 'errorCode' | 'bucket'>,
  ): void {
    if (!record) return;
    const { delayMs, terminal } = call.plan;
    recorded.push({
      time: call.time,
      account: call.account,
      region: call.region,
      service: call.service,
      operation: call.operation,
      ...(call.userAgent !== undefined && { userAgent: call.userAgent }),
      latencyMs: Math.round(performance.now() - call.started),
      ...(terminal ? { fault: terminal } : delayMs > 0 && { fault: 'latency' }),
      ...(delayMs > 0 && { delayMs }),
      ...result,
    });
  }

  function setFaults(rules: readonly FaultRule[], seed = defaultSeed): void {
    faultRules = parseFaultRules(rules);
    faults = new FaultInjector(faultRules, seed);
  }

  /** Faults that answer in place of AWS: the call is not forwarded. */
  function injectInstead(
    call: Call,
    kind: 'throttle' | 'error500' | 'accessDenied' | 'reset',
    res: http.ServerResponse,
  ): void {
    if (kind === 'reset') {
      res.socket?.destroy();
      finish(call, { outcome: 'fault', status: 0 });
      return;
    }
    const requestId = randomUUID();
    const err = injectedError(kind, call, requestId);
    sendXml(res, err, requestId);
    finish(call, { outcome: 'fault', status: err.status, errorCode: err.code });
  }

  async function serveAws(
    call: Call,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: Buffer,
  ): Promise<void> {
    if (call.plan.delayMs > 0) await sleep(call.plan.delayMs);
    const { terminal } = call.plan;
    if (terminal !== undefined && terminal !== 'lostResponse') {
      injectInstead(call, terminal, res);
      return;
    }
    if (throttling) {
      const admission = buckets.admit(`${call.account}/${call.region}`, call.service, call.operation);
      if (!admission.admitted) {
        const requestId = randomUUID();
        const err = throttlingError(call.service, requestId);
        sendXml(res, err, requestId);
        finish(call, {
          outcome: 'throttled',
          status: err.status,
          errorCode: err.code,
          bucket: admission.bucket,
        });
        return;
      }
    }
    await forwardAndAnswer(call, req, res, body);
  }

  /** Forwards to moto and relays the answer, or drops it for a `lostResponse` fault. */
  async function forwardAndAnswer(
    call: Call,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: Buffer,
  ): Promise<void> {
    let answer: UpstreamResponse;
    try {
      answer = await forward(agent, upstream, req, body);
    } catch (err) {
      finish(call, { outcome: 'error', status: 502, errorCode: 'ProxyUpstreamError' });
      throw err;
    }
    const text = answer.body.toString('utf8');
    const errorCode = answer.status >= 400 ? errorCodeOf(text) : undefined;
    if (call.service === 'sts' && call.operation === 'AssumeRole' && answer.status === 200) {
      accounts.observeAssumeRole(call.params, text);
    }
    const result = { status: answer.status, ...(errorCode && { errorCode }) };
    if (call.plan.terminal === 'lostResponse') {
      // moto has acted; the client never learns the outcome.
      res.socket?.destroy();
      finish(call, { outcome: 'fault', ...result });
      return;
    }
    relay(res, answer);
    finish(call, { outcome: answer.status >= 400 ? 'error' : 'ok', ...result });
  }

  function serveControl(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: Buffer,
    path: string,
  ): void {
    const input = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    switch (`${req.method ?? 'GET'} ${path}`) {
      case 'GET /_proxy/calls':
        sendJson(res, 200, recorded);
        return;
      case 'GET /_proxy/status':
        sendJson(res, 200, {
          upstream: upstream.href,
          timeScale: buckets.timeScale,
          throttling,
          record,
          faults: faultRules,
          calls: recorded.length,
        });
        return;
      case 'POST /_proxy/faults':
        setFaults(
          parseFaultRules(input.rules ?? []),
          typeof input.seed === 'number' ? input.seed : undefined,
        );
        sendJson(res, 204, undefined);
        return;
      case 'POST /_proxy/reset':
        recorded = [];
        if (input.buckets === true) buckets.reset();
        sendJson(res, 204, undefined);
        return;
      default:
        sendJson(res, 404, { message: `no such control endpoint: ${req.method ?? 'GET'} ${path}` });
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const time = Date.now();
    const started = performance.now();
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://proxy');
    if (url.pathname.startsWith('/_proxy/')) {
      serveControl(req, res, body, url.pathname);
      return;
    }
    const signing = signingOf(req.headers.authorization, url.searchParams);
    if (!signing) {
      // Not an AWS call (moto's own API): pass through, unrecorded.
      relay(res, await forward(agent, upstream, req, body));
      return;
    }
    const params = queryParams(body.toString('utf8'), req.headers['content-type'], url.searchParams);
    const operation =
      operationOf(params, req.headers['x-amz-target']) ||
      restOperation(signing.service, req.method ?? 'GET', url.pathname);
    const headerAccount = req.headers['x-moto-account-id'];
    const account = accounts.resolve(
      typeof headerAccount === 'string' ? headerAccount : undefined,
      signing.accessKeyId,
    );
    const key = { service: signing.service, operation, account };
    const agentHeader = req.headers['x-amz-user-agent'] ?? req.headers['user-agent'];
    const userAgent = typeof agentHeader === 'string' ? agentHeader : undefined;
    const call = { time, started, ...key, region: signing.region, params, plan: faults.plan(key), userAgent };
    await serveAws(call, req, res, body);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      const status = err instanceof TypeError || err instanceof SyntaxError ? 400 : 502;
      sendJson(res, status, { message: err instanceof Error ? err.message : String(err) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    timeScale: buckets.timeScale,
    setFaults,
    clearFaults: () => {
      setFaults([]);
    },
    calls: () => [...recorded],
    resetCalls: () => {
      recorded = [];
    },
    resetBuckets: () => {
      buckets.reset();
    },
    async stop() {
      const closed = new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}
