import { deletionPolicyOf } from './deletion-policy.ts';

describe('deletionPolicyOf', () => {
  it.each<[string, Parameters<typeof deletionPolicyOf>[0], 'Delete' | 'Retain']>([
    ['created: Delete', {}, 'Delete'],
    ['adopted: Retain', { adopt: { serviceId: 'vpce-svc-0123456789abcdef0' } }, 'Retain'],
    ['an app adopting only its rule: Retain', { adopt: { ruleArn: 'arn' } }, 'Retain'],
    ['adopted, Delete asked for', { adopt: { endpointId: 'vpce-1' }, deletionPolicy: 'Delete' }, 'Delete'],
    ['created, Retain asked for', { deletionPolicy: 'Retain' }, 'Retain'],
  ])('%s', (_, spec, policy) => {
    expect(deletionPolicyOf(spec)).toBe(policy);
  });
});
