/** Waiting and reading helpers shared by the server-backed tests. */
import { CoreV1Api, CustomObjectsApi, type CoreV1Event } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION } from '../../src/api/kinds.ts';
import type { ResourceKind } from '../../src/controller/types.ts';
import type { TestContext } from './context.ts';

/** Polls `probe` every 200 ms until it returns something other than undefined/false. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 40_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: Error | undefined;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err instanceof Error ? err : new Error(String(err));
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Condition `type` of an object as [status, reason], or undefined when absent. */
export function condition(
  obj: { status?: { conditions?: { type: string; status: string; reason: string }[] } } | undefined,
  type: string,
): [string, string] | undefined {
  const c = obj?.status?.conditions?.find((x) => x.type === type);
  return c ? [c.status, c.reason] : undefined;
}

/** Reads one of our custom objects in the test's namespace; undefined when it does not exist. */
export async function getCustomObject<T>(
  ctx: TestContext,
  kind: ResourceKind,
  name: string,
): Promise<T | undefined> {
  try {
    return (await ctx.kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      namespace: ctx.namespace,
      plural: kind.plural,
      name,
    })) as T;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

/** Events about the named object in the test's namespace, oldest first. */
export async function eventsFor(ctx: TestContext, name: string): Promise<CoreV1Event[]> {
  const list = await ctx.kc.makeApiClient(CoreV1Api).listNamespacedEvent({
    namespace: ctx.namespace,
    fieldSelector: `involvedObject.name=${name}`,
  });
  return list.items;
}

/** Waits for an Event with this reason whose message contains every one of `parts`. */
export function waitForEvent(
  ctx: TestContext,
  name: string,
  reason: string,
  ...parts: string[]
): Promise<CoreV1Event> {
  return eventually(`event ${reason} on ${name} mentioning ${parts.join(', ')}`, async () =>
    (await eventsFor(ctx, name)).find(
      (e) => e.reason === reason && parts.every((p) => (e.message ?? '').includes(p)),
    ),
  );
}
