/**
 * EventRecorder writing core/v1 Events, aggregated like client-go's EventCorrelator: the same
 * (object, type, reason, action, message) within `windowMs` bumps `count`/`lastTimestamp` of
 * one Event instead of creating another, and those bumps are written at most once per
 * `minPatchIntervalMs`, so a hot loop costs the API server a patch every few seconds at most.
 * Never throws into the caller: failures are logged. A series is forgotten after its window
 * (at the latest one window later), whether or not more events come.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { isStatus, MERGE_PATCH, type KubeClient } from './kube-client.ts';
import { Sweeper } from './sweeper.ts';
import type { EventNote, EventRecorder, KubeObject } from './types.ts';

export interface EventRecorderOptions {
  client: KubeClient;
  log: Logger;
  /** `source.component` / `reportingController`. */
  component: string;
  /** `reportingInstance`, e.g. the pod name. */
  instance: string;
  windowMs?: number;
  minPatchIntervalMs?: number;
}

interface Series {
  namespace: string;
  name: string;
  firstSeen: number;
  firstTimestamp: string;
  count: number;
  written: number;
  lastWrite: number;
  timer: NodeJS.Timeout | undefined;
  inFlight: Promise<void> | undefined;
  body: Record<string, unknown>;
}

const MAX_MESSAGE = 1024;

export class AggregatingEventRecorder implements EventRecorder {
  private readonly series = new Map<string, Series>();
  private readonly windowMs: number;
  private readonly minPatchIntervalMs: number;

  private readonly opts: EventRecorderOptions;
  /** Series past their window go even when no new event comes to prune them. */
  private readonly sweeper: Sweeper;

  constructor(opts: EventRecorderOptions) {
    this.opts = opts;
    this.windowMs = opts.windowMs ?? 10 * 60_000;
    this.minPatchIntervalMs = opts.minPatchIntervalMs ?? 5_000;
    this.sweeper = new Sweeper(this.windowMs, () => {
      this.prune(Date.now());
      return this.series.size;
    });
  }

  /** Series held (an Event each, within its window): `memo_entries{memo="event_series"}`. */
  get seriesCount(): number {
    return this.series.size;
  }

  record(obj: KubeObject, { type, reason, action, message }: EventNote): void {
    const md = obj.metadata ?? {};
    const namespace = md.namespace ?? 'default';
    const msg = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 3)}...` : message;
    const key = [md.uid ?? `${namespace}/${md.name ?? ''}`, type, reason, action, msg].join('\u0000');
    const now = Date.now();
    const existing = this.series.get(key);
    if (existing && now - existing.firstSeen < this.windowMs) {
      existing.count++;
      this.schedule(existing);
      return;
    }
    if (existing) clearTimeout(existing.timer);
    this.prune(now);
    const ts = new Date(now).toISOString();
    const s: Series = {
      namespace,
      name: `${md.name ?? 'object'}.${randomBytes(8).toString('hex')}`,
      firstSeen: now,
      firstTimestamp: ts,
      count: 1,
      written: 0,
      lastWrite: now,
      timer: undefined,
      inFlight: undefined,
      body: {
        involvedObject: {
          apiVersion: obj.apiVersion,
          kind: obj.kind,
          namespace,
          name: md.name,
          uid: md.uid,
          resourceVersion: md.resourceVersion,
        },
        type,
        reason,
        action,
        message: msg,
        source: { component: this.opts.component },
        reportingComponent: this.opts.component,
        reportingInstance: this.opts.instance,
      },
    };
    this.series.set(key, s);
    this.sweeper.poke();
    this.write(s);
  }

  /** Writes pending count bumps now; resolves when all writes have finished. */
  async flush(): Promise<void> {
    for (const s of this.series.values()) {
      if (s.timer !== undefined) {
        clearTimeout(s.timer);
        s.timer = undefined;
        this.write(s);
      }
    }
    const pending: Promise<void>[] = [];
    for (const s of this.series.values()) if (s.inFlight) pending.push(s.inFlight);
    await Promise.all(pending);
  }

  private schedule(s: Series): void {
    if (s.timer !== undefined || s.inFlight !== undefined) return;
    const delay = Math.max(0, s.lastWrite + this.minPatchIntervalMs - Date.now());
    s.timer = setTimeout(() => {
      s.timer = undefined;
      this.write(s);
    }, delay);
    s.timer.unref();
  }

  private write(s: Series): void {
    const count = s.count;
    const lastTimestamp = new Date().toISOString();
    const path = `/api/v1/namespaces/${s.namespace}/events`;
    s.lastWrite = Date.now();
    s.inFlight = (async () => {
      try {
        if (s.written > 0) {
          try {
            await this.opts.client.request('PATCH', `${path}/${s.name}`, {
              body: { count, lastTimestamp },
              contentType: MERGE_PATCH,
            });
          } catch (err) {
            if (!isStatus(err, 404)) throw err;
            s.written = 0; // expired (events have a TTL): start a new one
          }
        }
        if (s.written === 0) {
          await this.opts.client.request('POST', path, {
            body: {
              ...s.body,
              metadata: { name: s.name, namespace: s.namespace },
              count,
              firstTimestamp: s.firstTimestamp,
              lastTimestamp,
            },
          });
        }
        s.written = count;
      } catch (err) {
        this.opts.log.warn({ err: String(err), reason: s.body.reason }, 'could not record event');
        s.count = s.written; // drop what failed rather than retry in a loop
      } finally {
        s.inFlight = undefined;
        if (s.count > s.written) this.schedule(s);
      }
    })();
  }

  private prune(now: number): void {
    for (const [k, s] of this.series) {
      if (now - s.firstSeen >= this.windowMs && s.timer === undefined && s.inFlight === undefined)
        this.series.delete(k);
    }
  }
}
