/**
 * The README's first command works: `npm run sandbox -- --once` builds the controller, brings up
 * its own control plane and emulator, publishes blue and green, and prints the evidence.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.resolve(import.meta.dirname, '../..');

test('the sandbox publishes blue and green and prints rules, target groups and targets', async () => {
  const { stdout } = await promisify(execFile)(
    path.join(root, 'node_modules/.bin/node'),
    ['scripts/sandbox.ts', '--once'],
    {
      cwd: root,
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
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
