/**
 * ELBv2 targets keyed by (Id, Port), IP targets validated against the target group's VPC,
 * deregistered targets draining for the deregistration delay.
 */
import { jest } from '@jest/globals';
import {
  CreateTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
  type TargetDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { MotoServer } from '../env/moto/server.ts';
import {
  clientsFor,
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
let groupArn: string;

beforeAll(async () => {
  moto = await startTestMoto('elbv2-targets');
  account = clientsFor(moto);
  network = await createNetwork(account.ec2, 1);
  const tg = await account.elbv2.send(
    new CreateTargetGroupCommand({
      Name: 'ips',
      Protocol: 'HTTP',
      Port: 80,
      VpcId: network.vpcId,
      TargetType: 'ip',
    }),
  );
  groupArn = tg.TargetGroups![0]!.TargetGroupArn!;
});

afterAll(async () => {
  account.destroy();
  await moto.process.stop();
});

/** `id:port=state` of every target DescribeTargetHealth lists. */
async function listed(arn = groupArn): Promise<string[]> {
  const out = await account.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
  return out
    .TargetHealthDescriptions!.map((d) => `${d.Target!.Id}:${d.Target!.Port}=${d.TargetHealth!.State}`)
    .sort();
}

async function registered(): Promise<string[]> {
  return (await listed())
    .filter((t) => !t.endsWith('=draining'))
    .map((t) => t.split('=')[0]!)
    .sort();
}

function register(targets: TargetDescription[]): Promise<unknown> {
  return account.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: groupArn, Targets: targets }));
}

it('treats the same IP on two ports as two targets', async () => {
  await register([{ Id: '10.1.1.10', Port: 80 }, { Id: '10.1.1.10', Port: 8080 }, { Id: '10.1.2.20' }]);
  expect(await registered()).toEqual(['10.1.1.10:80', '10.1.1.10:8080', '10.1.2.20:80']);
  await account.elbv2.send(
    new DeregisterTargetsCommand({ TargetGroupArn: groupArn, Targets: [{ Id: '10.1.1.10', Port: 80 }] }),
  );
  expect(await registered()).toEqual(['10.1.1.10:8080', '10.1.2.20:80']);
  const health = await account.elbv2.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: groupArn, Targets: [{ Id: '10.1.1.10', Port: 80 }] }),
  );
  expect(health.TargetHealthDescriptions![0]!.TargetHealth!.State).toBe('draining');
  await account.elbv2.send(
    new DeregisterTargetsCommand({
      TargetGroupArn: groupArn,
      Targets: [{ Id: '10.1.1.10', Port: 8080 }, { Id: '10.1.2.20' }],
    }),
  );
  expect(await registered()).toEqual([]);
});

it('refuses IPs outside the VPC subnets, and non-IPs, registering nothing of the batch', async () => {
  for (const bad of ['10.9.9.9', '8.8.8.8', 'i-0123456789abcdef0']) {
    expect(await errorCode(register([{ Id: '10.1.1.30' }, { Id: bad }]))).toBe('InvalidTargetException');
  }
  expect(await registered()).toEqual([]);
});

it('accepts a private IP outside the VPC with AvailabilityZone all, but not a public one', async () => {
  await register([{ Id: '192.168.5.5', AvailabilityZone: 'all' }]);
  expect(await registered()).toEqual(['192.168.5.5:80']);
  expect(await errorCode(register([{ Id: '8.8.8.8', AvailabilityZone: 'all' }]))).toBe(
    'InvalidTargetException',
  );
  await account.elbv2.send(
    new DeregisterTargetsCommand({
      TargetGroupArn: groupArn,
      Targets: [{ Id: '192.168.5.5', AvailabilityZone: 'all' }],
    }),
  );
});

it('lists deregistered targets as draining for the deregistration delay, then drops them', async () => {
  const tg = await account.elbv2.send(
    new CreateTargetGroupCommand({
      Name: 'drain',
      Protocol: 'HTTP',
      Port: 80,
      VpcId: network.vpcId,
      TargetType: 'ip',
    }),
  );
  const arn = tg.TargetGroups![0]!.TargetGroupArn!;
  await account.elbv2.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: arn,
      Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '2' }],
    }),
  );
  await account.elbv2.send(
    new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.1.1.40' }] }),
  );
  await account.elbv2.send(
    new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.1.1.40' }] }),
  );
  expect(await listed(arn)).toEqual(['10.1.1.40:80=draining']);
  await new Promise((r) => setTimeout(r, 2500));
  expect(await listed(arn)).toEqual([]);
  const asked = await account.elbv2.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.1.1.40' }] }),
  );
  expect(asked.TargetHealthDescriptions![0]!.TargetHealth!.State).toBe('unused');
});

it('deregistering a target that is not registered does nothing', async () => {
  const before = await listed();
  await account.elbv2.send(
    new DeregisterTargetsCommand({ TargetGroupArn: groupArn, Targets: [{ Id: '10.1.1.99', Port: 80 }] }),
  );
  expect(await listed()).toEqual(before);
});

it('re-registering a draining target makes it healthy again', async () => {
  await register([{ Id: '10.1.1.50' }]);
  await account.elbv2.send(
    new DeregisterTargetsCommand({ TargetGroupArn: groupArn, Targets: [{ Id: '10.1.1.50' }] }),
  );
  await register([{ Id: '10.1.1.50' }]);
  expect((await listed()).filter((t) => t.startsWith('10.1.1.50:'))).toEqual(['10.1.1.50:80=healthy']);
});
