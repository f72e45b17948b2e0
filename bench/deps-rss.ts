/**
 * Baseline for the controller's RSS: a Node process that loads only what the controller takes
 * from its heavy dependencies (Kubernetes client, EC2/ELBv2/STS SDK clients) and prints its
 * RSS in bytes. Run as a child by run.ts, bundled like the controller unless `--unbundled`.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { STSClient } from '@aws-sdk/client-sts';
import { KubeConfig } from '@kubernetes/client-node';

// Referenced, so a bundler keeps them.
const loaded = [EC2Client, ElasticLoadBalancingV2Client, STSClient, KubeConfig];
process.stdout.write(`${loaded.length > 0 ? process.memoryUsage().rss : 0}\n`);
