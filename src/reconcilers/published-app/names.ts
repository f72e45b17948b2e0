/**
 * Deterministic names and tokens derived from a PublishedApp, so that a crash between an
 * AWS create and the status write never leads to a second resource.
 */
import { createHash } from 'node:crypto';
import { API_GROUP } from '../../api/kinds.ts';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Lower-case RFC 4648 base32 without padding (only characters ELBv2 names accept). */
function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32.charAt((buffer >>> (bits - 5)) & 31);
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32.charAt((buffer << (5 - bits)) & 31);
  return out;
}

function digest(...parts: string[]): Buffer {
  return createHash('sha256').update(parts.join('\0')).digest();
}

/**
 * Target group name for an app: `plp-` + 28 base32 characters of a hash of the UID,
 * protocol and port (32 characters, ELBv2's limit). Protocol and port are part of the hash
 * because a target group cannot change them: a new pair means a new group.
 */
export function targetGroupName(uid: string, protocol: string, port: number): string {
  return `plp-${base32(digest(uid, protocol, String(port))).slice(0, 28)}`;
}

/** The name in a target group ARN (`...:targetgroup/<name>/<id>`); '' when it is not one. */
export function targetGroupNameOfArn(arn: string): string {
  return /:targetgroup\/([^/]+)\//.exec(arn)?.[1] ?? '';
}

/**
 * The name of the app's target group: the adopted group's (spec.adopt.targetGroupArn), else
 * {@link targetGroupName} of its UID, protocol and port. An adopted group keeps its name: it is
 * found by it like a created one.
 */
export function appTargetGroupName(app: {
  metadata?: { uid?: string };
  spec: { adopt?: { targetGroupArn?: string }; target: { protocol?: string; port: number } };
}): string {
  const adopted = app.spec.adopt?.targetGroupArn;
  if (adopted) return targetGroupNameOfArn(adopted);
  return targetGroupName(app.metadata?.uid ?? '', app.spec.target.protocol ?? 'HTTP', app.spec.target.port);
}

/**
 * ClientToken for CreateVpcEndpoint. It changes when the endpoint the app last recorded
 * is replaced (deleted out of band), because AWS would otherwise answer a re-create with
 * the deleted endpoint; a retry of the same create reuses it.
 */
export function endpointClientToken(uid: string, previousEndpointId: string | undefined): string {
  return `plp-${base32(digest(uid, previousEndpointId ?? '')).slice(0, 40)}`;
}

/** Name of the managed endpoint security group (unique per VPC; the UID keeps it so). */
export function securityGroupName(namespace: string, name: string, uid: string): string {
  return `plp-${namespace}-${name}`.slice(0, 200) + `-${uid.slice(0, 8)}`;
}

/**
 * Key of the listener tag marking an SNI certificate as added by the controller (its value is
 * the cluster id): `publisher.privatelink.dev/sni-` + 20 base32 characters of a hash of the
 * certificate ARN. Listener certificates carry no tags of their own, and only what the
 * controller added may it remove.
 */
export function certificateMarkKey(certificateArn: string): string {
  return `${API_GROUP}/sni-${base32(digest(certificateArn)).slice(0, 20)}`;
}

/** Description marking an SG rule the controller added to a group it does not own. */
export function ownedRuleDescription(uid: string): string {
  return `publisher.privatelink.dev/uid=${uid}`;
}

/** The listener ARN a listener-rule ARN belongs to. */
export function listenerArnOfRule(ruleArn: string): string {
  return ruleArn.replace(':listener-rule/', ':listener/').replace(/\/[^/]+$/, '');
}

/** The load balancer ARN a listener ARN belongs to. */
export function loadBalancerArnOfListener(listenerArn: string): string {
  return listenerArn.replace(':listener/', ':loadbalancer/').replace(/\/[^/]+$/, '');
}

/**
 * The URL an app is reachable at: scheme from the listener protocol, the ALB's DNS name,
 * and the first path pattern without its trailing wildcard.
 */
export function appUrl(
  listenerProtocol: string,
  albDnsName: string,
  pathPatterns: readonly string[],
): string {
  const scheme = listenerProtocol === 'HTTPS' ? 'https' : 'http';
  const path = (pathPatterns[0] ?? '/').replace(/\*+$/, '');
  return `${scheme}://${albDnsName}${path}`;
}

/**
 * Description marking the ALB SG ingress rule the controller holds for a SharedListener's API
 * front door (admitting the VPC link's SGs); unmarked rules are never touched.
 */
export function frontDoorRuleDescription(sharedListenerUid: string): string {
  return `publisher.privatelink.dev/sharedlistener=${sharedListenerUid}`;
}

/** Name of a SharedListener's VPC link, and of its security group (unique per VPC). */
export function frontDoorName(namespace: string, name: string, uid: string): string {
  return `plp-link-${namespace}-${name}`.slice(0, 100) + `-${uid.slice(0, 8)}`;
}
