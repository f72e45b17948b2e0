/**
 * Route 53 as the tests use it: public hosted zones and TXT records in the emulator, which the
 * moto extension for private DNS verification reads in place of public DNS (extension 9 in
 * test/env/moto/README.md). The account is chosen with moto's `x-moto-account-id` header.
 */
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';

/** A Route 53 client acting in `accountId` on the emulator at `endpoint`. */
export function route53For(endpoint: string, accountId: string): Route53Client {
  const client = new Route53Client({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  client.middlewareStack.add(
    (next) => (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = accountId;
      return next(args);
    },
    { step: 'build' },
  );
  return client;
}

/** Creates a public hosted zone for `domain`; returns its id (Z...). */
export async function createZone(route53: Route53Client, domain: string): Promise<string> {
  const out = await route53.send(
    new CreateHostedZoneCommand({
      Name: domain,
      CallerReference: `${domain}-${Date.now()}-${Math.random()}`,
    }),
  );
  return out.HostedZone!.Id!.replace('/hostedzone/', '');
}

/** UPSERTs TXT `fqdn` with these values (each one quoted string). */
export async function upsertTxt(
  route53: Route53Client,
  zoneId: string,
  fqdn: string,
  ...values: string[]
): Promise<void> {
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: fqdn,
              Type: 'TXT',
              TTL: 300,
              ResourceRecords: values.map((v) => ({ Value: `"${v}"` })),
            },
          },
        ],
      },
    }),
  );
}

/** Every record set of the zone as `<type> <name without dot> = <values as stored>`, sorted. */
export async function recordSets(route53: Route53Client, zoneId: string): Promise<string[]> {
  const out = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
  return (out.ResourceRecordSets ?? [])
    .filter((r) => r.Type !== 'NS' && r.Type !== 'SOA')
    .map(
      (r) =>
        `${r.Type} ${r.Name!.replace(/\.$/, '')} = ${(r.ResourceRecords ?? []).map((v) => v.Value).join(' ')}`,
    )
    .sort();
}

/** Creates a public hosted zone for `domain` holding TXT `fqdn` = `value`. */
export async function publishTxtRecord(
  endpoint: string,
  accountId: string,
  domain: string,
  fqdn: string,
  value: string,
): Promise<void> {
  const route53 = route53For(endpoint, accountId);
  try {
    await upsertTxt(route53, await createZone(route53, domain), fqdn, value);
  } finally {
    route53.destroy();
  }
}
