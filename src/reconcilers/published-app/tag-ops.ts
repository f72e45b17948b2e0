/** Thin wrappers of the tagging calls (EC2 CreateTags / DeleteTags, ELBv2 DescribeTags / AddTags / RemoveTags). */
import { CreateTagsCommand, DeleteTagsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import {
  AddTagsCommand,
  DescribeTagsCommand,
  RemoveTagsCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { tagMap, type AwsTag } from '../../aws/tags.ts';

/** CreateTags: adds or overwrites `tags` on an EC2 resource (endpoint, SG). */
export async function tagEc2Resource(ec2: EC2Client, id: string, tags: readonly AwsTag[]): Promise<void> {
  await ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [...tags] }));
}

/** The tags of up to 20 ELBv2 resources (target groups, rules), by ARN. */
export async function describeElbTags(
  elbv2: ElasticLoadBalancingV2Client,
  arns: readonly string[],
): Promise<Map<string, Record<string, string>>> {
  const out = await elbv2.send(new DescribeTagsCommand({ ResourceArns: [...arns] }));
  return new Map((out.TagDescriptions ?? []).map((d) => [d.ResourceArn ?? '', tagMap(d.Tags)]));
}

/** AddTags: adds or overwrites `tags` on an ELBv2 resource. */
export async function tagElbResource(
  elbv2: ElasticLoadBalancingV2Client,
  arn: string,
  tags: readonly AwsTag[],
): Promise<void> {
  await elbv2.send(new AddTagsCommand({ ResourceArns: [arn], Tags: [...tags] }));
}

/** DeleteTags: removes the tags with these keys (whatever their values) from an EC2 resource. */
export async function untagEc2Resource(ec2: EC2Client, id: string, keys: readonly string[]): Promise<void> {
  await ec2.send(new DeleteTagsCommand({ Resources: [id], Tags: keys.map((Key) => ({ Key })) }));
}

/** RemoveTags: removes the tags with these keys from an ELBv2 resource. */
export async function untagElbResource(
  elbv2: ElasticLoadBalancingV2Client,
  arn: string,
  keys: readonly string[],
): Promise<void> {
  await elbv2.send(new RemoveTagsCommand({ ResourceArns: [arn], TagKeys: [...keys] }));
}
