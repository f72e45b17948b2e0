/**
 * Foreign things next to the soak's apps, in every DMZ: none carries the controller's tags,
 * some are named like its own. The invariants require them unchanged through the whole soak.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateTargetGroupCommand,
  RegisterTargetsCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Dmz } from '../test/integration/published-app/world.ts';
import { seedForeignRules } from '../test/reliability/inventory.ts';

/** Seeds DMZ number `k`: a target group with targets and a rule to it, a fixed-response rule at
 * 1000 (where allocation starts), a look-alike security group, and an extra rule on the ALB's SG.
 * @returns how many foreign resources it made. */
export async function seedForeign(
  ec2: EC2Client,
  elbv2: ElasticLoadBalancingV2Client,
  dmz: Dmz,
  k: number,
): Promise<number> {
  const tg = await elbv2.send(
    new CreateTargetGroupCommand({
      Name: `plp-lookalike-${k}`,
      Protocol: 'HTTP',
      Port: 80,
      VpcId: dmz.vpcId,
      TargetType: 'ip',
    }),
  );
  const tgArn = tg.TargetGroups![0]!.TargetGroupArn!;
  const octets = dmz.cidr.split('.').slice(0, 2).join('.');
  await elbv2.send(
    new RegisterTargetsCommand({
      TargetGroupArn: tgArn,
      Targets: [
        { Id: `${octets}.1.10`, Port: 80 },
        { Id: `${octets}.2.10`, Port: 80 },
      ],
    }),
  );
  await seedForeignRules(elbv2, dmz.listenerArn, tgArn);
  const sg = await ec2.send(
    new CreateSecurityGroupCommand({
      VpcId: dmz.vpcId,
      GroupName: `plp-bench-lookalike-${k}`,
      Description: 'looks like ours, is not',
    }),
  );
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: sg.GroupId!,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 80,
          ToPort: 80,
          UserIdGroupPairs: [{ GroupId: dmz.albSecurityGroupId }],
        },
      ],
    }),
  );
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: dmz.albSecurityGroupId,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    }),
  );
  return 5;
}
