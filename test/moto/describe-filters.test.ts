/**
 * Extension 5: DescribeVpcEndpoints by ids / `vpc-endpoint-id` / tags,
 * DescribeVpcEndpointServiceConfigurations by ServiceIds and tags, DescribeVpcEndpointServices
 * with filters.
 */
import { jest } from '@jest/globals';
import {
  CreateTagsCommand,
  CreateVpcEndpointCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointServicesCommand,
  DescribeVpcEndpointsCommand,
  type Filter,
} from '@aws-sdk/client-ec2';
import type { MotoServer } from '../env/moto/server.ts';
import {
  clientsFor,
  createEndpointService,
  createNetwork,
  errorCode,
  startTestMoto,
  type AccountClients,
  type Network,
} from './helpers.ts';

// Hooks start and stop a server; a loaded 2-core machine needs more than jest's 5 s.
jest.setTimeout(60_000);

let moto: MotoServer;
let account: AccountClients;
let network: Network;
let services: { serviceId: string; serviceName: string }[];
let endpointIds: string[];

beforeAll(async () => {
  moto = await startTestMoto('describe-filters');
  account = clientsFor(moto);
  network = await createNetwork(account.ec2, 1);
  services = [];
  endpointIds = [];
  for (const team of ['blue', 'green', 'blue']) {
    const svc = await createEndpointService(account, network, { acceptanceRequired: false });
    await account.ec2.send(
      new CreateTagsCommand({ Resources: [svc.serviceId], Tags: [{ Key: 'team', Value: team }] }),
    );
    services.push(svc);
    const ep = await account.ec2.send(
      new CreateVpcEndpointCommand({
        VpcId: network.vpcId,
        ServiceName: svc.serviceName,
        VpcEndpointType: 'Interface',
        SubnetIds: [network.subnetIds[0]!],
        TagSpecifications: [{ ResourceType: 'vpc-endpoint', Tags: [{ Key: 'team', Value: team }] }],
      }),
    );
    endpointIds.push(ep.VpcEndpoint!.VpcEndpointId!);
  }
});

afterAll(async () => {
  account.destroy();
  await moto.process.stop();
});

async function endpoints(input: { VpcEndpointIds?: string[]; Filters?: Filter[] }): Promise<string[]> {
  const out = await account.ec2.send(new DescribeVpcEndpointsCommand(input));
  return out.VpcEndpoints!.map((e) => e.VpcEndpointId!).sort();
}

async function configurations(input: { ServiceIds?: string[]; Filters?: Filter[] }): Promise<string[]> {
  const out = await account.ec2.send(new DescribeVpcEndpointServiceConfigurationsCommand(input));
  return out.ServiceConfigurations!.map((c) => c.ServiceId!).sort();
}

describe('DescribeVpcEndpoints', () => {
  it('selects by VpcEndpointIds and by the vpc-endpoint-id filter alike', async () => {
    const wanted = [endpointIds[0]!, endpointIds[2]!].sort();
    expect(await endpoints({ VpcEndpointIds: wanted })).toEqual(wanted);
    expect(await endpoints({ Filters: [{ Name: 'vpc-endpoint-id', Values: wanted }] })).toEqual(wanted);
  });

  it('filters by tag:<key>, tag-key and combines filters with AND', async () => {
    const blue = [endpointIds[0]!, endpointIds[2]!].sort();
    expect(await endpoints({ Filters: [{ Name: 'tag:team', Values: ['blue'] }] })).toEqual(blue);
    expect(await endpoints({ Filters: [{ Name: 'tag-key', Values: ['team'] }] })).toEqual(
      [...endpointIds].sort(),
    );
    expect(
      await endpoints({
        Filters: [
          { Name: 'tag:team', Values: ['blue'] },
          { Name: 'service-name', Values: [services[2]!.serviceName] },
        ],
      }),
    ).toEqual([endpointIds[2]]);
  });
});

describe('paging', () => {
  it('DescribeVpcEndpoints pages with MaxResults / NextToken', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await account.ec2.send(
        new DescribeVpcEndpointsCommand({ MaxResults: 2, NextToken: token }),
      );
      expect(out.VpcEndpoints!.length).toBeLessThanOrEqual(2);
      seen.push(...out.VpcEndpoints!.map((e) => e.VpcEndpointId!));
      token = out.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(2);
    expect(seen.sort()).toEqual([...endpointIds].sort());
  });

  it('DescribeVpcEndpointServiceConfigurations pages, with MaxResults of at least 5', async () => {
    for (let i = 0; i < 3; i++) await createEndpointService(account, network, { acceptanceRequired: false });
    const first = await account.ec2.send(
      new DescribeVpcEndpointServiceConfigurationsCommand({ MaxResults: 5 }),
    );
    expect(first.ServiceConfigurations).toHaveLength(5);
    const second = await account.ec2.send(
      new DescribeVpcEndpointServiceConfigurationsCommand({ MaxResults: 5, NextToken: first.NextToken }),
    );
    expect(second.NextToken).toBeUndefined();
    const ids = [...first.ServiceConfigurations!, ...second.ServiceConfigurations!].map((c) => c.ServiceId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(services.map((s) => s.serviceId)));
    expect(
      await errorCode(
        account.ec2.send(new DescribeVpcEndpointServiceConfigurationsCommand({ MaxResults: 4 })),
      ),
    ).toBe('InvalidParameterValue');
  });
});

describe('DescribeVpcEndpointServiceConfigurations', () => {
  it('selects by ServiceIds; an unknown id is InvalidVpcEndpointServiceId.NotFound', async () => {
    expect(await configurations({ ServiceIds: [services[1]!.serviceId] })).toEqual([services[1]!.serviceId]);
    expect(await errorCode(configurations({ ServiceIds: ['vpce-svc-0123456789abcdef0'] }))).toBe(
      'InvalidVpcEndpointServiceId.NotFound',
    );
  });

  it('filters by tag:<key>, tag-key, service-name and service-id', async () => {
    const blue = [services[0]!.serviceId, services[2]!.serviceId].sort();
    expect(await configurations({ Filters: [{ Name: 'tag:team', Values: ['blue'] }] })).toEqual(blue);
    expect(await configurations({ Filters: [{ Name: 'tag:team', Values: ['red'] }] })).toEqual([]);
    // EC2 filter values take the wildcards * and ?.
    expect(await configurations({ Filters: [{ Name: 'tag:team', Values: ['bl*'] }] })).toEqual(blue);
    expect(await configurations({ Filters: [{ Name: 'tag:team', Values: ['gree?'] }] })).toEqual([
      services[1]!.serviceId,
    ]);
    expect(await configurations({ Filters: [{ Name: 'tag-key', Values: ['team'] }] })).toEqual(
      services.map((s) => s.serviceId).sort(),
    );
    expect(
      await configurations({ Filters: [{ Name: 'service-name', Values: [services[1]!.serviceName] }] }),
    ).toEqual([services[1]!.serviceId]);
    expect(
      await configurations({ Filters: [{ Name: 'service-id', Values: [services[0]!.serviceId] }] }),
    ).toEqual([services[0]!.serviceId]);
  });

  it('returns the tags', async () => {
    const out = await account.ec2.send(
      new DescribeVpcEndpointServiceConfigurationsCommand({ ServiceIds: [services[1]!.serviceId] }),
    );
    expect(out.ServiceConfigurations![0]!.Tags).toEqual([{ Key: 'team', Value: 'green' }]);
  });
});

describe('DescribeVpcEndpointServices', () => {
  it('filters by service-name, tag and owner instead of failing', async () => {
    const byName = await account.ec2.send(
      new DescribeVpcEndpointServicesCommand({
        Filters: [{ Name: 'service-name', Values: [services[0]!.serviceName] }],
      }),
    );
    expect(byName.ServiceNames).toEqual([services[0]!.serviceName]);

    const blue = await account.ec2.send(
      new DescribeVpcEndpointServicesCommand({ Filters: [{ Name: 'tag:team', Values: ['blue'] }] }),
    );
    expect(blue.ServiceNames).toEqual([services[0]!.serviceName, services[2]!.serviceName].sort());

    const mine = await account.ec2.send(
      new DescribeVpcEndpointServicesCommand({ Filters: [{ Name: 'owner', Values: [account.accountId] }] }),
    );
    expect(mine.ServiceNames).toEqual(expect.arrayContaining(services.map((s) => s.serviceName)));
    expect(new Set(mine.ServiceDetails!.map((d) => d.Owner))).toEqual(new Set([account.accountId]));

    const s3 = await account.ec2.send(
      new DescribeVpcEndpointServicesCommand({
        Filters: [
          { Name: 'service-name', Values: ['com.amazonaws.us-east-1.s3'] },
          { Name: 'service-type', Values: ['Gateway'] },
        ],
      }),
    );
    expect(s3.ServiceNames).toEqual(['com.amazonaws.us-east-1.s3']);
  });

  it('rejects an unknown filter name as a client error, not a 500', async () => {
    expect(
      await errorCode(
        account.ec2.send(
          new DescribeVpcEndpointServicesCommand({ Filters: [{ Name: 'bogus', Values: ['x'] }] }),
        ),
      ),
    ).toBe('InvalidParameterValue');
  });
});
