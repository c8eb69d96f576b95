import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus, connectNatsBus } from '@dispatch/bus';
import type { DomainEvent } from '@dispatch/contracts';
import { createLogger, metrics, newId } from '@dispatch/runtime';
import { startInfra, uniqueNamespace, waitUntil, type Infra } from '@dispatch/testkit';
import type { Mailer, OutgoingMail } from '../mail/mailer.js';
import { createNotificationService, type NotificationService } from '../service.js';
import { JetStreamKvStore, webhookBucketName } from '../store/jetstream-kv-store.js';
import { verifySignature } from './signature.js';

/** A real HTTP receiver on 127.0.0.1 that answers the statuses it is given, in order, then 200. */
class Receiver {
  readonly calls: { headers: Record<string, string | string[] | undefined>; body: string; status: number }[] = [];
  private server: Server | undefined;
  url = '';
  constructor(private readonly statuses: number[] | 'always-500') {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = this.statuses === 'always-500' ? 500 : (this.statuses[this.calls.length] ?? 200);
        this.calls.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', () => r()));
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('no address');
    this.url = `http://127.0.0.1:${address.port}/hooks/dispatch`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
}

class NullMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  async send(mail: OutgoingMail): Promise<void> {
    this.sent.push(mail);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const logLines: string[] = [];
const logger = createLogger({ service: 'webhook-test', level: 'info', destination: { write: (s: string) => void logLines.push(s) } });

let infra: Infra | undefined;
beforeAll(async () => {
  infra = await startInfra(['nats']);
});
afterAll(async () => {
  await infra?.stop();
});

describe('alert webhooks over NATS JetStream', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const setup = async (webhookMaxDeliver = 4, webhookAllowPrivateTargets = true) => {
    if (!infra) throw new Error('nats not started');
    const namespace = uniqueNamespace('wh');
    const bus = await connectNatsBus({ servers: infra.natsUrl, namespace, logger, name: 'notification' });
    const publisher = await connectNatsBus({ servers: infra.natsUrl, namespace, logger, name: 'publisher' });
    if (!(bus instanceof NatsBus)) throw new Error('nats bus expected');
    const store = await JetStreamKvStore.open(bus.nc, namespace, { ttlMs: 3600_000 });
    const webhookStore = await JetStreamKvStore.open(bus.nc, namespace, { ttlMs: 0, bucket: webhookBucketName(namespace) });
    const parked: DomainEvent[] = [];
    const mailer = new NullMailer();
    const service: NotificationService = createNotificationService({
      bus,
      logger,
      mailer,
      store,
      webhookStore,
      config: { publicUrl: 'http://portal.test', webhookMaxDeliver, webhookTimeoutMs: 5_000, webhookAllowPrivateTargets },
      onParked: (event, _err, channel) => void (channel === 'webhook' && parked.push(event)),
    });
    await service.start();
    cleanups.push(async () => {
      await service.stop();
      await bus.drain();
      await publisher.drain();
    });
    const businessId = newId('biz');
    const raise = (kind: 'token.invalid_use' = 'token.invalid_use') =>
      publisher.publish('alert.raised', {
        alertId: newId('evt'),
        businessId,
        kind,
        tokenId: newId('tok'),
        incidentKey: `${kind}:${newId('req')}`,
        summary: 'A revoked token is still being used',
        details: { attempts: 3 },
        firstSeenAt: new Date().toISOString(),
        notifyEmails: ['owner@example.com'],
      });
    return { publisher, businessId, raise, parked, mailer };
  };

  it('delivers a signed POST the receiver can verify; the secret is shown once and never logged', async () => {
    const { publisher, businessId, raise, mailer } = await setup();
    const receiver = await new Receiver([]).start();
    cleanups.push(() => receiver.stop());
    const created = await publisher.request('notification.putWebhook', { businessId, url: receiver.url });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(await publisher.request('notification.getWebhook', { businessId })).toEqual({ webhook: { url: receiver.url, createdAt: created.createdAt } });

    const event = await raise();
    await waitUntil(() => receiver.calls.length === 1, 10_000, 'the webhook call');
    const call = receiver.calls[0];
    if (!call) throw new Error('no call');
    expect(call.headers['x-dispatch-event-id']).toBe(event.id);
    const signature = String(call.headers['x-dispatch-signature']);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(created.secret, signature, call.body, Math.floor(Date.now() / 1000))).toBe(true);
    expect(verifySignature('whsec_wrong', signature, call.body, Math.floor(Date.now() / 1000))).toBe(false);
    expect(verifySignature(created.secret, signature, `${call.body} `, Math.floor(Date.now() / 1000))).toBe(false);
    const body = JSON.parse(call.body) as { id: string; type: string; data: Record<string, unknown> };
    expect(body).toMatchObject({ id: event.id, type: 'alert.raised', data: { businessId, kind: 'token.invalid_use' } });
    expect(body.data['notifyEmails']).toBeUndefined();
    // and the owners get the security email
    await waitUntil(() => mailer.sent.length === 1, 10_000, 'the alert email');
    expect(mailer.sent[0]?.to).toBe('owner@example.com');
    await sleep(500);
    expect(receiver.calls).toHaveLength(1);
    expect(logLines.join('')).not.toContain(created.secret);
  });

  it('retries with backoff: a receiver failing twice then succeeding gets three calls, one event id', async () => {
    const { publisher, businessId, raise } = await setup();
    const receiver = await new Receiver([500, 503]).start();
    cleanups.push(() => receiver.stop());
    await publisher.request('notification.putWebhook', { businessId, url: receiver.url });
    const event = await raise();
    await waitUntil(() => receiver.calls.length === 3, 15_000, 'three webhook calls');
    await sleep(1_000);
    expect(receiver.calls.map((c) => c.status)).toEqual([500, 503, 200]);
    expect(new Set(receiver.calls.map((c) => c.headers['x-dispatch-event-id']))).toEqual(new Set([event.id]));
  });

  it('a receiver that always fails: parked after the bounded attempts, listed for ops, counted', async () => {
    const { publisher, businessId, raise, parked } = await setup(4);
    const receiver = await new Receiver('always-500').start();
    cleanups.push(() => receiver.stop());
    await publisher.request('notification.putWebhook', { businessId, url: receiver.url });
    const before = (await metrics.notificationsParked.get()).values.find((v) => v.labels['channel'] === 'webhook')?.value ?? 0;
    const event = await raise();
    await waitUntil(() => parked.length === 1, 20_000, 'the webhook to be parked');
    expect(parked[0]?.id).toBe(event.id);
    await sleep(1_500);
    expect(receiver.calls).toHaveLength(4);
    const list = await publisher.request('notification.listParked', {});
    expect(list.parked).toEqual([expect.objectContaining({ eventId: event.id, channel: 'webhook', attempts: 4, error: 'webhook answered 500' })]);
    const after = (await metrics.notificationsParked.get()).values.find((v) => v.labels['channel'] === 'webhook')?.value ?? 0;
    expect(after - before).toBe(1);
  });

  it('SSRF guard (the default): private, loopback and link-local targets are refused at registration', async () => {
    const { publisher, businessId } = await setup(4, false);
    for (const url of ['http://127.0.0.1:9000/h', 'http://10.1.2.3/h', 'http://169.254.169.254/latest', 'http://[::1]:80/', 'http://192.168.1.10/', 'http://[::ffff:127.0.0.1]/', 'http://localhost:8080/']) {
      await expect(publisher.request('notification.putWebhook', { businessId, url }), url).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    }
    expect(await publisher.request('notification.getWebhook', { businessId })).toEqual({ webhook: null });
    // a public literal address passes the check (nothing is called at registration)
    expect((await publisher.request('notification.putWebhook', { businessId, url: 'https://93.184.215.14/hook' })).url).toBe('https://93.184.215.14/hook');
  });

  it('webhook registration: replace gives a new secret; delete; a bad url is refused', async () => {
    const { publisher, businessId } = await setup();
    const a = await publisher.request('notification.putWebhook', { businessId, url: 'https://hooks.example.com/a' });
    const b = await publisher.request('notification.putWebhook', { businessId, url: 'https://hooks.example.com/b' });
    expect(a.secret).not.toBe(b.secret);
    expect((await publisher.request('notification.getWebhook', { businessId })).webhook?.url).toBe('https://hooks.example.com/b');
    expect(await publisher.request('notification.deleteWebhook', { businessId })).toEqual({ deleted: true });
    expect(await publisher.request('notification.deleteWebhook', { businessId })).toEqual({ deleted: false });
    expect(await publisher.request('notification.getWebhook', { businessId })).toEqual({ webhook: null });
    await expect(publisher.request('notification.putWebhook', { businessId, url: 'ftp://x.example.com' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(publisher.request('notification.putWebhook', { businessId, url: 'https://user:pw@x.example.com' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });
});
