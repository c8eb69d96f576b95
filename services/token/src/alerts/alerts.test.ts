import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNatsBus, type Bus, type NatsBus } from '@dispatch/bus';
import type { DomainEvent, EventPayload } from '@dispatch/contracts';
import { createLogger, newId } from '@dispatch/runtime';
import { startInfra, uniqueNamespace, waitUntil, type Infra } from '@dispatch/testkit';
import { generateKeyring } from '../keys/keyring.js';
import { createTokenService, type TokenService } from '../service.js';
import { createMongoTokenStores } from '../store/mongo-stores.js';

const logger = createLogger({ service: 'alerts-test', level: 'silent' });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
type Entry = EventPayload<'usage.recorded'>['entries'][number];
type Alert = DomainEvent<'alert.raised'>;

/** Two token-service instances (one durable consumer) on real NATS JetStream and FerretDB. */
describe('suspicious-activity alerts over NATS JetStream and FerretDB, two token instances', () => {
  let infra: Infra | undefined;
  const connections: Connection[] = [];
  const buses: NatsBus[] = [];
  const services: TokenService[] = [];
  let client: Bus;
  const raised: Alert[] = [];
  const keyring = generateKeyring();

  beforeAll(async () => {
    infra = await startInfra(['nats', 'mongo']);
    const namespace = uniqueNamespace('al');
    const dbName = `${namespace}_token`;
    for (const name of ['token-a', 'token-b']) {
      const connection = await mongoose.createConnection(infra.mongoUrl, { dbName }).asPromise();
      connections.push(connection);
      const stores = await createMongoTokenStores(connection);
      const bus = await connectNatsBus({ servers: infra.natsUrl, namespace, logger, name });
      buses.push(bus);
      const service = createTokenService({
        bus,
        logger,
        ...stores,
        keyring,
        config: { instance: name, identityTimeoutMs: 300 },
        storesReady: stores.isReady,
      });
      await service.start();
      services.push(service);
    }
    client = await connectNatsBus({ servers: infra.natsUrl, namespace, logger, name: 'test-client' });
    buses.push(client as NatsBus);
    await client.consume('test-alerts', async (e) => void raised.push(e as Alert), { types: ['alert.raised'] });
  });

  afterAll(async () => {
    for (const s of services) await s.stop();
    for (const b of buses) await b.drain();
    await connections[0]?.dropDatabase().catch(() => undefined);
    for (const c of connections) await c.close();
    await infra?.stop();
  });

  const minute = (m: number) => new Date(Date.UTC(2030, 0, 1, 10, 0) + m * 60_000).toISOString();
  const entry = (businessId: string, tokenId: string, m: number, over: Partial<Entry> = {}): Entry => ({
    businessId,
    tokenId,
    minute: minute(m),
    method: 'GET',
    route: '/api/v1/Orders',
    status: 200,
    ip: '198.51.100.1',
    count: 1,
    ...over,
  });
  const publishUsage = async (entries: Entry[], source = 'edge-a') => {
    for (let i = 0; i < entries.length; i += 500) await client.publish('usage.recorded', { source, entries: entries.slice(i, i + 500) });
  };
  const alertsOf = (businessId: string) => raised.filter((a) => a.data.businessId === businessId);
  const newToken = async (businessId: string) =>
    (await client.request('token.createApiToken', { businessId, createdBy: newId('usr'), creatorRole: 'owner', description: 'alerts' })).tokenInfo.id;

  it('(a) a revoked token still used: one alert for many attempts reported by two edges, handled by two instances', async () => {
    const businessId = newId('biz');
    const tokenId = await newToken(businessId);
    await client.request('token.revokeApiToken', { businessId, tokenId, revokedBy: newId('usr') });
    const attempts = Array.from({ length: 12 }, (_, i) => [entry(businessId, tokenId, 30 + (i % 3), { status: 401, ip: `203.0.113.${i}`, count: 2 })]);
    await Promise.all(attempts.map((entries, i) => publishUsage(entries, i % 2 ? 'edge-a' : 'edge-b')));
    await waitUntil(() => alertsOf(businessId).length >= 1, 10_000, 'the invalid-use alert');
    await sleep(1_500);
    const alerts = alertsOf(businessId);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.data).toMatchObject({ kind: 'token.invalid_use', tokenId, details: { reason: 'revoked' } });
    expect(alerts[0]?.data.incidentKey).toBe(`token.invalid_use:${tokenId}:${minute(0)}`);
    const listed = await client.request('token.listAlerts', { businessId, limit: 10 });
    expect(listed.alerts.map((a) => a.alertId)).toEqual([alerts[0]?.data.alertId]);
    expect(await client.request('token.listAlerts', { businessId: newId('biz'), limit: 10 })).toEqual({ alerts: [] });
  });

  it('(b) a call rate far above the token’s own baseline raises a spike; steady high traffic does not', async () => {
    const businessId = newId('biz');
    await client.request('token.putAlertSettings', { businessId, updatedBy: newId('usr'), settings: { baselineMinutes: 20, rateSpikeMinCalls: 50 } });
    const spiky = newId('tok');
    const steady = newId('tok');
    const history: Entry[] = [];
    for (let m = 0; m < 20; m++) {
      history.push(entry(businessId, spiky, m, { count: 3 }));
      history.push(entry(businessId, steady, m, { count: 200 }));
    }
    await publishUsage(history);
    await publishUsage([entry(businessId, spiky, 20, { count: 400 }), entry(businessId, steady, 20, { count: 260 })], 'edge-b');
    await waitUntil(() => alertsOf(businessId).length >= 1, 10_000, 'the rate-spike alert');
    await sleep(1_500);
    const alerts = alertsOf(businessId);
    expect(alerts.map((a) => [a.data.kind, a.data.tokenId])).toEqual([['token.rate_spike', spiky]]);
    expect(alerts[0]?.data.details).toMatchObject({ calls: 400, baselinePerMinute: 3 });
  });

  it('(c) a token used from many more client IPs than usual', async () => {
    const businessId = newId('biz');
    const tokenId = newId('tok');
    const usual: Entry[] = [];
    for (let m = 0; m < 40; m++) usual.push(entry(businessId, tokenId, m, { ip: `198.51.100.${m % 2}`, count: 5 }));
    await publishUsage(usual);
    expect(alertsOf(businessId)).toHaveLength(0);
    const spread = Array.from({ length: 15 }, (_, i) => entry(businessId, tokenId, 41, { ip: `192.0.2.${i}`, count: 1 }));
    await publishUsage(spread);
    await waitUntil(() => alertsOf(businessId).length >= 1, 10_000, 'the IP-spread alert');
    await sleep(1_000);
    expect(alertsOf(businessId).map((a) => a.data.kind)).toEqual(['token.ip_spread']);
    // the recent window (minutes 32–41) holds the 15 new IPs and the 2 usual ones
    expect(alertsOf(businessId)[0]?.data.details).toMatchObject({ distinctIps: 17, usualDistinctIps: 2 });
  });

  it('(d) a burst of 401s for one business across its revoked tokens: one business alert', async () => {
    const businessId = newId('biz');
    await client.request('token.putAlertSettings', { businessId, updatedBy: newId('usr'), settings: { unauthorizedBurstMin: 30, invalidUseMinAttempts: 1000 } });
    const tokens = [await newToken(businessId), await newToken(businessId), await newToken(businessId)];
    for (const tokenId of tokens) await client.request('token.revokeApiToken', { businessId, tokenId, revokedBy: newId('usr') });
    await Promise.all(tokens.map((tokenId, i) => publishUsage([entry(businessId, tokenId, 5, { status: 401, count: 12 })], `edge-${i}`)));
    await waitUntil(() => alertsOf(businessId).length >= 1, 10_000, 'the burst alert');
    await sleep(1_500);
    const alerts = alertsOf(businessId);
    expect(alerts.map((a) => a.data.kind)).toEqual(['business.unauthorized_burst']);
    expect(alerts[0]?.data).toMatchObject({ tokenId: null, details: { count: 36, tokens: 3 } });
  });

  it('settings: defaults until changed, merged, validated; a disabled business raises nothing', async () => {
    const businessId = newId('biz');
    const initial = await client.request('token.getAlertSettings', { businessId });
    expect(initial).toMatchObject({ customized: false, updatedAt: null, settings: { enabled: true, rateSpikeFactor: 10, invalidUseMinAttempts: 1 } });
    const changed = await client.request('token.putAlertSettings', { businessId, updatedBy: newId('usr'), settings: { enabled: false } });
    expect(changed).toMatchObject({ customized: true, settings: { enabled: false, rateSpikeFactor: 10 } });
    await expect(client.request('token.putAlertSettings', { businessId, updatedBy: 'u', settings: { rateSpikeFactor: 1 } })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(client.request('token.putAlertSettings', { businessId, updatedBy: 'u', settings: { baselineMinutes: 0 } })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    expect((await client.request('token.getAlertSettings', { businessId })).settings.enabled).toBe(false);

    const tokenId = await newToken(businessId);
    await client.request('token.revokeApiToken', { businessId, tokenId, revokedBy: newId('usr') });
    await publishUsage([entry(businessId, tokenId, 7, { status: 401, count: 500 })]);
    await sleep(2_000);
    expect(alertsOf(businessId)).toHaveLength(0);
  });
});
