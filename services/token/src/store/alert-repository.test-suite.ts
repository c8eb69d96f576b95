import { beforeEach, describe, expect, it } from 'vitest';
import { newId } from '@dispatch/runtime';
import type { AlertEntity, AlertRepository, AlertSettingsRepository } from './alert-repository.js';

export function describeAlertRepositoryContract(
  name: string,
  factory: () => Promise<{ alerts: AlertRepository; settings: AlertSettingsRepository }>,
): void {
  describe(`AlertRepository contract: ${name}`, () => {
    let alerts: AlertRepository;
    let settings: AlertSettingsRepository;
    beforeEach(async () => {
      ({ alerts, settings } = await factory());
    });

    const alert = (businessId: string, over: Partial<AlertEntity> = {}): AlertEntity => ({
      incidentKey: `token.invalid_use:${newId('tok')}:2030-01-01T00:00:00.000Z`,
      alertId: newId('req'),
      eventId: newId('evt'),
      businessId,
      kind: 'token.invalid_use',
      tokenId: newId('tok'),
      summary: 'A revoked token is in use',
      details: { attempts: 3, reason: 'revoked' },
      firstSeenAt: new Date(Date.UTC(2030, 0, 1)),
      publishedAt: null,
      ...over,
    });

    it('claims an incident once, also when racing', async () => {
      const businessId = newId('biz');
      const a = alert(businessId);
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => alerts.claim({ ...a, alertId: `alr_${i}` })));
      expect(results.filter(Boolean)).toHaveLength(1);
      const stored = await alerts.get(a.incidentKey);
      expect(stored?.alertId).toBe(`alr_${results.indexOf(true)}`);
      expect(stored).toMatchObject({ kind: 'token.invalid_use', details: { attempts: 3, reason: 'revoked' }, publishedAt: null });
      await alerts.markPublished(a.incidentKey, new Date(Date.UTC(2030, 0, 1, 0, 1)));
      expect((await alerts.get(a.incidentKey))?.publishedAt?.toISOString()).toBe('2030-01-01T00:01:00.000Z');
      expect(await alerts.get('nope')).toBeUndefined();
    });

    it('lists a business’s alerts newest first, limited, never another business’s', async () => {
      const businessId = newId('biz');
      for (let i = 0; i < 3; i++) await alerts.claim(alert(businessId, { firstSeenAt: new Date(Date.UTC(2030, 0, 1, i)) }));
      await alerts.claim(alert(newId('biz')));
      const list = await alerts.list(businessId, 2);
      expect(list.map((a) => a.firstSeenAt.getUTCHours())).toEqual([2, 1]);
      expect((await alerts.list(businessId, 10)).every((a) => a.businessId === businessId)).toBe(true);
    });

    it('stores settings per business, replaced as a whole', async () => {
      const businessId = newId('biz');
      expect(await settings.get(businessId)).toBeUndefined();
      await settings.put(businessId, { overrides: { rateSpikeFactor: 5, enabled: false }, updatedAt: new Date(Date.UTC(2030, 0, 1)), updatedBy: 'usr_x' });
      await settings.put(businessId, { overrides: { rateSpikeFactor: 4 }, updatedAt: new Date(Date.UTC(2030, 0, 2)), updatedBy: 'usr_y' });
      expect(await settings.get(businessId)).toEqual({ overrides: { rateSpikeFactor: 4 }, updatedAt: new Date(Date.UTC(2030, 0, 2)), updatedBy: 'usr_y' });
      expect(await settings.get(newId('biz'))).toBeUndefined();
    });
  });
}
