/**
 * The control API (`/_proxy/…`) from another process: what a benchmark or the sandbox uses
 * to drive a proxy it did not start.
 */
import type { FaultRule } from './faults.ts';
import type { RecordedCall } from './server.ts';

/** What `GET /_proxy/status` reports. */
export interface ProxyStatus {
  upstream: string;
  timeScale: number;
  throttling: boolean;
  record: boolean;
  faults: FaultRule[];
  calls: number;
}

/** A remote proxy's controls. */
export interface ProxyControl {
  status(): Promise<ProxyStatus>;
  calls(): Promise<RecordedCall[]>;
  setFaults(rules: readonly FaultRule[], seed?: number): Promise<void>;
  clearFaults(): Promise<void>;
  /** Forgets the recorded calls; with `buckets`, also refills every bucket. */
  reset(opts?: { buckets?: boolean }): Promise<void>;
}

async function call(url: string, method: 'GET' | 'POST', body?: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method,
    ...(body !== undefined && {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: HTTP ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Controls for the proxy at `proxyUrl` (its `url`). */
export function proxyControl(proxyUrl: string): ProxyControl {
  const base = `${proxyUrl.replace(/\/$/, '')}/_proxy`;
  return {
    status: async () => (await call(`${base}/status`, 'GET')) as ProxyStatus,
    calls: async () => (await call(`${base}/calls`, 'GET')) as RecordedCall[],
    async setFaults(rules, seed) {
      await call(`${base}/faults`, 'POST', { rules, ...(seed !== undefined && { seed }) });
    },
    async clearFaults() {
      await call(`${base}/faults`, 'POST', { rules: [] });
    },
    async reset(opts = {}) {
      await call(`${base}/reset`, 'POST', opts);
    },
  };
}
