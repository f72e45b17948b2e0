import type { ServiceZones, SubnetInfo } from './aws-ops.ts';
import { planSubnets, type SubnetPlan } from './plan-subnets.ts';

const VPC = 'vpc-0dmz';
const SUBNETS = new Map<string, SubnetInfo>([
  ['subnet-a', { vpcId: VPC, zone: 'us-east-1a', zoneId: 'use1-az1' }],
  ['subnet-b', { vpcId: VPC, zone: 'us-east-1b', zoneId: 'use1-az2' }],
  ['subnet-d', { vpcId: VPC, zone: 'us-east-1d', zoneId: 'use1-az4' }],
  ['subnet-x', { vpcId: 'vpc-0other', zone: 'us-east-1a', zoneId: 'use1-az1' }],
]);
const SERVICE = 'com.amazonaws.vpce.us-east-1.vpce-svc-0123';
const BY_ID: ServiceZones = { zoneIds: ['use1-az1', 'use1-az2', 'use1-az3'], zones: [] };
// The provider's account names use1-az4 "us-east-1a": names alone would let subnet-d through
// and refuse subnet-a.
const NAMES_OF_ANOTHER_ACCOUNT: ServiceZones = {
  zoneIds: ['use1-az1', 'use1-az2', 'use1-az3'],
  zones: ['us-east-1a', 'us-east-1d', 'us-east-1e'],
};
const BY_NAME: ServiceZones = { zoneIds: [], zones: ['us-east-1a', 'us-east-1b'] };

test.each<[string, string[], string[], ServiceZones | undefined, SubnetPlan]>([
  ['all good', ['subnet-a', 'subnet-b'], [], BY_ID, { usable: ['subnet-a', 'subnet-b'] }],
  [
    'a zone not offered, by id',
    ['subnet-a', 'subnet-d'],
    [],
    BY_ID,
    {
      usable: ['subnet-a'],
      problem: {
        reason: 'AvailabilityZoneNotOffered',
        message: `subnet(s) subnet-d (use1-az4) are in zones ${SERVICE} is not offered in; it is offered in use1-az1, use1-az2, use1-az3`,
      },
    },
  ],
  [
    'ids win over names that differ between accounts',
    ['subnet-a', 'subnet-b'],
    [],
    NAMES_OF_ANOTHER_ACCOUNT,
    { usable: ['subnet-a', 'subnet-b'] },
  ],
  [
    'names when AWS gives no ids',
    ['subnet-b', 'subnet-d'],
    [],
    BY_NAME,
    {
      usable: ['subnet-b'],
      problem: {
        reason: 'AvailabilityZoneNotOffered',
        message: `subnet(s) subnet-d (use1-az4) are in zones ${SERVICE} is not offered in; it is offered in us-east-1a, us-east-1b`,
      },
    },
  ],
  [
    'a subnet already on the endpoint is not judged again',
    ['subnet-d'],
    ['subnet-d'],
    BY_ID,
    { usable: ['subnet-d'] },
  ],
  ['zones not read: not judged', ['subnet-d'], [], undefined, { usable: ['subnet-d'] }],
  [
    'missing first, all bad ones left out',
    ['subnet-a', 'subnet-gone', 'subnet-x', 'subnet-d'],
    [],
    BY_ID,
    {
      usable: ['subnet-a'],
      problem: { reason: 'SubnetNotFound', message: 'subnet(s) subnet-gone not found' },
    },
  ],
  [
    'another VPC',
    ['subnet-x', 'subnet-b'],
    [],
    BY_ID,
    {
      usable: ['subnet-b'],
      problem: { reason: 'SubnetNotInVpc', message: `subnet(s) subnet-x are not in ${VPC}` },
    },
  ],
])('%s', (_name, wanted, current, service, want) => {
  expect(
    planSubnets({ wanted, vpcId: VPC, subnets: SUBNETS, current, serviceName: SERVICE, service }),
  ).toEqual(want);
});
