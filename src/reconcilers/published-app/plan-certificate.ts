/**
 * The app's SNI certificate (spec.tls), decided without I/O: whether it may go on the listener
 * (judged before any change), and what adding or releasing it takes. The controller adds a
 * certificate only when the listener lacks it, marks it on the listener as its own first, and
 * removes only a certificate it marked, once no app names it any more.
 */

/** A certificate as ACM describes it. */
export interface CertificateInfo {
  /** ACM's status: ISSUED, PENDING_VALIDATION, EXPIRED, … */
  status: string;
  /** The domain name and subject alternative names. */
  names: string[];
}

/** Why the certificate cannot be used. */
export interface CertificateProblem {
  reason:
    | 'ListenerNotHttps'
    | 'CertificateNotFound'
    | 'CertificateNotIssued'
    | 'CertificateHostMismatch'
    | 'CertificateLimitExceeded';
  message: string;
}

const WILDCARD = /[*?]/;

/**
 * Whether a certificate name serves requests for a host-header value. A literal host is served
 * by the same name or by a wildcard one label up (`*.example.com` serves `a.example.com`, not
 * `a.b.example.com`). A host pattern with `*` or `?` (which an ALB lets match across labels)
 * is served only by the same name: no certificate name covers every host such a pattern admits
 * unless it is that pattern.
 */
export function nameServes(name: string, host: string): boolean {
  const n = name.toLowerCase();
  const h = host.toLowerCase();
  if (n === h) return true;
  if (WILDCARD.test(h) || !n.startsWith('*.')) return false;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === n.slice(2);
}

/** What the certificate check is judged on. */
export interface CertificateFacts {
  certificateArn: string;
  listenerArn: string;
  listenerProtocol: string;
  /** The app's host-header values. */
  hosts: readonly string[];
  /** As ACM describes it; undefined when ACM has no such certificate. */
  certificate: CertificateInfo | undefined;
  /**
   * Non-default certificates across the ALB's listeners, when the certificate would be new to
   * the listener; undefined when the listener already has it (no room needed).
   */
  albCertificates?: number;
  /** Certificates an ALB may hold across its listeners, default ones not counted. */
  quota: number;
}

/** Why the listener takes no certificate at all (judged before the certificate is read). */
export function listenerProblem(
  f: Pick<CertificateFacts, 'listenerArn' | 'listenerProtocol'>,
): CertificateProblem | undefined {
  if (f.listenerProtocol === 'HTTPS') return undefined;
  return {
    reason: 'ListenerNotHttps',
    message: `listener ${f.listenerArn} is ${f.listenerProtocol}, not HTTPS: it takes no certificate`,
  };
}

/** The first reason the certificate cannot go on the listener; undefined when it can. */
export function certificateProblem(f: CertificateFacts): CertificateProblem | undefined {
  const listener = listenerProblem(f);
  if (listener) return listener;
  if (!f.certificate)
    return {
      reason: 'CertificateNotFound',
      message: `certificate ${f.certificateArn} not found in ACM (in the listener's account and region)`,
    };
  if (f.certificate.status !== 'ISSUED')
    return {
      reason: 'CertificateNotIssued',
      message: `certificate ${f.certificateArn} is ${f.certificate.status}, not ISSUED`,
    };
  const names = f.certificate.names;
  const uncovered = f.hosts.filter((h) => !names.some((n) => nameServes(n, h)));
  if (uncovered.length > 0)
    return {
      reason: 'CertificateHostMismatch',
      message: `certificate ${f.certificateArn} (${names.join(', ')}) does not cover ${uncovered.join(', ')}`,
    };
  return roomProblem(f);
}

function roomProblem(f: CertificateFacts): CertificateProblem | undefined {
  if (f.albCertificates === undefined || f.albCertificates < f.quota) return undefined;
  return {
    reason: 'CertificateLimitExceeded',
    message: `the load balancer holds ${f.albCertificates} certificates across its listeners (default ones not counted); its quota is ${f.quota} (--alb-certificate-quota)`,
  };
}

/** What the listener shows about one certificate. */
export interface CertificateOnListener {
  /** The listener has it (as SNI or default certificate). */
  present: boolean;
  /** The listener's tag marks it as added by this controller installation. */
  markedOurs: boolean;
}

/** One change to a listener for a certificate, in the order given. */
export type CertificateChange = 'mark' | 'add' | 'remove' | 'unmark';

/**
 * Adding the app's certificate: nothing when the listener has it (ours or not); else mark it
 * ours first — so a crash between the two never leaves an added certificate nobody may remove —
 * then add it.
 */
export function planAttach(c: CertificateOnListener): CertificateChange[] {
  if (c.present) return [];
  return c.markedOurs ? ['add'] : ['mark', 'add'];
}

/**
 * Releasing a certificate the app no longer names: only when no other app names it and the
 * mark says we added it; removed first, then unmarked (a crash between leaves a mark on an
 * absent certificate, which the next release clears).
 */
export function planRelease(c: CertificateOnListener & { stillNamed: boolean }): CertificateChange[] {
  if (c.stillNamed || !c.markedOurs) return [];
  return c.present ? ['remove', 'unmark'] : ['unmark'];
}
