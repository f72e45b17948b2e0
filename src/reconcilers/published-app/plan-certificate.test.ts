import { describe, expect, it } from '@jest/globals';
import {
  certificateProblem,
  nameServes,
  planAttach,
  planRelease,
  type CertificateChange,
  type CertificateFacts,
} from './plan-certificate.ts';

describe('nameServes', () => {
  it.each<[string, string, boolean]>([
    ['blue.example.com', 'blue.example.com', true],
    ['Blue.Example.com', 'blue.EXAMPLE.com', true],
    ['blue.example.com', 'green.example.com', false],
    ['*.example.com', 'blue.example.com', true],
    ['*.example.com', 'a.blue.example.com', false],
    ['*.example.com', 'example.com', false],
    ['*.blue.example.com', '*.blue.example.com', true],
    ['*.example.com', '*.blue.example.com', false],
    ['*.example.com', 'b?ue.example.com', false],
    ['*.example.com', '*.example.com', true],
    ['example.com', '*.example.com', false],
  ])('%s serves %s: %s', (name, host, serves) => {
    expect(nameServes(name, host)).toBe(serves);
  });
});

const issued: CertificateFacts = {
  certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc',
  listenerArn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/dmz/1/2',
  listenerProtocol: 'HTTPS',
  hosts: ['blue.example.com', 'www.blue.example.com'],
  certificate: { status: 'ISSUED', names: ['blue.example.com', '*.blue.example.com'] },
  quota: 25,
};

describe('certificateProblem', () => {
  it.each<[string, Partial<CertificateFacts>, string | undefined]>([
    ['issued, covers every host, already on the listener', {}, undefined],
    ['issued, covers every host, room for one more', { albCertificates: 24 }, undefined],
    ['an HTTP listener takes no certificate', { listenerProtocol: 'HTTP' }, 'ListenerNotHttps'],
    ['not in ACM', { certificate: undefined }, 'CertificateNotFound'],
    [
      'still waiting for validation',
      { certificate: { status: 'PENDING_VALIDATION', names: ['blue.example.com'] } },
      'CertificateNotIssued',
    ],
    [
      'expired',
      { certificate: { status: 'EXPIRED', names: ['blue.example.com', '*.blue.example.com'] } },
      'CertificateNotIssued',
    ],
    ['one host not covered', { hosts: ['blue.example.com', 'green.example.com'] }, 'CertificateHostMismatch'],
    ['the ALB at its quota, the certificate new', { albCertificates: 25 }, 'CertificateLimitExceeded'],
    ['over a lowered quota', { albCertificates: 3, quota: 3 }, 'CertificateLimitExceeded'],
    [
      'a bad listener is said before a full ALB',
      { listenerProtocol: 'HTTP', albCertificates: 25 },
      'ListenerNotHttps',
    ],
  ])('%s', (_, change, reason) => {
    expect(certificateProblem({ ...issued, ...change })?.reason).toBe(reason);
  });

  it('names the hosts a certificate does not cover, and its names', () => {
    const problem = certificateProblem({ ...issued, hosts: ['green.example.com'] });
    expect(problem?.message).toContain('does not cover green.example.com');
    expect(problem?.message).toContain('blue.example.com, *.blue.example.com');
  });
});

describe('planAttach', () => {
  it.each<[string, boolean, boolean, CertificateChange[]]>([
    ['on the listener, ours', true, true, []],
    ['on the listener, not ours: used, never marked', true, false, []],
    ['absent: marked first, then added', false, false, ['mark', 'add']],
    ['absent, marked (a crash after the mark): added', false, true, ['add']],
  ])('%s', (_, present, markedOurs, changes) => {
    expect(planAttach({ present, markedOurs })).toEqual(changes);
  });
});

describe('planRelease', () => {
  it.each<[string, boolean, boolean, boolean, CertificateChange[]]>([
    ['ours, no app names it: removed, then unmarked', true, true, false, ['remove', 'unmark']],
    ['ours, another app still names it: kept', true, true, true, []],
    ['not ours: never removed', true, false, false, []],
    ['ours but gone already: the mark cleared', false, true, false, ['unmark']],
    ['neither present nor ours: nothing', false, false, false, []],
  ])('%s', (_, present, markedOurs, stillNamed, changes) => {
    expect(planRelease({ present, markedOurs, stillNamed })).toEqual(changes);
  });
});
