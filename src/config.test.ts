import { ConfigError, loadConfig, parseDuration } from './config.ts';

const REQUIRED = ['--region', 'us-east-1', '--cluster-id', 'prod-1'];

describe('parseDuration', () => {
  test.each([
    ['5m', 300_000],
    ['30s', 30_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['250ms', 250],
    ['2h', 7_200_000],
  ])('%s → %d ms', (s, ms) => {
    expect(parseDuration(s)).toBe(ms);
  });
  test.each(['', '5', 'm', '5 m', '5d', '-5m', '5m3'])('rejects %j', (s) => {
    expect(parseDuration(s)).toBeUndefined();
  });
});

describe('loadConfig', () => {
  test('defaults', () => {
    expect(loadConfig(REQUIRED, {})).toEqual({
      kubeconfig: undefined,
      namespaces: [],
      region: 'us-east-1',
      concurrency: 16,
      resyncPeriodMs: 300_000,
      observePeriodMs: 10_000,
      fullRecheckPeriodMs: 3_600_000,
      leaderElect: false,
      leaderElectionId: 'privatelink-publisher',
      leaderElectionNamespace: '',
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      httpAddress: ':8080',
      logLevel: 'info',
      dryRun: false,
      clusterId: 'prod-1',
      awsApiShare: 0.5,
      singleTenant: false,
      albRuleQuota: 100,
      albCertificateQuota: 25,
    });
  });

  test.each([
    [['--single-tenant'], {}, true],
    [[], { PLP_SINGLE_TENANT: 'true' }, true],
    [['--no-single-tenant'], { PLP_SINGLE_TENANT: 'true' }, false],
  ])('single-tenant mode from %j %j', (args, env, expected) => {
    expect(loadConfig([...REQUIRED, ...args], env).singleTenant).toBe(expected);
  });

  test('every flag', () => {
    const c = loadConfig(
      [
        ...REQUIRED,
        '--kubeconfig=/k',
        '--namespaces',
        'a, b,,c',
        '--concurrency',
        '8',
        '--resync-period',
        '10m',
        '--observe-period',
        '30s',
        '--full-recheck-period=2h',
        '--leader-elect',
        '--leader-election-id',
        'lease',
        '--leader-election-namespace',
        'sys',
        '--leader-elect-lease-duration=30s',
        '--leader-elect-renew-deadline=20s',
        '--leader-elect-retry-period=5s',
        '--http-address',
        '127.0.0.1:9090',
        '--log-level',
        'debug',
        '--dry-run',
        '--aws-api-share',
        '0.25',
        '--alb-rule-quota=200',
        '--alb-certificate-quota=50',
      ],
      {},
    );
    expect(c).toMatchObject({
      kubeconfig: '/k',
      namespaces: ['a', 'b', 'c'],
      concurrency: 8,
      resyncPeriodMs: 600_000,
      observePeriodMs: 30_000,
      fullRecheckPeriodMs: 7_200_000,
      leaderElect: true,
      leaderElectionId: 'lease',
      leaderElectionNamespace: 'sys',
      leaseDurationMs: 30_000,
      renewDeadlineMs: 20_000,
      retryPeriodMs: 5_000,
      httpAddress: '127.0.0.1:9090',
      logLevel: 'debug',
      dryRun: true,
      awsApiShare: 0.25,
      albRuleQuota: 200,
      albCertificateQuota: 50,
    });
  });

  test('environment fallbacks, with flags taking precedence', () => {
    const env = {
      PLP_REGION: 'eu-west-1',
      PLP_CLUSTER_ID: 'env-cluster',
      PLP_NAMESPACES: 'x,y',
      PLP_CONCURRENCY: '2',
      PLP_RESYNC_PERIOD: '1m',
      PLP_LEADER_ELECT: 'true',
      PLP_LEADER_ELECT_LEASE_DURATION: '1m',
      POD_NAMESPACE: 'pod-ns',
      PLP_DRY_RUN: 'yes',
      KUBECONFIG: '/from-env',
    };
    const c = loadConfig(['--concurrency', '12', '--no-dry-run'], env);
    expect(c).toMatchObject({
      region: 'eu-west-1',
      clusterId: 'env-cluster',
      namespaces: ['x', 'y'],
      concurrency: 12,
      resyncPeriodMs: 60_000,
      leaderElect: true,
      leaderElectionNamespace: 'pod-ns',
      leaseDurationMs: 60_000,
      dryRun: false,
      kubeconfig: '/from-env',
    });
  });

  test('AWS_REGION is a region fallback; the in-cluster namespace is the lease namespace fallback', () => {
    const c = loadConfig(
      ['--cluster-id', 'c', '--leader-elect'],
      { AWS_REGION: 'ap-southeast-2' },
      'controller-ns',
    );
    expect(c.region).toBe('ap-southeast-2');
    expect(c.leaderElectionNamespace).toBe('controller-ns');
  });

  test('reports every problem at once, naming its source', () => {
    let err: unknown;
    try {
      loadConfig(
        [
          '--concurrency',
          '0',
          '--resync-period',
          '5',
          '--log-level',
          'loud',
          '--namespaces',
          'Bad_NS',
          '--leader-elect',
        ],
        { PLP_AWS_API_SHARE: '2', PLP_HTTP_ADDRESS: 'nowhere', PLP_ALB_RULE_QUOTA: '0' },
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    for (const want of [
      'region is required',
      'cluster id is required',
      '--concurrency: want an integer 1-64, got "0"',
      '--resync-period: want a duration of at least 10s',
      '--log-level: want one of',
      'not a namespace name: Bad_NS',
      'leader election needs a namespace',
      'PLP_AWS_API_SHARE: want a fraction in (0, 1], got "2"',
      'PLP_HTTP_ADDRESS: want host:port or :port',
      'PLP_ALB_RULE_QUOTA: want a positive integer, got "0"',
    ]) {
      expect(problems).toContain(want);
    }
  });

  test.each([
    [['--region', 'nowhere'], 'not an AWS region'],
    [['--cluster-id', 'has space'], '1-63 characters'],
    [['--resync-period', '1s'], 'at least 10s'],
    [['--observe-period', '500ms'], '--observe-period: want a duration of at least 1s like 10s, got "500ms"'],
    [['--full-recheck-period', 'soon'], '--full-recheck-period: want a duration of at least 10s like 1h'],
    [
      ['--leader-elect-lease-duration', '10s'],
      'renew-deadline must be shorter than --leader-elect-lease-duration',
    ],
    [
      ['--leader-elect-renew-deadline', '2s'],
      'retry-period × 1.2 must be shorter than --leader-elect-renew-deadline',
    ],
    [['--leader-elect-retry-period', '50ms'], 'at least 0.1s like 2s'],
    [['--unknown-flag'], "Unknown option '--unknown-flag'"],
    [['positional'], 'positional'],
  ])('rejects %j', (args, message) => {
    expect(() => loadConfig([...REQUIRED, ...args], { PLP_DRY_RUN: 'false' })).toThrow(message);
  });

  test('a non-boolean boolean env value is an error', () => {
    expect(() => loadConfig(REQUIRED, { PLP_LEADER_ELECT: 'maybe' })).toThrow(
      'PLP_LEADER_ELECT: want true or false',
    );
  });
});
