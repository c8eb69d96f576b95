import { randomBytes } from 'node:crypto';
import type { WebhookCreated, WebhookInfo } from '@dispatch/contracts';
import type { KvStore } from '../store/kv-store.js';

/** A business's alert webhook as stored. */
export interface WebhookEntity {
  url: string;
  /**
   * The signing secret, stored as-is: HMAC needs the secret itself (a hash would not do).
   * It lives only in the notification service's KV bucket (or memory), is shown once at
   * registration and never logged.
   */
  secret: string;
  createdAt: string;
}

/** One webhook per business (`webhook.<businessId>`); registering again replaces it and its secret. */
export class WebhookRegistry {
  constructor(
    private readonly kv: KvStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async register(businessId: string, url: string): Promise<WebhookCreated> {
    const entity: WebhookEntity = { url, secret: `whsec_${randomBytes(32).toString('base64url')}`, createdAt: this.now().toISOString() };
    await this.kv.put(`webhook.${businessId}`, JSON.stringify(entity));
    return { url: entity.url, createdAt: entity.createdAt, secret: entity.secret };
  }

  async get(businessId: string): Promise<WebhookEntity | undefined> {
    const entry = await this.kv.get(`webhook.${businessId}`);
    return entry ? (JSON.parse(entry.value) as WebhookEntity) : undefined;
  }

  async info(businessId: string): Promise<WebhookInfo | null> {
    const w = await this.get(businessId);
    return w ? { url: w.url, createdAt: w.createdAt } : null;
  }

  async remove(businessId: string): Promise<boolean> {
    if (!(await this.get(businessId))) return false;
    await this.kv.delete(`webhook.${businessId}`);
    return true;
  }
}
