/**
 * Fault injection: which fault (if any) hits one call, decided by rules and a seeded PRNG so
 * that a run with the same seed and the same call order injects the same faults.
 */

/** What a fault does to a call (see README.md). */
export type FaultKind = 'throttle' | 'error500' | 'accessDenied' | 'latency' | 'reset' | 'lostResponse';

/** Faults that end the call; `latency` only delays it. */
export type TerminalFault = Exclude<FaultKind, 'latency'>;

/** One rule; unset selectors match every call. */
export interface FaultRule {
  /** Short service name: `ec2`, `elbv2`, `sts`. */
  service?: string;
  /** Operation name, or a regular expression that must match the whole name. */
  operation?: string;
  account?: string;
  kind: FaultKind;
  /** Probability per matching call, 0..1. */
  rate: number;
  /** For `latency`: the longest delay; each hit draws a delay uniformly in [0, latencyMs]. */
  latencyMs?: number;
}

/** The call a plan is made for. */
export interface CallKey {
  service: string;
  operation: string;
  account: string;
}

/** What to do to one call: delay it, then maybe end it with a fault. */
export interface FaultPlan {
  delayMs: number;
  terminal?: TerminalFault;
}

/** Longest latency a rule may inject. */
export const MAX_LATENCY_MS = 5000;
const DEFAULT_LATENCY_MS = MAX_LATENCY_MS;
const KINDS: readonly FaultKind[] = [
  'throttle',
  'error500',
  'accessDenied',
  'latency',
  'reset',
  'lostResponse',
];

/** mulberry32: a tiny, well-distributed 32-bit PRNG; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function optionalString(rule: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = rule[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '')
    throw new TypeError(`${where}.${key} must be a non-empty string`);
  return value;
}

function optionalLatency(rule: Record<string, unknown>, where: string): number | undefined {
  const value = rule.latencyMs;
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value >= 0 && value <= MAX_LATENCY_MS)) {
    throw new TypeError(`${where}.latencyMs must be in [0, ${MAX_LATENCY_MS}]`);
  }
  return value;
}

/** Validates rules (e.g. JSON from the control API); throws a TypeError naming the bad field. */
export function parseFaultRules(input: unknown): FaultRule[] {
  if (!Array.isArray(input)) throw new TypeError('rules must be an array');
  return input.map((raw: unknown, i) => {
    const where = `rules[${i}]`;
    if (typeof raw !== 'object' || raw === null) throw new TypeError(`${where} must be an object`);
    const rule = raw as Record<string, unknown>;
    const kind = rule.kind as FaultKind;
    if (!KINDS.includes(kind)) throw new TypeError(`${where}.kind must be one of ${KINDS.join(', ')}`);
    const rate = rule.rate;
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1))
      throw new TypeError(`${where}.rate must be in [0, 1]`);
    const latencyMs = optionalLatency(rule, where);
    const operation = optionalString(rule, 'operation', where);
    if (operation !== undefined) operationPattern(operation); // throws on a bad regex
    const service = optionalString(rule, 'service', where);
    const account = optionalString(rule, 'account', where);
    return {
      kind,
      rate,
      ...(latencyMs !== undefined && { latencyMs }),
      ...(service !== undefined && { service }),
      ...(operation !== undefined && { operation }),
      ...(account !== undefined && { account }),
    };
  });
}

function operationPattern(operation: string): RegExp {
  try {
    return new RegExp(`^(?:${operation})$`);
  } catch (err) {
    throw new TypeError(`operation ${JSON.stringify(operation)} is not a valid regular expression`, {
      cause: err,
    });
  }
}

interface CompiledRule {
  rule: FaultRule;
  operation: RegExp | undefined;
}

/**
 * Decides faults per call. Rules are tried in order; each matching rule draws once: a
 * `latency` hit adds its delay and evaluation goes on, the first terminal hit ends it.
 */
export class FaultInjector {
  private readonly rules: CompiledRule[];
  private readonly random: () => number;

  constructor(rules: readonly FaultRule[], seed: number) {
    this.rules = parseFaultRules(rules).map((rule) => ({
      rule,
      operation: rule.operation === undefined ? undefined : operationPattern(rule.operation),
    }));
    this.random = seededRandom(seed);
  }

  /** The plan for one call; draws from the PRNG only for rules that match it. */
  plan(call: CallKey): FaultPlan {
    let delayMs = 0;
    for (const { rule, operation } of this.rules) {
      if (rule.service !== undefined && rule.service !== call.service) continue;
      if (rule.account !== undefined && rule.account !== call.account) continue;
      if (operation && !operation.test(call.operation)) continue;
      if (this.random() >= rule.rate) continue;
      if (rule.kind === 'latency') {
        const drawn = Math.round(this.random() * (rule.latencyMs ?? DEFAULT_LATENCY_MS));
        delayMs = Math.min(MAX_LATENCY_MS, delayMs + drawn);
        continue;
      }
      return { delayMs, terminal: rule.kind };
    }
    return { delayMs };
  }
}
