/**
 * A small JSON REST client for the Kubernetes API over node:https, using KubeConfig only for
 * TLS and credentials. The runtime needs full control over watch streams (status codes,
 * bookmarks, a watchdog that aborts silent connections) and over patch content types, which
 * the generated clients hide; objects stay plain JSON (timestamps are strings).
 */
import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject, ResourceKind } from './types.ts';

/** A non-2xx answer from the API server, with the `Status` object's reason when given. */
export class KubeApiError extends Error {
  readonly status: number;
  /** The `Status` object's reason, e.g. `Conflict`, `NotFound`; empty when the body had none. */
  readonly reason: string;

  constructor(status: number, reason: string, message: string) {
    super(message);
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = reason;
  }
}

/** @returns true when `err` is an API error with this HTTP status. */
export function isStatus(err: unknown, status: number): boolean {
  return err instanceof KubeApiError && err.status === status;
}

/** One line of a watch stream. */
export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** A list response. */
export interface ObjectList<T> {
  metadata: { resourceVersion: string; continue?: string };
  items: T[];
}

type Query = Record<string, string | number | boolean | undefined>;

/** Content types for PATCH. */
export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';

/** Collection path of a namespaced resource kind (all namespaces when `namespace` is undefined). */
export function collectionPath(kind: ResourceKind, namespace?: string): string {
  const root = kind.group === '' ? `/api/${kind.version}` : `/apis/${kind.group}/${kind.version}`;
  return namespace === undefined
    ? `${root}/${kind.plural}`
    : `${root}/namespaces/${namespace}/${kind.plural}`;
}

/** Path of one namespaced object. */
export function objectPath(kind: ResourceKind, namespace: string, name: string): string {
  return `${collectionPath(kind, namespace)}/${encodeURIComponent(name)}`;
}

/** Minimal Kubernetes API client: JSON requests and line-delimited watch streams. */
export class KubeClient {
  private readonly kc: KubeConfig;
  private agent: https.Agent | undefined;

  constructor(kc: KubeConfig) {
    this.kc = kc;
  }

  /**
   * Sends one request and parses the JSON answer.
   * @throws KubeApiError on a non-2xx status; network errors as they come.
   */
  async request<T>(
    method: string,
    path: string,
    opts: { body?: unknown; contentType?: string; query?: Query; signal?: AbortSignal } = {},
  ): Promise<T> {
    const res = await this.open(method, path, opts);
    const text = await readAll(res);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw apiError(status, text);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /**
   * Opens a watch and calls `onEvent` per event until the server closes the stream (resolves)
   * or the connection fails or `signal` aborts (rejects).
   * @throws KubeApiError when the server refuses the watch (e.g. 410 Gone for an old resourceVersion).
   */
  async watch<T>(
    path: string,
    query: Query,
    onEvent: (ev: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const res = await this.open('GET', path, { query: { ...query, watch: true }, signal });
    const status = res.statusCode ?? 0;
    if (status !== 200) throw apiError(status, await readAll(res));
    await new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: res, crlfDelay: Infinity });
      lines.on('line', (line) => {
        if (line.trim() === '') return;
        let ev: WatchEvent<T>;
        try {
          ev = JSON.parse(line) as WatchEvent<T>;
        } catch {
          return; // a line cut short by a dropped connection; the stream ends next
        }
        onEvent(ev);
      });
      res.on('error', reject);
      // readline re-emits its input's errors (e.g. `aborted` when we cut a watch): must be handled.
      lines.on('error', reject);
      res.on('aborted', () => {
        reject(new Error('watch aborted'));
      });
      lines.on('close', () => {
        if (signal.aborted) reject(signal.reason as Error);
        else resolve();
      });
    });
  }

  /** Closes idle keep-alive connections (after everything using this client has stopped). */
  destroy(): void {
    this.agent?.destroy();
  }

  /**
   * KubeConfig hands out a plain agent without keep-alive: a TLS handshake per request. Reuse
   * its TLS options in one keep-alive agent (leases renew every 2s, status writes, events).
   * Proxy agents (kubeconfig proxy-url) are left alone.
   */
  private keepAlive(agent: https.RequestOptions['agent']): https.RequestOptions['agent'] {
    if (!(agent instanceof https.Agent) || agent.constructor !== https.Agent) return agent;
    this.agent ??= new https.Agent({ ...agent.options, keepAlive: true });
    return this.agent;
  }

  private async open(
    method: string,
    path: string,
    opts: { body?: unknown; contentType?: string; query?: Query; signal?: AbortSignal },
  ): Promise<http.IncomingMessage> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const url = new URL(cluster.server.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(opts.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const reqOpts: https.RequestOptions = { method, headers: {} };
    await this.kc.applyToHTTPSOptions(reqOpts);
    reqOpts.agent = this.keepAlive(reqOpts.agent);
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    reqOpts.headers = {
      ...(reqOpts.headers as http.OutgoingHttpHeaders),
      Accept: 'application/json',
      ...(body === undefined
        ? {}
        : {
            'Content-Type': opts.contentType ?? 'application/json',
            'Content-Length': Buffer.byteLength(body),
          }),
    };
    if (opts.signal) reqOpts.signal = opts.signal;
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, reqOpts, resolve);
      req.on('error', reject);
      req.end(body);
    });
  }
}

async function readAll(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function apiError(status: number, text: string): KubeApiError {
  let reason = '';
  let message = text.slice(0, 500);
  try {
    const s = JSON.parse(text) as { reason?: string; message?: string };
    reason = s.reason ?? '';
    message = s.message ?? message;
  } catch {
    // not a Status object; keep the raw text
  }
  return new KubeApiError(status, reason, `HTTP ${status}${reason ? ` ${reason}` : ''}: ${message}`);
}

/** `namespace/name` of an object, the work-queue key format. */
export function keyOf(obj: KubeObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}
