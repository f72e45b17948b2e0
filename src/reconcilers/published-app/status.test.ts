import type { PublishedAppStatus } from '../../api/v1alpha1.ts';
import { ASPECTS, buildStatus, newReport, type SyncReport } from './status.ts';

const now = new Date('2026-11-25T08:00:00Z');
const later = new Date('2026-11-25T08:03:00Z');
const ok = { status: 'True' as const, reason: 'Synced', message: 'fine' };

function report(verdicts: SyncReport['verdicts'], fields: SyncReport['fields'] = {}): SyncReport {
  return { ...newReport(), verdicts, fields };
}

const build = (r: SyncReport, previous?: PublishedAppStatus, at = now) =>
  buildStatus({ previous, report: r, generation: 3, now: at, syncTimeRefreshMs: 600_000 });

const byType = (s: PublishedAppStatus) =>
  Object.fromEntries((s.conditions ?? []).map((c) => [c.type, [c.status, c.reason]]));

describe('buildStatus', () => {
  it('is Ready when all four aspects are True', () => {
    const s = build(report({ endpoint: ok, securityGroups: ok, targets: ok, route: ok }, { priority: 10 }));
    expect(byType(s)).toEqual({
      EndpointAvailable: ['True', 'Synced'],
      SecurityGroupsSynced: ['True', 'Synced'],
      TargetsSynced: ['True', 'Synced'],
      RouteConfigured: ['True', 'Synced'],
      Ready: ['True', 'Ready'],
    });
    expect(s).toMatchObject({ observedGeneration: 3, priority: 10, lastSyncTime: '2026-11-25T08:00:00Z' });
    expect(s.conditions!.every((c) => c.observedGeneration === 3)).toBe(true);
  });

  it('summarises a definite failure over aspects it kept from being reached', () => {
    const s = build(report({ route: { status: 'False', reason: 'ListenerNotFound', message: 'gone' } }));
    expect(byType(s)).toMatchObject({
      EndpointAvailable: ['Unknown', 'NotReached'],
      Ready: ['False', 'ListenerNotFound'],
    });
    expect(s.conditions!.find((c) => c.type === 'Ready')!.message).toBe('RouteConfigured: gone');
  });

  it('otherwise names the first aspect not True', () => {
    const s = build(report({ endpoint: ok, securityGroups: ok }));
    expect(byType(s).Ready).toEqual(['False', 'NotReached']);
  });

  it('keeps lastSyncTime when nothing else changed and it is fresh, moves it otherwise', () => {
    const r = report({ endpoint: ok, securityGroups: ok, targets: ok, route: ok }, { priority: 10 });
    const first = build(r);
    expect(build(r, first, later).lastSyncTime).toBe(first.lastSyncTime);
    expect(build(report(r.verdicts, { priority: 11 }), first, later).lastSyncTime).toBe(
      '2026-11-25T08:03:00Z',
    );
    expect(build(r, first, new Date('2026-11-25T08:11:00Z')).lastSyncTime).toBe('2026-11-25T08:11:00Z');
  });

  it('keeps fields this reconcile did not observe', () => {
    const s = build(report({}, {}), { endpointId: 'vpce-1', ruleArn: 'arn:rule' });
    expect(s).toMatchObject({ endpointId: 'vpce-1', ruleArn: 'arn:rule' });
  });

  describe('behind the API front door', () => {
    const all = { endpoint: ok, securityGroups: ok, targets: ok, route: ok };
    const api = (verdicts: SyncReport['verdicts']): SyncReport => ({ ...newReport(ASPECTS), verdicts });

    it('reports ApiRouteConfigured, and is Ready only when it is True too', () => {
      expect(byType(build(api({ ...all, api: ok })))).toMatchObject({
        ApiRouteConfigured: ['True', 'Synced'],
        Ready: ['True', 'Ready'],
      });
      const pending = { status: 'False' as const, reason: 'VpcLinkPending', message: 'link PENDING' };
      const s = build(api({ ...all, api: pending }));
      expect(byType(s).Ready).toEqual(['False', 'VpcLinkPending']);
      expect(s.conditions!.find((c) => c.type === 'Ready')!.message).toBe('ApiRouteConfigured: link PENDING');
    });

    it('is NotReached when an earlier step stopped the pass', () => {
      expect(byType(build(api(all))).ApiRouteConfigured).toEqual(['Unknown', 'NotReached']);
    });

    it('drops ApiRouteConfigured once the front door is gone', () => {
      const before = build(api({ ...all, api: ok }));
      const after = build(report(all), before, later);
      expect(Object.keys(byType(after))).not.toContain('ApiRouteConfigured');
      expect(byType(after).Ready).toEqual(['True', 'Ready']);
    });
  });
});
