/**
 * deploy/iam-policy.json grants exactly what the controller uses.
 *
 * Static half: every AWS SDK command the controller's source sends is granted, and every
 * granted action is one it sends (or one AWS implies, like tagging on create).
 * Dynamic half: the actions the controller's clients actually performed during the preceding
 * full integration run (recorded by the AWS proxy, .cache/aws-actions.json) are all granted,
 * and every granted action was performed. `npm test` runs this project after the others.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { apigatewayIamAction } from '../env/apigateway-iam.ts';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Actions AWS checks without a call of that name: tagging inside a create request, an
 * AssumeRole that carries session tags and a SourceIdentity (as every per-object one does,
 * src/aws/credentials.ts sessionFields), and an interface endpoint with PrivateDnsEnabled
 * (AWS associates its own private hosted zone with the VPC on the caller's behalf), and a
 * first VPC link (the service-linked role of API Gateway).
 */
const IMPLIED = new Set([
  'route53:AssociateVPCWithHostedZone',
  // The first VPC link of an account makes API Gateway's service-linked role, which then
  // creates and deletes the link's network interfaces (no ec2 grant to the controller).
  'iam:CreateServiceLinkedRole',
  'ec2:CreateTags',
  'elasticloadbalancing:AddTags',
  'sts:TagSession',
  'sts:SetSourceIdentity',
]);
const prefixed =
  (prefix: string) =>
  (operation: string): string =>
    `${prefix}:${operation}`;
/** The IAM action of an operation, per SDK package (API Gateway's are HTTP verbs, one table). */
const ACTION_BY_PACKAGE: Record<string, (operation: string) => string> = {
  '@aws-sdk/client-acm': prefixed('acm'),
  '@aws-sdk/client-apigatewayv2': apigatewayIamAction,
  '@aws-sdk/client-ec2': prefixed('ec2'),
  '@aws-sdk/client-elastic-load-balancing-v2': prefixed('elasticloadbalancing'),
  '@aws-sdk/client-route-53': prefixed('route53'),
  '@aws-sdk/client-sts': prefixed('sts'),
};

interface Statement {
  Action: string | string[];
}

function policyActions(): Set<string> {
  const policy = JSON.parse(readFileSync(path.join(root, 'deploy/iam-policy.json'), 'utf8')) as {
    Statement: Statement[];
  };
  return new Set(policy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [full] : [];
  });
}

/**
 * `ec2:CreateVpcEndpoint` for each `new CreateVpcEndpointCommand(` (or SDK paginator
 * `paginateCreateVpcEndpoint(`) in src, by import package.
 */
function sentBySource(): Set<string> {
  const actions = new Set<string>();
  for (const file of sourceFiles(path.join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const [pkg, actionOf] of Object.entries(ACTION_BY_PACKAGE)) {
      const imported = new RegExp(`import\\s*(?:type\\s*)?\\{([^}]*)\\}\\s*from\\s*'${pkg}'`, 'g');
      for (const m of text.matchAll(imported)) {
        for (const name of (m[1] ?? '').split(',').map((s) => s.trim())) {
          const command = /^(\w+)Command$/.exec(name)?.[1];
          if (command && text.includes(`new ${name}(`)) actions.add(actionOf(command));
          const paged = /^paginate(\w+)$/.exec(name)?.[1];
          if (paged && text.includes(`${name}(`)) actions.add(actionOf(paged));
        }
      }
    }
  }
  return actions;
}

const sorted = (s: Iterable<string>): string[] => [...s].sort();

describe('static: the source and the policy agree', () => {
  const granted = policyActions();
  const sent = sentBySource();

  test('the source sends a plausible number of AWS actions (the scan works)', () => {
    expect(sent.size).toBeGreaterThan(20);
    expect(sent).toContain('ec2:CreateVpcEndpoint');
    expect(sent).toContain('apigateway:PATCH');
  });

  test('every action the source sends is granted', () => {
    expect(sorted([...sent].filter((a) => !granted.has(a)))).toEqual([]);
  });

  test('every granted action is sent by the source or implied by a create', () => {
    expect(sorted([...granted].filter((a) => !sent.has(a) && !IMPLIED.has(a)))).toEqual([]);
  });
});

describe('dynamic: the full integration run used exactly the granted actions', () => {
  const file = path.join(root, '.cache/aws-actions.json');
  const read = (): { fullRun: boolean; actions: Record<string, number> } => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as { fullRun: boolean; actions: Record<string, number> };
    } catch {
      throw new Error(`${file} missing: run the whole integration project first (npm test does)`);
    }
  };

  test('the record comes from a full run', () => {
    expect(read().fullRun).toBe(true);
  });

  test('every action performed is granted', () => {
    const granted = policyActions();
    expect(sorted(Object.keys(read().actions).filter((a) => !granted.has(a)))).toEqual([]);
  });

  test('every granted action was performed (or is implied by a create)', () => {
    const performed = new Set(Object.keys(read().actions));
    expect(sorted([...policyActions()].filter((a) => !performed.has(a) && !IMPLIED.has(a)))).toEqual([]);
  });
});
