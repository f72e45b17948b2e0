/**
 * Leader election on a coordination.k8s.io/v1 Lease, after client-go's `leaderelection`:
 * a candidate takes the lease when it is free (no holder) or expired, judged by when *this*
 * process last saw the record change (never by comparing clocks across machines); the leader
 * renews every `retryPeriodMs` and gives up when it could not renew for `renewDeadlineMs`.
 * Writes carry the resourceVersion read, so two candidates can never both win. On graceful
 * stop the leader clears holderIdentity so a standby takes over at its next try.
 */
import type { Logger } from 'pino';
import { sleep } from './informer.ts';
import { isStatus, KubeApiError, type KubeClient } from './kube-client.ts';

export interface LeaderElectionConfig {
  leaseName: string;
  leaseNamespace: string;
  identity: string;
  /** How long a lease is valid after its last renewal as seen by a standby. Default 15s. */
  leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before it gives up. Default 10s. */
  renewDeadlineMs?: number;
  /** Interval between acquire/renew attempts. Default 2s. */
  retryPeriodMs?: number;
}

export interface LeaderElectorOptions extends LeaderElectionConfig {
  client: KubeClient;
  log: Logger;
  onStartedLeading: () => void;
  /** Leadership was lost (not released): the caller must stop reconciling at once. */
  onStoppedLeading: () => void;
  onStatus?: (leading: boolean) => void;
}

interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}

interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

/** `metav1.MicroTime` wire format (RFC 3339 with microseconds). */
export function microTime(d: Date): string {
  return d.toISOString().replace('Z', '000Z');
}

export class LeaderElector {
  private readonly opts: LeaderElectorOptions;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly stopController = new AbortController();
  private loop: Promise<void> | undefined;
  private leading = false;
  private lease: Lease | undefined;
  /** The holder/renewTime last seen, and when this process saw it change. */
  private observed: { record: string; at: number } | undefined;
  private lastContact = 0;

  constructor(opts: LeaderElectorOptions) {
    this.opts = opts;
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    if (this.renewDeadlineMs >= this.leaseDurationMs)
      throw new Error('renewDeadline must be shorter than leaseDuration');
  }

  /** Starts campaigning in the background. */
  start(): void {
    this.opts.onStatus?.(false);
    this.loop ??= this.run();
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** Leading, or a standby that reached the API server within the lease duration. */
  healthy(): boolean {
    return this.leading || Date.now() - this.lastContact < this.leaseDurationMs;
  }

  /** Stops campaigning; a leader releases the lease (holderIdentity cleared). */
  async stop(): Promise<void> {
    this.stopController.abort(new Error('leader election stopped'));
    await this.loop;
    if (this.leading) await this.release();
  }

  private async run(): Promise<void> {
    await this.campaign();
    await this.lead();
  }

  /** Tries to take the lease every retry period (jittered) until it leads or is stopped. */
  private async campaign(): Promise<void> {
    const stop = this.stopController.signal;
    while (!stop.aborted && !this.leading) {
      if (await this.tryAcquireOrRenew()) {
        this.leading = true;
        this.opts.log.info({ lease: this.opts.leaseName, identity: this.opts.identity }, 'became leader');
        this.opts.onStatus?.(true);
        this.opts.onStartedLeading();
        return;
      }
      await sleep(this.retryPeriodMs * (1 + 0.2 * Math.random()), stop);
    }
  }

  /** Renews every retry period; gives up leading when no renewal succeeded for the renew deadline. */
  private async lead(): Promise<void> {
    const stop = this.stopController.signal;
    let lastRenew = Date.now();
    while (!stop.aborted && this.leading) {
      await sleep(this.retryPeriodMs, stop);
      if (this.stopped()) break;
      if (await this.tryAcquireOrRenew()) lastRenew = Date.now();
      else if (Date.now() - lastRenew >= this.renewDeadlineMs) {
        this.leading = false;
        this.opts.log.error(
          { lease: this.opts.leaseName },
          'leadership lost: could not renew the lease in time',
        );
        this.opts.onStatus?.(false);
        this.opts.onStoppedLeading();
      }
    }
  }

  private stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private path(name?: string): string {
    const base = `/apis/coordination.k8s.io/v1/namespaces/${this.opts.leaseNamespace}/leases`;
    return name === undefined ? base : `${base}/${name}`;
  }

  private signal(): AbortSignal {
    return AbortSignal.any([
      this.stopController.signal,
      AbortSignal.timeout(Math.max(1000, this.renewDeadlineMs / 2)),
    ]);
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    try {
      // A leader writes straight from its last copy; a conflict falls back to a fresh read.
      if (this.leading && this.lease && (await this.write(this.lease))) return true;
      const lease = await this.read();
      if (lease === undefined) return await this.create();
      if (this.heldByAnother(lease.spec ?? {})) return false;
      return await this.write(lease);
    } catch (err) {
      if (!this.stopController.signal.aborted)
        this.opts.log.warn({ err: String(err), lease: this.opts.leaseName }, 'lease acquire/renew failed');
      return false;
    }
  }

  /**
   * True while another candidate's lease is valid. Validity is judged like client-go: by when
   * this process last saw the record change, not by the holder's clock.
   */
  private heldByAnother(spec: LeaseSpec): boolean {
    const record = JSON.stringify([spec.holderIdentity, spec.renewTime, spec.leaseDurationSeconds]);
    if (this.observed?.record !== record) this.observed = { record, at: Date.now() };
    const holder = spec.holderIdentity ?? '';
    const durationMs = (spec.leaseDurationSeconds ?? this.leaseDurationMs / 1000) * 1000;
    return holder !== '' && holder !== this.opts.identity && this.observed.at + durationMs > Date.now();
  }

  /** Any answer from the API server, even an error status, proves we can reach it. */
  private async call<R>(method: string, path: string, body?: Lease): Promise<R> {
    try {
      const res = await this.opts.client.request<R>(method, path, { body, signal: this.signal() });
      this.lastContact = Date.now();
      return res;
    } catch (err) {
      if (err instanceof KubeApiError) this.lastContact = Date.now();
      throw err;
    }
  }

  /** @returns the lease, or undefined when it does not exist. */
  private async read(): Promise<Lease | undefined> {
    try {
      return await this.call<Lease>('GET', this.path(this.opts.leaseName));
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  private newSpec(prev: LeaseSpec | undefined): LeaseSpec {
    const now = microTime(new Date());
    const mine = prev?.holderIdentity === this.opts.identity;
    return {
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: mine ? (prev.acquireTime ?? now) : now,
      renewTime: now,
      leaseTransitions: (prev?.leaseTransitions ?? 0) + (mine || prev === undefined ? 0 : 1),
    };
  }

  private async create(): Promise<boolean> {
    const body: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.opts.leaseName, namespace: this.opts.leaseNamespace },
      spec: this.newSpec(undefined),
    };
    try {
      this.lease = await this.call<Lease>('POST', this.path(), body);
      return true;
    } catch (err) {
      if (isStatus(err, 409)) return false; // another candidate created it first
      throw err;
    }
  }

  /** PUT with the read resourceVersion: a concurrent writer makes this fail with 409. */
  private async write(lease: Lease): Promise<boolean> {
    try {
      this.lease = await this.call<Lease>('PUT', this.path(this.opts.leaseName), {
        ...lease,
        spec: this.newSpec(lease.spec),
      });
      return true;
    } catch (err) {
      if (isStatus(err, 409)) return false;
      throw err;
    }
  }

  private async release(): Promise<void> {
    this.leading = false;
    this.opts.onStatus?.(false);
    if (!this.lease) return;
    const now = microTime(new Date());
    try {
      await this.opts.client.request('PUT', this.path(this.opts.leaseName), {
        body: {
          ...this.lease,
          spec: {
            ...this.lease.spec,
            holderIdentity: null,
            leaseDurationSeconds: 1,
            renewTime: now,
            acquireTime: now,
          },
        },
        signal: AbortSignal.timeout(this.renewDeadlineMs),
      });
      this.opts.log.info({ lease: this.opts.leaseName }, 'lease released');
    } catch (err) {
      this.opts.log.warn({ err: String(err) }, 'could not release the lease');
    }
  }
}
