/**
 * Which namespaces a grant lets in: label selectors (metav1.LabelSelector semantics) and the
 * two grant shapes — an AwsIdentity's names-or-selector, and Gateway API's Same/All/Selector
 * used by SharedListener.allowedRoutes and EndpointService.allowedConsumers. Pure.
 */
import type { IdentityGrant, LabelSelector, NamespaceGrant } from '../../api/v1alpha1.ts';

/** Labels of a namespace; undefined when the namespace is unknown (it then matches no selector). */
export type NamespaceLabels = (namespace: string) => Record<string, string> | undefined;

/**
 * Whether `labels` satisfy `selector`: every matchLabels pair and every expression.
 * An empty selector matches everything; unknown labels (undefined) match nothing.
 */
export function selectorMatches(
  selector: LabelSelector,
  labels: Record<string, string> | undefined,
): boolean {
  if (!labels) return false;
  const pairs = Object.entries(selector.matchLabels ?? {});
  if (!pairs.every(([k, v]) => labels[k] === v)) return false;
  return (selector.matchExpressions ?? []).every((e) => {
    const has = Object.hasOwn(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        return has && values.includes(labels[e.key] ?? '');
      case 'NotIn':
        return !has || !values.includes(labels[e.key] ?? '');
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
    }
  });
}

/** Whether an AwsIdentity's grant includes `namespace`; no names and no selector: nobody. */
export function identityGrants(
  grant: IdentityGrant | undefined,
  namespace: string,
  labels: NamespaceLabels,
): boolean {
  if (grant?.names?.includes(namespace)) return true;
  return grant?.selector !== undefined && selectorMatches(grant.selector, labels(namespace));
}

/**
 * Whether a Same/All/Selector grant held by an object in `ownerNamespace` lets in `namespace`.
 * Absent grant or `from` means Same.
 */
export function namespaceGrants(
  grant: NamespaceGrant | undefined,
  ownerNamespace: string,
  namespace: string,
  labels: NamespaceLabels,
): boolean {
  if (namespace === ownerNamespace) return true;
  switch (grant?.from ?? 'Same') {
    case 'All':
      return true;
    case 'Selector':
      return grant?.selector !== undefined && selectorMatches(grant.selector, labels(namespace));
    default:
      return false;
  }
}

/** A short description of a Same/All/Selector grant, for messages. */
export function describeGrant(grant: NamespaceGrant | undefined, ownerNamespace: string): string {
  switch (grant?.from ?? 'Same') {
    case 'All':
      return 'all namespaces';
    case 'Selector':
      return `namespaces matching ${JSON.stringify(grant?.selector ?? {})}`;
    default:
      return `namespace ${ownerNamespace} only`;
  }
}
