/**
 * The README's first command works: `npm run sandbox -- --once` builds the controller, brings up
 * its own control plane and emulator, publishes blue and green, and prints the evidence. So does
 * its API Gateway variant (`--front-door api-gateway`, examples/api-gateway).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.resolve(import.meta.dirname, '../..');

async function sandbox(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(
    path.join(root, 'node_modules/.bin/node'),
    ['scripts/sandbox.ts', '--once', ...args],
    {
      cwd: root,
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return stdout;
}

test('the sandbox publishes blue and green and prints rules, target groups and targets', async () => {
  const stdout = await sandbox();
  const appLines = stdout.split('\n').filter((l) => /^dmz\s+publishedapp/.test(l));
  expect(appLines).toHaveLength(2);
  for (const line of appLines) expect(line).toMatch(/\sTrue\s+vpce-[0-9a-f]+\s+available\s+2\s/);
  expect(stdout).toMatch(/rule priority=\d+ path-pattern=\/blue,\/blue\/\*/);
  expect(stdout).toMatch(/rule priority=\d+ path-pattern=\/green,\/green\/\*/);
  // Each app's target group lists its endpoint's two ENI IPs in the DMZ VPC (10.100.0.0/16).
  expect(stdout.match(/targets: 10\.100\.\d+\.\d+:80 healthy, 10\.100\.\d+\.\d+:80 healthy/g)).toHaveLength(
    2,
  );
  expect(stdout).toContain('export KUBECONFIG=');
}, 600_000);

test('--front-door api-gateway publishes blue and green through the HTTP API, green behind its JWT authorizer', async () => {
  const stdout = await sandbox('--front-door', 'api-gateway');
  const appLines = stdout.split('\n').filter((l) => /^dmz\s+publishedapp/.test(l));
  expect(appLines).toHaveLength(2);
  for (const line of appLines) expect(line).toMatch(/\sTrue\s+vpce-[0-9a-f]+\s+available\s+2\s/);
  // Each path is a route to an HTTP_PROXY integration over the VPC link to the internal listener.
  const via = String.raw`HTTP_PROXY VPC_LINK [a-z0-9]+ → arn:aws:elasticloadbalancing:us-east-1:222222222222:listener/app/dmz-internal-alb/`;
  const routes: [string, string][] = [
    ['ANY /blue', 'NONE'],
    ['ANY /blue/{proxy+}', 'NONE'],
    ['ANY /green', 'JWT'],
    ['ANY /green/{proxy+}', 'JWT'],
  ];
  for (const [key, auth] of routes)
    expect(stdout).toMatch(new RegExp(`route ${key.replace(/[{}+/]/g, '\\$&')} \\(${auth}\\) → ${via}`));
  expect(stdout).toMatch(/https:\/\/[a-z0-9]+\.execute-api\.us-east-1\.amazonaws\.com\/blue/);
}, 600_000);
