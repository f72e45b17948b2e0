/**
 * Baseline for the controller's RSS: a Node process that only loads the controller's
 * heavy dependencies (Kubernetes client, EC2/ELBv2/STS SDK clients) and prints its RSS in
 * bytes. Run as a child by run.ts.
 */
await import('@kubernetes/client-node');
await import('@aws-sdk/client-ec2');
await import('@aws-sdk/client-elastic-load-balancing-v2');
await import('@aws-sdk/client-sts');
process.stdout.write(`${process.memoryUsage().rss}\n`);
