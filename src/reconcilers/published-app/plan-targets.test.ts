import { planTargets, type RegisteredTarget, type TargetPlan } from './plan-targets.ts';

const t = (ip: string, state = 'healthy', port = 80): RegisteredTarget => ({ ip, port, state });
const r = (ip: string, port = 80) => ({ ip, port });
const empty: TargetPlan = { register: [], deregister: [], kept: [], foreign: [] };

describe('planTargets', () => {
  const cases: {
    name: string;
    desired: string[];
    registered: RegisteredTarget[];
    former?: string[];
    settled?: boolean;
    want: Partial<TargetPlan>;
  }[] = [
    {
      name: 'in sync',
      desired: ['10.0.1.5', '10.0.2.6'],
      registered: [t('10.0.2.6'), t('10.0.1.5')],
      want: {},
    },
    {
      name: 'empty group gets every IP',
      desired: ['10.0.2.6', '10.0.1.5'],
      registered: [],
      want: { register: [r('10.0.1.5'), r('10.0.2.6')] },
    },
    {
      name: 'new ENI: register new, deregister stale (ours before)',
      desired: ['10.0.1.5', '10.0.3.7'],
      registered: [t('10.0.1.5'), t('10.0.2.6')],
      former: ['10.0.1.5', '10.0.2.6'],
      want: { register: [r('10.0.3.7')], deregister: [r('10.0.2.6')] },
    },
    {
      name: 'unhealthy and initial targets count as registered',
      desired: ['10.0.1.5', '10.0.2.6'],
      registered: [t('10.0.1.5', 'unhealthy'), t('10.0.2.6', 'initial')],
      want: {},
    },
    {
      name: 'draining desired target is registered again',
      desired: ['10.0.1.5'],
      registered: [t('10.0.1.5', 'draining')],
      want: { register: [r('10.0.1.5')] },
    },
    {
      name: 'draining stale target is left alone',
      desired: ['10.0.1.5'],
      registered: [t('10.0.1.5'), t('10.0.2.6', 'draining')],
      former: ['10.0.2.6'],
      want: {},
    },
    {
      name: 'foreign target is reported, not removed',
      desired: ['10.0.1.5'],
      registered: [t('10.0.1.5'), t('192.168.9.9')],
      former: ['10.0.1.5'],
      want: { foreign: [r('192.168.9.9')] },
    },
    {
      name: 'our IP on a wrong port is stale',
      desired: ['10.0.1.5'],
      registered: [t('10.0.1.5'), t('10.0.1.5', 'healthy', 8080)],
      want: { deregister: [r('10.0.1.5', 8080)] },
    },
    {
      name: 'no desired IP at all: stale targets kept until a replacement exists',
      desired: [],
      registered: [t('10.0.1.5'), t('10.0.2.6')],
      former: ['10.0.1.5', '10.0.2.6'],
      want: { kept: [r('10.0.1.5'), r('10.0.2.6')] },
    },
    {
      name: 'endpoint replaced: all new registered, all old deregistered',
      desired: ['10.0.1.9', '10.0.2.9'],
      registered: [t('10.0.1.5'), t('10.0.2.6')],
      former: ['10.0.1.5', '10.0.2.6'],
      want: { register: [r('10.0.1.9'), r('10.0.2.9')], deregister: [r('10.0.1.5'), r('10.0.2.6')] },
    },
    {
      name: 'duplicate desired IPs register once',
      desired: ['10.0.1.5', '10.0.1.5'],
      registered: [],
      want: { register: [r('10.0.1.5')] },
    },
  ];

  it.each(cases)('$name', ({ desired, registered, former, settled, want }) => {
    const plan = planTargets({
      desiredIps: desired,
      port: 80,
      registered,
      formerIps: new Set(former ?? []),
      settled: settled ?? true,
    });
    expect(plan).toEqual({ ...empty, ...want });
  });
});
