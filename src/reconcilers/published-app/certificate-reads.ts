/**
 * What the app's SNI certificate is judged on, read before any change: the certificate in ACM,
 * the listener's certificates and marks, the room on the ALB. `certificateRefusal` is the
 * check resolve.ts runs; sync-certificate.ts applies the result.
 */
import * as ops from './aws-ops.ts';
import { certificateMarkKey } from './names.ts';
import { albListeners } from './place-rule.ts';
import {
  certificateProblem,
  listenerProblem,
  type CertificateInfo,
  type CertificateOnListener,
} from './plan-certificate.ts';
import { readKeys } from './scope-reads.ts';
import { StepProblem, type Session } from './session.ts';

/** The certificate's ACM description, shared by the apps naming it for a reference interval. */
function certificateOf(s: Session, arn: string): Promise<CertificateInfo | undefined> {
  return s.deps.reads.get(
    readKeys.certificate(s.clients.scope, arn),
    () => ops.describeCertificate(s.clients.acm, arn),
    s.referenceMaxAgeMs,
  );
}

export function listenerCertificates(s: Session, listenerArn: string): Promise<ops.ListenerCertificate[]> {
  return s.deps.reads.get(
    readKeys.listenerCertificates(s.clients.scope, listenerArn),
    () => ops.describeListenerCertificates(s.clients.elbv2, listenerArn),
    s.readMaxAgeMs,
  );
}

function listenerTags(s: Session, listenerArn: string): Promise<Record<string, string>> {
  return s.deps.reads.get(
    readKeys.listenerTags(s.clients.scope, listenerArn),
    () => ops.describeListenerTags(s.clients.elbv2, listenerArn),
    s.readMaxAgeMs,
  );
}

/** Non-default certificates across the ALB's listeners: what AWS's per-ALB quota counts. */
async function albCertificateCount(s: Session, listenerArn: string): Promise<number> {
  const all = await Promise.all(
    (await albListeners(s, listenerArn)).map((arn) => listenerCertificates(s, arn)),
  );
  return all.flat().filter((c) => !c.isDefault).length;
}

/** What the listener shows about the certificate (through the memo, which every change writes through). */
export async function onListener(
  s: Session,
  listenerArn: string,
  arn: string,
): Promise<CertificateOnListener> {
  const [certificates, tags] = await Promise.all([
    listenerCertificates(s, listenerArn),
    listenerTags(s, listenerArn),
  ]);
  return {
    present: certificates.some((c) => c.arn === arn),
    markedOurs: tags[certificateMarkKey(arn)] === s.deps.rt.clusterId,
  };
}

/**
 * Whether the app's certificate may go on its listener, judged before any change; the room on
 * the ALB is counted only when the listener lacks the certificate.
 * @returns the problem, or undefined when the spec names no certificate or it may be used.
 */
export async function certificateRefusal(
  s: Session,
  listener: ops.ListenerInfo,
): Promise<StepProblem | undefined> {
  const arn = s.app.spec.tls?.certificateArn;
  if (!arn) return undefined;
  const facts = {
    certificateArn: arn,
    listenerArn: listener.listenerArn,
    listenerProtocol: listener.protocol,
    hosts: s.app.spec.routing.hostHeaders ?? [],
    quota: s.deps.opts.albCertificateQuota,
  };
  // Nothing else is read for a listener that takes no certificate.
  const early = listenerProblem(facts);
  if (early) return new StepProblem('route', early.reason, early.message);
  const certificate = await certificateOf(s, arn);
  // Only whether the listener has it: the marks matter to changes, not to this judgement.
  const present = (await listenerCertificates(s, listener.listenerArn)).some((c) => c.arn === arn);
  const albCertificates = present ? undefined : await albCertificateCount(s, listener.listenerArn);
  const problem = certificateProblem({ ...facts, certificate, albCertificates });
  return problem && new StepProblem('route', problem.reason, problem.message);
}
