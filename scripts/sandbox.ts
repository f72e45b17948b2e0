/**
 * `npm run sandbox`: the whole product on one machine, no cluster and no AWS account.
 *
 * Brings up a real etcd + kube-apiserver and the extended moto from the test environment,
 * builds the seed's world in three emulated accounts (blue and green providers with NLBs, a
 * DMZ with an internet-facing ALB and an HTTP:80 listener), starts the controller as its real
 * entry point (`node dist/main.js`), applies examples/blue-green with the world's ids, waits
 * for Ready and prints what a user wants to see. Stays up until Ctrl-C, then cleans up.
 *
 * `--once` exits after printing (the tests use it to keep the README's first command true).
 * `--front-door api-gateway` puts the apps behind an API Gateway HTTP API instead (seed 004):
 * an internal ALB with an HTTPS listener and an HTTP API are added to the DMZ account, and
 * examples/api-gateway is applied (with blue-green's identities and endpoint services).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ACMClient } from '@aws-sdk/client-acm';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { KubeConfig } from '@kubernetes/client-node';
import { installCrds, startControlPlane } from '../test/env/control-plane.ts';
import { createControllerIdentity } from '../test/env/controller-identity.ts';
import { accountCredentials, runKubectl } from '../test/env/context.ts';
import { readToolPaths } from '../test/env/global-setup.ts';
import { startMoto } from '../test/env/moto/server.ts';
import { startProcess, waitFor } from '../test/env/processes.ts';
import { createDmz, createProvider } from '../test/integration/published-app/world.ts';
import {
  apiSubstitutions,
  createApiFrontDoor,
  printApi,
  type ApiFrontDoorWorld,
} from './sandbox-api-gateway.ts';

const root = path.resolve(import.meta.dirname, '..');
const once = process.argv.includes('--once');
/** `--front-door api-gateway` (or `--front-door=api-gateway`); default the internet-facing ALB. */
function frontDoorArg(argv: readonly string[]): 'alb' | 'api-gateway' {
  const at = argv.findIndex((a) => a === '--front-door' || a.startsWith('--front-door='));
  if (at < 0) return 'alb';
  const arg = argv[at] ?? '';
  const value = arg.includes('=') ? arg.split('=')[1] : argv[at + 1];
  if (value === 'api-gateway' || value === 'alb') return value;
  throw new Error(`--front-door must be alb or api-gateway, not ${value ?? '(nothing)'}`);
}
const frontDoor = frontDoorArg(process.argv);
/** The accounts the examples name: blue and green providers, the DMZ. */
const ACCOUNTS = { blue: '111111111111', dmz: '222222222222', green: '333333333333' } as const;
const CLUSTER_ID = 'sandbox';

const step = (msg: string): void => {
  process.stdout.write(`\x1b[1m==>\x1b[0m ${msg}\n`);
};

function clientsFor(cfg: Awaited<ReturnType<typeof accountCredentials>>): {
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
} {
  return { ec2: new EC2Client(cfg), elbv2: new ElasticLoadBalancingV2Client(cfg) };
}

/** The examples' placeholder ids, in the order they appear, mapped to the world's real ones. */
function substitutions(world: {
  blueNlb: string;
  greenNlb: string;
  dmz: Awaited<ReturnType<typeof createDmz>>;
}): [RegExp, string][] {
  return [
    [/arn:aws:elasticloadbalancing:[^\s]+:loadbalancer\/net\/blue-nlb\/[0-9a-f]+/g, world.blueNlb],
    [/arn:aws:elasticloadbalancing:[^\s]+:loadbalancer\/net\/green-nlb\/[0-9a-f]+/g, world.greenNlb],
    [
      /arn:aws:elasticloadbalancing:[^\s]+:listener\/app\/dmz-alb\/[0-9a-f]+\/[0-9a-f]+/g,
      world.dmz.listenerArn,
    ],
    [/vpc-0d2e4f6a8b0c1d3e5/g, world.dmz.vpcId],
    [/subnet-0a11b22c33d44e55f/g, world.dmz.subnetIds[0] ?? ''],
    [/subnet-0f66e77d88c99b00a/g, world.dmz.subnetIds[1] ?? ''],
  ];
}

async function main(): Promise<void> {
  const started = Date.now();
  step(
    'preparing binaries and the AWS emulator (first run builds kube-apiserver, etcd, kubectl, helm: ~10 min)',
  );
  execFileSync('bash', [path.join(root, 'test/env/prepare.sh')], { stdio: 'inherit' });
  step('building the controller (npm run build)');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });

  const tools = readToolPaths();
  const workDir = path.join(root, '.cache', 'sandbox');
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });

  step('starting etcd + kube-apiserver and the AWS emulator (moto with PrivateLink extensions)');
  const [cp, moto] = await Promise.all([
    startControlPlane({ assetsDir: tools.kubebuilderAssets, workDir }),
    startMoto({ python: tools.python, logFile: path.join(workDir, 'moto.log') }),
  ]);
  await installCrds(cp.kubectlPath, cp.kubeconfigPath, path.join(root, 'crds'));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.url,
    AWS_REGION: 'us-east-1',
    PLP_KUBECTL: cp.kubectlPath,
    PLP_HELM: tools.helm,
  });
  const kubectl = (args: string[], stdin?: string) => runKubectl(cp.kubeconfigPath, args, stdin);

  step(
    'creating the seed world: blue and green provider VPCs with NLBs, a DMZ VPC with an internet-facing ALB',
  );
  const blue = clientsFor(await accountCredentials(ACCOUNTS.blue));
  const green = clientsFor(await accountCredentials(ACCOUNTS.green));
  const dmzClients = clientsFor(await accountCredentials(ACCOUNTS.dmz));
  const [blueProvider, greenProvider, dmz] = await Promise.all([
    createProvider(blue.ec2, blue.elbv2, 'blue', 1, { prefix: 'blue' }),
    createProvider(green.ec2, green.elbv2, 'green', 1, { prefix: 'green' }),
    createDmz(dmzClients.ec2, dmzClients.elbv2, 100, 'dmz'),
  ]);

  step("installing the chart's ServiceAccount and RBAC in plp-system (the controller runs as it)");
  await kubectl(['create', 'namespace', 'plp-system']);
  const adminKc = new KubeConfig();
  adminKc.loadFromFile(cp.kubeconfigPath);
  const identity = await createControllerIdentity({
    adminKc,
    kubectl,
    namespace: 'plp-system',
    release: 'privatelink-publisher',
    dir: workDir,
  });

  step('starting the controller: node dist/main.js');
  const controllerLog = path.join(workDir, 'controller.log');
  const controller = startProcess(
    'controller',
    path.join(root, 'node_modules/.bin/node'),
    [
      path.join(root, 'dist/main.js'),
      `--kubeconfig=${identity.kubeconfigPath}`,
      `--cluster-id=${CLUSTER_ID}`,
      '--region=us-east-1',
      '--http-address=127.0.0.1:0',
      '--resync-period=30s',
    ],
    {
      logFile: controllerLog,
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'sandbox', AWS_SECRET_ACCESS_KEY: 'sandbox' },
    },
  );

  const dmzAccount = await accountCredentials(ACCOUNTS.dmz);
  const apiClients = { acm: new ACMClient(dmzAccount), apigw: new ApiGatewayV2Client(dmzAccount) };
  let api: ApiFrontDoorWorld | undefined;
  if (frontDoor === 'api-gateway') {
    step(
      'adding the API front door: an internal ALB with an HTTPS listener, an HTTP API with a JWT authorizer',
    );
    api = await createApiFrontDoor({ ...dmzClients, ...apiClients }, dmz, ACCOUNTS.dmz);
  }
  for (const ns of ['team-blue', 'team-green', 'dmz']) await kubectl(['create', 'namespace', ns]);
  const subs = [
    ...substitutions({ blueNlb: blueProvider.nlbArn, greenNlb: greenProvider.nlbArn, dmz }),
    ...(api ? apiSubstitutions(api) : []),
  ];
  for (const [dir, files] of exampleSets(api !== undefined)) {
    step(`applying examples/${dir} (with the world ids)`);
    for (const file of files) {
      let manifest = readFileSync(path.join(root, 'examples', dir, file), 'utf8');
      for (const [pattern, value] of subs) manifest = manifest.replace(pattern, value);
      const out = await kubectl(['apply', '-f', '-'], manifest);
      if (out.code !== 0) throw new Error(`kubectl apply ${file}: ${out.stderr}`);
      process.stdout.write(`    ${out.stdout.trim()}\n`);
    }
  }

  step('waiting for both apps to be Ready');
  await waitFor(
    'EndpointServices and PublishedApps Ready',
    async () => {
      const wait = await kubectl([
        'wait',
        '--for=condition=Ready',
        '--timeout=5s',
        'eps,papp',
        '--all',
        '-A',
      ]);
      return wait.code === 0;
    },
    300_000,
    controller,
  );

  const get = await kubectl(['get', 'privatelink', '-A']);
  process.stdout.write(`\n$ kubectl get privatelink -A\n${get.stdout}\n`);
  if (api) {
    await printAlb(dmzClients.elbv2, api.listenerArn, 'internal: reached only through the API');
    await printApi(apiClients.apigw, api.apiId);
    const urls = await kubectl([
      'get',
      'papp',
      '-n',
      'dmz',
      '-o',
      'jsonpath={range .items[*]}{.status.invokeUrl}{"\\n"}{end}',
    ]);
    process.stdout.write(`invoke URLs:\n${urls.stdout}\n`);
  } else await printAlb(dmzClients.elbv2, dmz.listenerArn, `http://${dmz.albDnsName}`);
  process.stdout.write(`
Ready in ${Math.round((Date.now() - started) / 1000)} s. Poke it:
  export KUBECONFIG=${cp.kubeconfigPath}
  kubectl get papp -n dmz -o yaml        # status, conditions, endpoint IPs
  export AWS_ENDPOINT_URL=${moto.url} AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x
  # accounts: blue ${ACCOUNTS.blue}, dmz ${ACCOUNTS.dmz}, green ${ACCOUNTS.green}; add header x-moto-account-id or assume
  # arn:aws:iam::<account>:role/any to act in one, e.g. with the AWS CLI:
  #   aws sts assume-role --role-arn arn:aws:iam::${ACCOUNTS.dmz}:role/me --role-session-name me
  controller log: ${controllerLog}
`);

  const shutdown = async (): Promise<void> => {
    step('stopping');
    await controller.stop();
    await Promise.all([cp.stop(), moto.process.stop()]);
    for (const c of [blue, green, dmzClients]) {
      c.ec2.destroy();
      c.elbv2.destroy();
    }
    apiClients.acm.destroy();
    apiClients.apigw.destroy();
  };
  if (once) {
    await shutdown();
    return;
  }
  process.stdout.write('Up until Ctrl-C.\n');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await shutdown();
}

/**
 * The example sets to apply, in order: blue-green whole; or, behind the API, blue-green's
 * identities and endpoint services, then examples/api-gateway.
 */
function exampleSets(api: boolean): [string, string[]][] {
  const yaml = (dir: string) =>
    readdirSync(path.join(root, 'examples', dir))
      .filter((f) => f.endsWith('.yaml'))
      .sort();
  if (!api) return [['blue-green', yaml('blue-green')]];
  const shared = yaml('blue-green').filter(
    (f) => f.startsWith('awsidentities') || f.startsWith('endpointservice'),
  );
  return [
    ['blue-green', shared],
    ['api-gateway', yaml('api-gateway')],
  ];
}

/** Prints the listener's rules with their target groups and the targets' health. */
async function printAlb(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
  where: string,
): Promise<void> {
  process.stdout.write(`ALB ${where}  listener ${listenerArn}\n`);
  const rules = (await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).Rules ?? [];
  for (const rule of rules) {
    const cond = (rule.Conditions ?? [])
      .map((c) => {
        const values = c.PathPatternConfig?.Values ?? c.HostHeaderConfig?.Values ?? c.Values ?? [];
        return `${c.Field ?? ''}=${values.join(',')}`;
      })
      .join(' ');
    const tgArn = rule.Actions?.[0]?.TargetGroupArn;
    process.stdout.write(
      `  rule priority=${rule.Priority} ${cond || '(default)'} → ${tgArn ?? rule.Actions?.[0]?.Type}\n`,
    );
    if (!tgArn) continue;
    const tg = (await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tgArn] })))
      .TargetGroups?.[0];
    const health = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
    const targets = (health.TargetHealthDescriptions ?? [])
      .map((t) => `${t.Target?.Id}:${t.Target?.Port} ${t.TargetHealth?.State}`)
      .join(', ');
    process.stdout.write(`    target group ${tg?.TargetGroupName} (${tg?.TargetType}) targets: ${targets}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `sandbox failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
