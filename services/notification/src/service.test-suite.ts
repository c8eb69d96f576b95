import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Bus } from '@dispatch/bus';
import type { DomainEvent } from '@dispatch/contracts';
import { createLogger, newId, type Logger } from '@dispatch/runtime';
import { SmtpSink, tokenFromMail, uniqueNamespace, waitUntil } from '@dispatch/testkit';
import type { Mailer, OutgoingMail } from './mail/mailer.js';
import { SmtpMailer } from './mail/smtp-mailer.js';
import type { KvStore } from './store/kv-store.js';
import { createNotificationService, type NotificationService, type NotificationServiceDeps } from './service.js';

/** A fresh namespace on one transport; `connect` opens another bus (another process) on it. */
export interface BusWorld {
  connect(name: string, logger: Logger): Promise<Bus>;
  /** The durable store as another process would open it (JetStream KV on NATS; one shared Map in memory). */
  store(bus: Bus): Promise<KvStore>;
  close(): Promise<void>;
}

export interface ScenarioOptions {
  world(namespace: string): Promise<BusWorld>;
  /** True when the transport redelivers a message whose ack is late (JetStream ack-wait). */
  redeliversAfterAckWait: boolean;
}

/** Wraps a mailer: records every attempt, fails for chosen addresses, optionally slow. */
class TestMailer implements Mailer {
  readonly attempts: OutgoingMail[] = [];
  constructor(
    private readonly inner: Mailer,
    private readonly failFor: ReadonlySet<string> = new Set(),
    private readonly delayMs = 0,
  ) {}
  async send(mail: OutgoingMail): Promise<void> {
    this.attempts.push(mail);
    if (this.failFor.has(mail.to)) throw new Error('550 mailbox unavailable');
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    await this.inner.send(mail);
  }
  attemptsTo(address: string): number {
    return this.attempts.filter((m) => m.to === address).length;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function describeNotificationScenarios(name: string, options: ScenarioOptions): void {
  describe(`notification service: ${name}`, () => {
    let sink: SmtpSink;
    let smtp: SmtpMailer;
    let world: BusWorld;
    let publisher: Bus;
    const cleanups: (() => Promise<void>)[] = [];
    const logLines: string[] = [];
    const logger = createLogger({ service: 'notification-test', level: 'info', destination: { write: (s: string) => void logLines.push(s) } });

    beforeAll(async () => {
      sink = await SmtpSink.start();
      smtp = new SmtpMailer({ url: sink.url, from: 'Dispatch <no-reply@dispatch.localhost>' });
    });
    afterAll(async () => {
      smtp?.close();
      await sink?.stop();
    });

    const setupWorld = async () => {
      logLines.length = 0;
      world = await options.world(uniqueNamespace('nt'));
      publisher = await world.connect('publisher', logger);
      cleanups.push(() => world.close());
    };
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c();
    });

    /** Starts a service instance on its own bus connection. */
    const startService = async (mailer: Mailer, extra: Partial<NotificationServiceDeps> = {}, maxDeliver = 3, ackWaitMs?: number) => {
      const bus = await world.connect(`notification-${newId('req')}`, logger);
      const service: NotificationService = createNotificationService({
        bus,
        logger,
        mailer,
        store: await world.store(bus),
        config: { publicUrl: 'http://portal.test', maxDeliver, messageIdDomain: 'dispatch.test', ...(ackWaitMs ? { ackWaitMs } : {}) },
        instance: 'n-1',
        ...extra,
      });
      await service.start();
      let stopped = false;
      const stop = async () => {
        if (stopped) return;
        stopped = true;
        await service.stop();
        await bus.drain();
      };
      cleanups.push(stop);
      return { service, bus, stop };
    };

    const registered = (email: string, token: string) =>
      publisher.publish('user.registered', {
        userId: newId('usr'),
        businessId: newId('biz'),
        email,
        firstName: 'Test',
        verificationToken: token,
        verificationExpiresAt: new Date(Date.now() + 24 * 3600_000).toISOString(),
      });

    it('mails each registered user their own verification token (and nothing for user.verified)', async () => {
      await setupWorld();
      await startService(smtp);
      const ns = uniqueNamespace('u');
      const users = [1, 2, 3].map((i) => ({ email: `${ns}-${i}@example.com`, token: `vt_${ns}_${i}+/=` }));
      const events: DomainEvent[] = [];
      for (const u of users) events.push(await registered(u.email, u.token));
      await publisher.publish('user.verified', { userId: newId('usr'), email: `${ns}-v@example.com` });

      for (const [i, u] of users.entries()) {
        const mail = await sink.waitFor(u.email);
        expect(mail.subject).toBe('Verify your Dispatch account');
        expect(tokenFromMail(mail)).toBe(u.token);
        expect(mail.text).toContain(`http://portal.test/verify#token=${encodeURIComponent(u.token)}`);
        expect(mail.headers['message-id']).toBe(`<${events[i]?.id}@dispatch.test>`);
      }
      await sleep(300);
      for (const u of users) expect(sink.to(u.email)).toHaveLength(1);
      expect(sink.to(`${ns}-v@example.com`)).toHaveLength(0);
      // tokens never reach the log
      for (const u of users) expect(logLines.join('')).not.toContain(u.token);
    });

    it('delivers invites and duplicate-registration notices', async () => {
      await setupWorld();
      await startService(smtp);
      const ns = uniqueNamespace('i');
      await publisher.publish('member.invited', {
        businessId: newId('biz'),
        businessName: 'Acme',
        email: `${ns}-bob@example.com`,
        role: 'admin',
        invitedBy: newId('usr'),
        inviteToken: `inv_${ns}`,
        expiresAt: new Date(Date.now() + 7 * 24 * 3600_000).toISOString(),
      });
      await publisher.publish('user.registration_duplicate', { email: `${ns}-ada@example.com`, firstName: 'Ada' });
      const invite = await sink.waitFor(`${ns}-bob@example.com`);
      expect(tokenFromMail(invite)).toBe(`inv_${ns}`);
      expect(invite.text).toContain('http://portal.test/invite#token=');
      expect(invite.text).toContain('Acme');
      expect(invite.text).toContain('admin');
      const dup = await sink.waitFor(`${ns}-ada@example.com`);
      expect(dup.subject).toBe('Someone tried to register with your address');
    });

    it('events published while the service is stopped are mailed exactly once when it starts', async () => {
      await setupWorld();
      const ns = uniqueNamespace('s');
      // published before any consumer ever existed
      await registered(`${ns}-0@example.com`, `vt_${ns}_0`);
      const first = await startService(smtp);
      await sink.waitFor(`${ns}-0@example.com`);
      await first.stop();

      // published while no instance runs
      await registered(`${ns}-1@example.com`, `vt_${ns}_1`);
      await registered(`${ns}-2@example.com`, `vt_${ns}_2`);
      await sleep(300);
      expect(sink.to(`${ns}-1@example.com`)).toHaveLength(0);

      const second = await startService(smtp);
      for (const i of [1, 2]) expect(tokenFromMail(await sink.waitFor(`${ns}-${i}@example.com`))).toBe(`vt_${ns}_${i}`);
      await second.stop();

      // and a third start resends nothing
      await startService(smtp);
      await registered(`${ns}-3@example.com`, `vt_${ns}_3`);
      await sink.waitFor(`${ns}-3@example.com`);
      await sleep(300);
      for (const i of [0, 1, 2, 3]) expect(sink.to(`${ns}-${i}@example.com`)).toHaveLength(1);
    });

    it('a mail that keeps failing is parked after maxDeliver attempts; the next event is still delivered', async () => {
      await setupWorld();
      const ns = uniqueNamespace('p');
      const bad = `${ns}-bad@example.com`;
      const good = `${ns}-good@example.com`;
      const mailer = new TestMailer(smtp, new Set([bad]));
      const parked: DomainEvent[] = [];
      await startService(mailer, { onParked: (event) => void parked.push(event) }, 3);

      const badEvent = await registered(bad, `vt_${ns}_bad`);
      await registered(good, `vt_${ns}_good`);

      const mail = await sink.waitFor(good);
      expect(tokenFromMail(mail)).toBe(`vt_${ns}_good`);
      await waitUntil(() => parked.length === 1, 10_000, 'the failing event to be parked');
      expect(parked[0]?.id).toBe(badEvent.id);
      // visible to ops
      await waitUntil(async () => (await publisher.request('notification.listParked', {})).parked.length === 1, 5_000, 'the parked record');
      const list = await publisher.request('notification.listParked', {});
      expect(list.parked[0]).toMatchObject({ eventId: badEvent.id, eventType: 'user.registered', channel: 'mail', attempts: 3 });
      expect(JSON.stringify(list)).not.toContain(`vt_${ns}_bad`);
      expect(mailer.attemptsTo(bad)).toBe(3);
      // parked means parked: no further attempts
      await sleep(1_500);
      expect(mailer.attemptsTo(bad)).toBe(3);
      expect(mailer.attemptsTo(good)).toBe(1);
      expect(sink.to(bad)).toHaveLength(0);

      const logged = logLines.join('');
      expect(logged).toContain('notification parked');
      expect(logged).toContain(badEvent.id);
      expect(logged).not.toContain(`vt_${ns}_bad`);
    });

    it('a redelivery after a successful send does not mail twice', async () => {
      await setupWorld();
      const ns = uniqueNamespace('r');
      const slow = new TestMailer(smtp, new Set(), 2_000);
      // ack-wait (1 s) shorter than the send (2 s): JetStream redelivers while the first delivery runs
      await startService(slow, {}, 5, 1_000);
      await registered(`${ns}@example.com`, `vt_${ns}`);
      await sink.waitFor(`${ns}@example.com`);
      if (options.redeliversAfterAckWait) {
        await waitUntil(() => logLines.join('').includes('mail already sent for this event'), 10_000, 'the redelivery');
      } else {
        await sleep(1_500);
      }
      expect(slow.attemptsTo(`${ns}@example.com`)).toBe(1);
      expect(sink.to(`${ns}@example.com`)).toHaveLength(1);
    });

    it('two instances and restarts: each mail exactly once (durable claims by event id)', async () => {
      await setupWorld();
      const ns = uniqueNamespace('d');
      const slow = new TestMailer(smtp, new Set(), 200);
      // ack-wait shorter than a send: deliveries overlap across the two instances
      const a = await startService(slow, {}, 10, 150);
      // (the in-memory bus runs one consumer per durable name per process)
      const b = options.redeliversAfterAckWait ? await startService(slow, {}, 10, 150) : undefined;
      for (let i = 0; i < 4; i++) await registered(`${ns}-${i}@example.com`, `vt_${ns}_${i}`);
      for (let i = 0; i < 4; i++) await sink.waitFor(`${ns}-${i}@example.com`);
      await a.stop();
      await b?.stop();
      // a fresh instance (fresh store handle) on the same durable consumer resends nothing
      await startService(smtp);
      await registered(`${ns}-last@example.com`, `vt_${ns}_last`);
      await sink.waitFor(`${ns}-last@example.com`);
      await sleep(1_000);
      for (let i = 0; i < 4; i++) expect(sink.to(`${ns}-${i}@example.com`)).toHaveLength(1);
      for (let i = 0; i < 4; i++) expect(slow.attemptsTo(`${ns}-${i}@example.com`)).toBe(1);
    });

    it('answers notification.ping', async () => {
      await setupWorld();
      await startService(smtp);
      expect(await publisher.request('notification.ping', {})).toEqual({ service: 'notification', instance: 'n-1', ready: true });
    });
  });
}
