/**
 * The app's SNI certificate (spec.tls): judged while resolving (certificate-reads.ts: listener
 * HTTPS, certificate in ACM, issued, covering the app's hosts, room on the ALB), added to the listener before the
 * rule that needs it, and released — removed only if this controller added it and no other app
 * names it — once the rule no longer does. The listener's default certificate is never changed.
 * Which certificates the controller added is kept on the listener itself, as one tag per
 * certificate (names.ts `certificateMarkKey`, value the cluster id): listener certificates
 * carry no tags, and the mark must outlive every app that used the certificate.
 */
import * as ops from './aws-ops.ts';
import { onListener } from './certificate-reads.ts';
import { classifyChange } from './drift.ts';
import { certificateMarkKey, listenerArnOfRule } from './names.ts';
import { neighbours } from './place-rule.ts';
import { planAttach, planRelease, type CertificateChange } from './plan-certificate.ts';
import type { References } from './resolve.ts';
import { readKeys } from './scope-reads.ts';
import type { Session } from './session.ts';
import { syncRule } from './sync-rule.ts';

/** How one planned change is applied: the act's name and words, the call, and what follows it. */
interface ChangeStep {
  action: string;
  what: string;
  run: () => Promise<void>;
  /** Writes the change through to the memo, says it. */
  after: () => void;
}

function changeSteps(s: Session, listenerArn: string, arn: string): Record<CertificateChange, ChangeStep> {
  const { elbv2, scope } = s.clients;
  const { reads, rt } = s.deps;
  const key = certificateMarkKey(arn);
  const certificates = readKeys.listenerCertificates(scope, listenerArn);
  const tags = readKeys.listenerTags(scope, listenerArn);
  return {
    mark: {
      action: 'Tag',
      what: `mark certificate ${arn} as added by this controller on ${listenerArn}`,
      run: () => ops.tagListener(elbv2, listenerArn, { Key: key, Value: rt.clusterId }),
      after: () => {
        reads.patch(tags, (t) => ({ ...t, [key]: rt.clusterId }));
      },
    },
    add: {
      action: 'Add',
      what: `add SNI certificate ${arn} to ${listenerArn}`,
      run: () => ops.addListenerCertificate(elbv2, listenerArn, arn),
      after: () => {
        reads.patch(certificates, (cs) => [...cs, { arn, isDefault: false }]);
        s.event('Normal', 'CertificateAdded', 'Add', `added SNI certificate ${arn} to the listener`);
      },
    },
    remove: {
      action: 'Remove',
      what: `remove SNI certificate ${arn} from ${listenerArn}`,
      run: () => ops.removeListenerCertificate(elbv2, listenerArn, arn),
      after: () => {
        reads.patch(certificates, (cs) => cs.filter((c) => c.arn !== arn || c.isDefault));
        s.event(
          'Normal',
          'CertificateRemoved',
          'Remove',
          `removed SNI certificate ${arn}: no app names it any more`,
        );
      },
    },
    unmark: {
      action: 'Untag',
      what: `clear the mark of certificate ${arn} on ${listenerArn}`,
      run: () => ops.untagListener(elbv2, listenerArn, key),
      after: () => {
        reads.patch(tags, (t) => Object.fromEntries(Object.entries(t).filter(([k]) => k !== key)));
      },
    },
  };
}

/** Applies planned changes for one certificate on one listener, in order (only logged in a dry run). */
async function apply(
  s: Session,
  listenerArn: string,
  arn: string,
  changes: readonly CertificateChange[],
): Promise<void> {
  const steps = changeSteps(s, listenerArn, arn);
  for (const change of changes) {
    const step = steps[change];
    const done = await s.act(step.action, step.what, async () => {
      await step.run();
      return true;
    });
    if (done) step.after();
  }
}

/**
 * Puts the spec's certificate on the listener when it lacks it — after `certificateRefusal`
 * let it — and records it in status, unless a previous certificate is still to be released
 * (`releasePreviousCertificate` records it then).
 * @returns what was put back, when the app's certificate went missing out of band (drift).
 */
async function attachCertificate(s: Session, refs: References): Promise<string | undefined> {
  const arn = s.app.spec.tls?.certificateArn;
  const previous = s.app.status?.certificateArn;
  if (!previous || previous === arn) s.report.fields.certificateArn = arn;
  if (!arn) return undefined;
  const listenerArn = refs.listener.listenerArn;
  const changes = await s.deps.certificateLocks.run(listenerArn, async () => {
    const planned = planAttach(await onListener(s, listenerArn, arn));
    await apply(s, listenerArn, arn, planned);
    return planned;
  });
  const missing = changes.includes('add') && previous === arn;
  const difference = `SNI certificate ${arn} missing from the listener`;
  if (!missing || classifyChange([difference], s.previous('route'), s.generation) !== 'drift')
    return undefined;
  s.event('Warning', 'Drifted', 'Update', `certificate: put back: ${difference}`);
  return `put back: ${difference}`;
}

/**
 * Step: the route — the certificate first, so the rule's hosts are served with it from its
 * first request, then the rule. A certificate put back after drift leaves the route
 * `False/Drifted` until a later pass sees it in place.
 * @returns whether the route is in place (as syncRule says).
 */
export async function syncRoute(s: Session, refs: References, tgArn: string): Promise<boolean> {
  const drift = await attachCertificate(s, refs);
  const routed = await syncRule(s, refs, tgArn);
  if (!drift || s.report.verdicts.route?.status !== 'True') return routed;
  s.verdict('route', { status: 'False', reason: 'Drifted', message: drift });
  return false;
}

/** Whether another live app on the listener names (or still holds) the certificate. */
function namedByOthers(s: Session, listenerArn: string, arn: string): boolean {
  return neighbours(s, listenerArn).some(
    (a) => a.spec.tls?.certificateArn === arn || a.status?.certificateArn === arn,
  );
}

/** Releases one certificate from one listener: removed if ours and named by no other app. */
export async function releaseCertificate(s: Session, listenerArn: string, arn: string): Promise<void> {
  await s.deps.certificateLocks.run(listenerArn, async () => {
    const seen = await onListener(s, listenerArn, arn);
    await apply(
      s,
      listenerArn,
      arn,
      planRelease({ ...seen, stillNamed: namedByOthers(s, listenerArn, arn) }),
    );
  });
}

/** The listener the app's recorded certificate is on: its recorded rule's, else its own. */
function previousListenerOf(s: Session): string {
  const rule = s.app.status?.ruleArn;
  return rule ? listenerArnOfRule(rule) : s.listenerArn;
}

/**
 * After the rule moved (clean-up stage): releases the certificate the app held when the spec
 * names another, none, or another listener, then records the spec's.
 */
export async function releasePreviousCertificate(s: Session): Promise<void> {
  const previous = s.app.status?.certificateArn;
  const wanted = s.app.spec.tls?.certificateArn;
  const from = previousListenerOf(s);
  if (previous && (previous !== wanted || from !== s.listenerArn))
    await releaseCertificate(s, from, previous);
  s.report.fields.certificateArn = wanted;
}
