import { appUrl, endpointClientToken, listenerArnOfRule, targetGroupName } from './names.ts';

describe('targetGroupName', () => {
  const uid = '6c1c3a0e-8a8c-4c43-9a0f-1e2d3c4b5a69';
  it('is 32 characters of what ELBv2 accepts, deterministic', () => {
    const name = targetGroupName(uid, 'HTTP', 80);
    expect(name).toMatch(/^plp-[a-z2-7]{28}$/);
    expect(targetGroupName(uid, 'HTTP', 80)).toBe(name);
  });
  it('differs per UID, protocol and port', () => {
    const names = new Set([
      targetGroupName(uid, 'HTTP', 80),
      targetGroupName(uid.replace('6c1', '6c2'), 'HTTP', 80),
      targetGroupName(uid, 'HTTPS', 80),
      targetGroupName(uid, 'HTTP', 8080),
    ]);
    expect(names.size).toBe(4);
  });
});

describe('endpointClientToken', () => {
  it('is stable for a retry and changes when the recorded endpoint is replaced', () => {
    expect(endpointClientToken('u', undefined)).toBe(endpointClientToken('u', undefined));
    expect(endpointClientToken('u', 'vpce-1')).not.toBe(endpointClientToken('u', undefined));
    expect(endpointClientToken('u', 'vpce-1').length).toBeLessThanOrEqual(64);
  });
});

describe('listenerArnOfRule', () => {
  it('maps a rule ARN to its listener', () => {
    expect(
      listenerArnOfRule(
        'arn:aws:elasticloadbalancing:us-east-1:1:listener-rule/app/dmz/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee',
      ),
    ).toBe('arn:aws:elasticloadbalancing:us-east-1:1:listener/app/dmz/50dc6c495c0c9188/f2f7dc8efc522ab2');
  });
});

describe('appUrl', () => {
  it.each([
    ['HTTP', ['/blue*'], 'http://alb.example/blue'],
    ['HTTPS', ['/blue/*', '/blue'], 'https://alb.example/blue/'],
    ['HTTP', ['/'], 'http://alb.example/'],
  ])('%s %j', (protocol, paths, want) => {
    expect(appUrl(protocol, 'alb.example', paths)).toBe(want);
  });
});
