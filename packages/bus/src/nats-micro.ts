import type { NatsConnection, Subscription as NatsSubscription } from 'nats';
import { newId } from '@dispatch/runtime';
import { encodeJson } from './codec.js';

/**
 * The NATS service API (ADR-32, what `nats micro ls|info|stats|ping` speaks) for one service
 * instance. We answer `$SRV.PING|INFO|STATS[.<name>[.<id>]]` ourselves rather than through
 * nats.js' Service, because our handlers are async: this way processing time covers the whole
 * handler, and each endpoint can be stopped on its own.
 */
export interface MicroIdentity {
  name: string;
  version: string;
  description: string;
  metadata: Record<string, string>;
}

interface EndpointStats {
  name: string;
  subject: string;
  queue_group: string;
  num_requests: number;
  num_errors: number;
  last_error: string;
  processing_time: number;
  average_processing_time: number;
}

export class MicroService {
  readonly id = newId('req').slice(4).toUpperCase();
  private readonly started = new Date().toISOString();
  private readonly endpoints = new Map<string, EndpointStats>();
  private readonly subs: NatsSubscription[] = [];

  constructor(nc: NatsConnection, private readonly identity: MicroIdentity) {
    for (const verb of ['PING', 'INFO', 'STATS'] as const) {
      for (const subject of [`$SRV.${verb}`, `$SRV.${verb}.${identity.name}`, `$SRV.${verb}.${identity.name}.${this.id}`]) {
        this.subs.push(
          nc.subscribe(subject, {
            callback: (err, msg) => {
              if (!err && msg.reply) msg.respond(encodeJson(this.answer(verb)));
            },
          }),
        );
      }
    }
  }

  /** Registers an endpoint; the returned recorder is called once per handled request. */
  endpoint(name: string, subject: string, queue: string): (startedNs: bigint, error?: string) => void {
    const stats: EndpointStats = {
      name,
      subject,
      queue_group: queue,
      num_requests: 0,
      num_errors: 0,
      last_error: '',
      processing_time: 0,
      average_processing_time: 0,
    };
    this.endpoints.set(name, stats);
    return (startedNs, error) => {
      stats.num_requests++;
      stats.processing_time += Number(process.hrtime.bigint() - startedNs);
      stats.average_processing_time = Math.round(stats.processing_time / stats.num_requests);
      if (error) {
        stats.num_errors++;
        stats.last_error = error;
      }
    };
  }

  removeEndpoint(name: string): void {
    this.endpoints.delete(name);
  }

  stop(): void {
    for (const sub of this.subs) sub.unsubscribe();
  }

  private answer(verb: 'PING' | 'INFO' | 'STATS'): Record<string, unknown> {
    const base = { name: this.identity.name, id: this.id, version: this.identity.version, metadata: this.identity.metadata };
    if (verb === 'PING') return { type: 'io.nats.micro.v1.ping_response', ...base };
    if (verb === 'INFO') {
      return {
        type: 'io.nats.micro.v1.info_response',
        ...base,
        description: this.identity.description,
        endpoints: [...this.endpoints.values()].map((e) => ({ name: e.name, subject: e.subject, queue_group: e.queue_group })),
      };
    }
    return { type: 'io.nats.micro.v1.stats_response', ...base, started: this.started, endpoints: [...this.endpoints.values()] };
  }
}
