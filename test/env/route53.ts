/**
 * Publishes a TXT record in the emulator's Route 53 — a public hosted zone per call — which the
 * moto extension for private DNS verification reads in place of public DNS (extension 9 in
 * test/env/moto/README.md). Route 53 has no SDK client among the project's dependencies, and
 * its REST API needs only two small XML requests; moto reads the service from the credential
 * scope and the account from `x-moto-account-id`, and checks no signature.
 */

const XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';

async function route53(endpoint: string, accountId: string, path: string, body: string): Promise<string> {
  const res = await fetch(`${endpoint.replace(/\/$/, '')}/2013-04-01/${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/xml',
      'x-moto-account-id': accountId,
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/route53/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}`,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`route53 ${path}: HTTP ${res.status}: ${text}`);
  return text;
}

/** Creates a public hosted zone for `domain` holding TXT `fqdn` = `value`. */
export async function publishTxtRecord(
  endpoint: string,
  accountId: string,
  domain: string,
  fqdn: string,
  value: string,
): Promise<void> {
  const created = await route53(
    endpoint,
    accountId,
    'hostedzone',
    `<CreateHostedZoneRequest xmlns="${XMLNS}"><Name>${domain}</Name><CallerReference>${fqdn}-${Date.now()}</CallerReference></CreateHostedZoneRequest>`,
  );
  const zoneId = /<Id>\/hostedzone\/([^<]+)<\/Id>/.exec(created)?.[1];
  if (!zoneId) throw new Error(`route53: no zone id in ${created}`);
  await route53(
    endpoint,
    accountId,
    `hostedzone/${zoneId}/rrset/`,
    `<ChangeResourceRecordSetsRequest xmlns="${XMLNS}"><ChangeBatch><Changes><Change><Action>UPSERT</Action>` +
      `<ResourceRecordSet><Name>${fqdn}</Name><Type>TXT</Type><TTL>300</TTL><ResourceRecords>` +
      `<ResourceRecord><Value>"${value}"</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>` +
      `</Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`,
  );
}
