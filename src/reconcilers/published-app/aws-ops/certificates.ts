/**
 * PublishedApp AWS wrappers (see ../aws-ops.ts): ACM certificates, a listener's SNI
 * certificates and the listener's tags (where the controller marks the certificates it added).
 */
import { type ACMClient, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import {
  AddListenerCertificatesCommand,
  AddTagsCommand,
  DescribeListenerCertificatesCommand,
  DescribeTagsCommand,
  type ElasticLoadBalancingV2Client,
  RemoveListenerCertificatesCommand,
  RemoveTagsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { isNotFound, unlessNotFound } from '../../../aws/errors.ts';
import type { AwsTag } from '../../../aws/tags.ts';
import type { CertificateInfo } from '../plan-certificate.ts';

/** One certificate on a listener. */
export interface ListenerCertificate {
  arn: string;
  isDefault: boolean;
}

/** @returns the certificate's status and names; undefined when ACM has no such certificate. */
export async function describeCertificate(acm: ACMClient, arn: string): Promise<CertificateInfo | undefined> {
  return unlessNotFound(async () => {
    const out = await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    const c = out.Certificate;
    if (!c) return undefined;
    const names = [c.DomainName ?? '', ...(c.SubjectAlternativeNames ?? [])].filter((n) => n !== '');
    return { status: c.Status ?? 'UNKNOWN', names: [...new Set(names)] };
  });
}

/**
 * Every certificate on the listener, the default one marked (paged by hand: the SDK has no
 * paginator); none when the listener is gone.
 */
export async function describeListenerCertificates(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
): Promise<ListenerCertificate[]> {
  const out: ListenerCertificate[] = [];
  let marker: string | undefined;
  try {
    do {
      const page = await elbv2.send(
        new DescribeListenerCertificatesCommand({ ListenerArn: listenerArn, Marker: marker }),
      );
      for (const c of page.Certificates ?? [])
        if (c.CertificateArn) out.push({ arn: c.CertificateArn, isDefault: c.IsDefault === true });
      marker = page.NextMarker;
    } while (marker);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
  return out;
}

export async function addListenerCertificate(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
  certificateArn: string,
): Promise<void> {
  await elbv2.send(
    new AddListenerCertificatesCommand({
      ListenerArn: listenerArn,
      Certificates: [{ CertificateArn: certificateArn }],
    }),
  );
}

/** Removes one SNI certificate; a listener already without it (or gone) counts as done. */
export async function removeListenerCertificate(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
  certificateArn: string,
): Promise<void> {
  try {
    await elbv2.send(
      new RemoveListenerCertificatesCommand({
        ListenerArn: listenerArn,
        Certificates: [{ CertificateArn: certificateArn }],
      }),
    );
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** The listener's tags (empty when it is gone). */
export async function describeListenerTags(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
): Promise<Record<string, string>> {
  try {
    const out = await elbv2.send(new DescribeTagsCommand({ ResourceArns: [listenerArn] }));
    const tags = out.TagDescriptions?.[0]?.Tags ?? [];
    return Object.fromEntries(tags.map((t) => [t.Key ?? '', t.Value ?? '']));
  } catch (err) {
    if (isNotFound(err)) return {};
    throw err;
  }
}

export async function tagListener(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
  tag: AwsTag,
): Promise<void> {
  await elbv2.send(new AddTagsCommand({ ResourceArns: [listenerArn], Tags: [tag] }));
}

/** Removes one tag; a listener already gone counts as done. */
export async function untagListener(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
  key: string,
): Promise<void> {
  try {
    await elbv2.send(new RemoveTagsCommand({ ResourceArns: [listenerArn], TagKeys: [key] }));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
