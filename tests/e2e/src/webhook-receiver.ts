import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';

/** A webhook receiver on 127.0.0.1 that checks signatures the way the README tells integrators to. */
export class Receiver {
  readonly calls: { eventId: string; signature: string; body: string }[] = [];
  secret = '';
  url = '';
  private server: Server | undefined;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.calls.push({ eventId: String(req.headers['x-dispatch-event-id']), signature: String(req.headers['x-dispatch-signature']), body: Buffer.concat(chunks).toString('utf8') });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', () => r()));
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('no address');
    this.url = `http://127.0.0.1:${address.port}/dispatch-alerts`;
    return this;
  }

  verifies(call: { signature: string; body: string }): boolean {
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(call.signature);
    if (!match?.[1] || !match[2]) return false;
    if (Math.abs(Date.now() / 1000 - Number(match[1])) > 300) return false;
    const expected = createHmac('sha256', this.secret).update(`${match[1]}.${call.body}`).digest();
    return timingSafeEqual(expected, Buffer.from(match[2], 'hex'));
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
}
