/**
 * The contract between the generic controller runtime (src/controller) and the reconcilers
 * (src/reconcilers). The runtime knows nothing about AWS; a reconciler knows nothing about
 * informers, queues or leader election. Modelled on controller-runtime's Reconciler.
 */
import type { Logger } from 'pino';

/** Minimal shape of a namespaced Kubernetes object the runtime handles. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    deletionTimestamp?: Date | string;
    finalizers?: string[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: Date | string;
  };
}

/** `metav1.Condition`. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** What a work-queue item names: one object, by namespace and name. */
export interface ObjectKey {
  namespace: string;
  name: string;
}

/** Returned by a successful reconcile. Absent fields mean "done until something changes". */
export interface ReconcileResult {
  /** Reconcile this key again after this many milliseconds (polling AWS state, etc). */
  requeueAfterMs?: number;
}

/** Per-reconcile context handed to a reconciler by the runtime. */
export interface ReconcileContext {
  /** Child logger bound to the object key; add AWS ids with `log.child({...})`. */
  log: Logger;
  /** Aborted when the controller shuts down; pass it to long waits. */
  signal: AbortSignal;
}

/**
 * A reconciler brings the world in line with one object's spec. It returns normally
 * when done (optionally asking for a requeue), throws a {@link TerminalError} when more
 * retries cannot help until the object or the world changes, and throws anything else
 * to be retried with per-key exponential backoff.
 */
export interface Reconciler {
  reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<ReconcileResult | undefined>;
}

/**
 * An error that retrying will not fix (bad input, access denied, a reference that does not
 * exist). The runtime logs it and does not requeue with backoff; the reconciler is expected
 * to have reported it in a condition already. A later spec change or resync tries again.
 */
export class TerminalError extends Error {
  /** CamelCase condition reason, e.g. `ListenerNotFound`. */
  readonly reason: string;

  constructor(reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TerminalError';
    this.reason = reason;
  }
}

/** Records Kubernetes Events for an object (aggregated by the runtime to avoid floods). */
export interface EventRecorder {
  record(obj: KubeObject, note: EventNote): void;
}

/** One Event's content. */
export interface EventNote {
  type: 'Normal' | 'Warning';
  /** CamelCase, e.g. `ServiceCreated`. */
  reason: string;
  /** What the controller did, e.g. `Create`. */
  action: string;
  message: string;
}

/** Read-only view of an informer's cache. Returned objects must not be mutated. */
export interface ObjectCache<T extends KubeObject> {
  get(key: ObjectKey): T | undefined;
  list(namespace?: string): T[];
}

/** Identifies a custom resource kind for the generic runtime. */
export interface ResourceKind {
  group: string;
  version: string;
  /** Lower-case plural used in URLs, e.g. `publishedapps`. */
  plural: string;
  kind: string;
  /** False for cluster-scoped kinds (watched cluster-wide even when namespaces are restricted). */
  namespaced?: boolean;
}

/**
 * Writes an object's status subresource, but only when the new status differs from the
 * cached one (no write storms, no resourceVersion churn).
 */
export interface StatusWriter {
  /**
   * The freshest status this process knows for `obj`: its own last write until the watch
   * delivers it, else the informer cache's. Build a new status on this, not on a cached copy
   * that may predate our own write (its timestamps would differ and cause a second write).
   */
  latest<T extends KubeObject & { status?: object }>(kind: ResourceKind, obj: T): T['status'];
  /** @returns true when a write was made. */
  update<T extends KubeObject & { status?: object }>(
    kind: ResourceKind,
    obj: T,
    status: NonNullable<T['status']>,
  ): Promise<boolean>;
}

/** Adds/removes finalizers with a patch (no-op when already in the wanted state). */
export interface FinalizerManager {
  /** @returns the object as stored after the change. */
  add<T extends KubeObject>(kind: ResourceKind, obj: T, finalizer: string): Promise<T>;
  remove(kind: ResourceKind, obj: KubeObject, finalizer: string): Promise<void>;
}

/** What the runtime hands to a reconciler factory. */
export interface RuntimeServices {
  events: EventRecorder;
  status: StatusWriter;
  finalizers: FinalizerManager;
  /** Informer-backed cache of a kind the runtime watches (the controller's own or a `watches` kind). */
  cache<T extends KubeObject>(kind: ResourceKind): ObjectCache<T>;
  /** Plans are logged and published as Events; nothing is applied to AWS. */
  dryRun: boolean;
  /** This controller installation's id, used in the `publisher.privatelink.dev/cluster` tag. */
  clusterId: string;
}

/**
 * A source of work that is not a Kubernetes watch (controller-runtime's `source.Channel`):
 * e.g. a loop that polls AWS and enqueues the objects whose world changed. It runs only
 * while this replica leads, from the controller's start until its stop.
 */
export interface EventSource {
  /** Log label. */
  name: string;
  /** Runs until `signal` aborts; `enqueue` puts a primary key ahead of routine resyncs. */
  run(enqueue: (key: ObjectKey) => void, signal: AbortSignal, log: Logger): Promise<void>;
}

/** A controller registration: a primary kind, its reconciler, and secondary watches. */
export interface ControllerDefinition {
  /** Metric/log label, e.g. `publishedapp` (controller-runtime's `controller` label). */
  name: string;
  kind: ResourceKind;
  reconciler: Reconciler;
  /** Other kinds whose changes enqueue keys of the primary kind. */
  watches?: { kind: ResourceKind; map: (obj: KubeObject) => ObjectKey[] }[];
  /** Non-Kubernetes sources of keys. */
  sources?: EventSource[];
}
