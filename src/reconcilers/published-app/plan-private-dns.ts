/**
 * Whether the endpoint may resolve the service's private DNS name in the VPC
 * (PrivateDnsEnabled), judged before any create or modify: AWS refuses it unless the service
 * has a private DNS name that its owner verified, and the VPC has both enableDnsSupport and
 * enableDnsHostnames. Pure.
 */

/** The service's private DNS name as the consumer's account sees it. */
export interface ServicePrivateDns {
  /** The name; absent when the service has none. */
  name?: string;
  /** AWS's PrivateDnsNameVerificationState (`verified`, `pendingVerification`, `failed`). */
  verificationState?: string;
}

/** The VPC's DNS attributes (DescribeVpcAttribute). */
export interface VpcDns {
  support: boolean;
  hostnames: boolean;
}

/** Why the spec's private DNS cannot be had; the reason is the condition reason. */
export interface PrivateDnsProblem {
  reason: 'PrivateDnsNameNotAvailable' | 'VpcDnsNotEnabled';
  message: string;
}

export interface PrivateDnsInputs {
  wanted: boolean;
  /** The live endpoint's PrivateDnsEnabled; undefined when there is none yet. */
  current?: boolean;
  serviceName: string;
  vpcId: string;
  /** Read only when the check is needed (see `privateDnsNeedsCheck`). */
  service?: ServicePrivateDns;
  vpc?: VpcDns;
}

/** The value to hold, and why the spec's value was refused. */
export interface PrivateDnsPlan {
  enabled: boolean;
  problem?: PrivateDnsProblem;
}

/**
 * Whether the service and the VPC must be read: only to turn private DNS on (a live endpoint
 * that has it on was accepted by AWS; turning it off needs nothing).
 */
export function privateDnsNeedsCheck(wanted: boolean, current: boolean | undefined): boolean {
  return wanted && current !== true;
}

/** The PrivateDnsEnabled to hold: the spec's when AWS would take it, else the live endpoint's (off for a new one). */
export function planPrivateDns(i: PrivateDnsInputs): PrivateDnsPlan {
  if (!privateDnsNeedsCheck(i.wanted, i.current)) return { enabled: i.wanted };
  const problem = serviceProblem(i) ?? vpcProblem(i);
  return problem ? { enabled: i.current ?? false, problem } : { enabled: true };
}

function serviceProblem(i: PrivateDnsInputs): PrivateDnsProblem | undefined {
  const name = i.service?.name;
  if (!name)
    return {
      reason: 'PrivateDnsNameNotAvailable',
      message: `endpoint service ${i.serviceName} has no private DNS name; set endpoint.privateDnsEnabled to false`,
    };
  if (i.service?.verificationState !== 'verified')
    return {
      reason: 'PrivateDnsNameNotAvailable',
      message: `the private DNS name ${name} of ${i.serviceName} is not verified (${i.service?.verificationState ?? 'unknown'}); its owner must publish the TXT record AWS names`,
    };
  return undefined;
}

function vpcProblem(i: PrivateDnsInputs): PrivateDnsProblem | undefined {
  const missing = [
    i.vpc?.support ? '' : 'enableDnsSupport',
    i.vpc?.hostnames ? '' : 'enableDnsHostnames',
  ].filter(Boolean);
  if (missing.length === 0) return undefined;
  return {
    reason: 'VpcDnsNotEnabled',
    message: `private DNS needs ${missing.join(' and ')} on ${i.vpcId}`,
  };
}
