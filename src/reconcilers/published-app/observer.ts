/**
 * The observation loop: per scope (account + region), all owned endpoints are described
 * every period (one paged call — ENI and state changes show here first), owned SGs, the
 * listeners' rules and the ALBs' target groups every 6th period. Each checkpointed app's slice is compared with what its
 * last clean reconcile saw; an app whose slice changed loses its checkpoint and is enqueued
 * ahead of routine resyncs. So an ENI-IP change reaches the target group within about one
 * period without touching the other apps, and drift of endpoints, SGs and rules is put back
 * without walking every object (targets and deregistration delay wait for the full walk).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { TAG_KEYS } from '../../api/kinds.ts';
import type { PublishedApp } from '../../api/v1alpha1.ts';
import type { AwsClientFactory, AwsClients } from '../../aws/types.ts';
import type { EventSource, ObjectKey } from '../../controller/types.ts';
import { attachmentOf } from '../access/access.ts';
import { observedFingerprint, sliceOf } from './checkpoint.ts';
import { loadBalancerArnOfListener } from './names.ts';
import {
  readKeys,
  rulesOfListener,
  scopeEndpoints,
  scopeSecurityGroups,
  targetGroupsOfLoadBalancer,
} from './scope-reads.ts';
import { latestStatus, type Deps } from './session.ts';

/** SGs and rules are described on every n-th round; endpoints on every round. */
export const FULL_OBSERVATION_EVERY = 6;

interface ScopeApps {
  clients: AwsClients;
  apps: { app: PublishedApp; listenerArn: string }[];
}

/** Live apps grouped by the scope their clients act in. */
function appsByScope(deps: Deps, aws: AwsClientFactory): Map<string, ScopeApps> {
  const out = new Map<string, ScopeApps>();
  for (const app of deps.apps.list()) {
    if (app.metadata?.deletionTimestamp) continue;
    // A refused app is not built on: nothing of it to observe.
    const attached = attachmentOf(deps.access, app);
    if (!attached.ok) continue;
    const clients = aws.clientsFor(attached.value.target);
    const entry = out.get(clients.scope) ?? { clients, apps: [] };
    entry.apps.push({ app, listenerArn: attached.value.listenerArn });
    out.set(clients.scope, entry);
  }
  return out;
}

/** What the app's last reconcile reported (this process's write first). */
function recordedOf(deps: Deps, app: PublishedApp): Parameters<typeof sliceOf>[0] {
  const uid = app.metadata?.uid ?? '';
  const status = latestStatus(deps, app);
  return { uid, ruleArn: status?.ruleArn, targetGroupArn: status?.targetGroupArn };
}

/**
 * Refreshes one scope's observation and returns the apps whose slice no longer matches
 * their checkpoint (their checkpoints are dropped).
 */
async function observeScope(
  deps: Deps,
  { clients, apps }: ScopeApps,
  full: boolean,
): Promise<PublishedApp[]> {
  const checkpointed = apps.filter(
    ({ app }) => deps.checkpoints.observed(app.metadata?.uid ?? '') !== undefined,
  );
  if (checkpointed.length === 0) return [];
  const { scope } = clients;
  deps.reads.invalidate(readKeys.endpoints(scope));
  const listeners = [...new Set(checkpointed.map((a) => a.listenerArn))];
  const loadBalancers = [...new Set(listeners.map(loadBalancerArnOfListener))];
  if (full) {
    deps.reads.invalidate(readKeys.securityGroups(scope));
    for (const l of listeners) deps.reads.invalidate(readKeys.rules(scope, l));
    for (const lb of loadBalancers) deps.reads.invalidate(readKeys.targetGroups(scope, lb));
  }
  // Between full rounds, SGs, rules and target groups come from the memo (whatever a
  // writer left there).
  const forever = Number.POSITIVE_INFINITY;
  const [endpoints, securityGroups, ruleLists, groupLists] = await Promise.all([
    scopeEndpoints(deps, clients),
    scopeSecurityGroups(deps, clients, forever),
    Promise.all(listeners.map((l) => rulesOfListener(deps, clients, l, forever))),
    Promise.all(loadBalancers.map((lb) => targetGroupsOfLoadBalancer(deps, clients, lb, forever))),
  ]);
  const observed = { endpoints, securityGroups, rules: ruleLists.flat(), targetGroups: groupLists.flat() };
  const changed: PublishedApp[] = [];
  for (const { app } of checkpointed) {
    const recorded = recordedOf(deps, app);
    const uid = recorded.uid;
    const slice = sliceOf(recorded, observed, TAG_KEYS.uid);
    if (observedFingerprint(slice) !== deps.checkpoints.observed(uid)) {
      deps.checkpoints.forget(uid);
      changed.push(app);
    }
  }
  return changed;
}

const keyOf = (app: PublishedApp): ObjectKey => ({
  namespace: app.metadata?.namespace ?? '',
  name: app.metadata?.name ?? '',
});

/** The loop as an event source of the PublishedApp controller. */
export function observationSource(deps: Deps, aws: AwsClientFactory): EventSource {
  const periodMs = deps.opts.observePeriodMs;
  return {
    name: 'aws-observation',
    async run(enqueue: (key: ObjectKey) => void, signal: AbortSignal, log: Logger): Promise<void> {
      for (let round = 0; !signal.aborted; round++) {
        try {
          // Jittered so that several replicas or scopes do not fall into step.
          await sleep(periodMs * (0.9 + 0.2 * Math.random()), undefined, { signal });
        } catch {
          return; // aborted
        }
        const full = round % FULL_OBSERVATION_EVERY === FULL_OBSERVATION_EVERY - 1;
        for (const [scope, group] of appsByScope(deps, aws)) {
          try {
            const changed = await observeScope(deps, group, full);
            for (const app of changed) enqueue(keyOf(app));
            if (changed.length > 0)
              log.debug({ scope, apps: changed.length, full }, 'observation: enqueued changed apps');
          } catch (err) {
            // The next round tries again; resyncs and full re-checks remain the fallback.
            log.warn({ scope, err }, 'observation failed');
          }
        }
      }
    },
  };
}
