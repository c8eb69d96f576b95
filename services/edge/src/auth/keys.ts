import type { Bus, Subscription } from '@dispatch/bus';
import { TOKEN_KEYS_TOPIC, TokenKeysReply } from '@dispatch/contracts';
import type { Logger } from '@dispatch/runtime';

/**
 * The key ids the token service accepts, so the edge rejects tokens with any other kid without
 * a call. Learned from `token.keys` (at start, then every refresh) and from the token instances'
 * broadcasts (each announces its kids at start and periodically). A kid is forgotten once no
 * instance has named it for `ttlMs` after newer news arrived; with no news at all (token service
 * down) the last known set stays. Before the first answer the set is unknown and every
 * well-formed token goes to the token service.
 */
export class KeySet {
  private readonly seen = new Map<string, number>();

  constructor(private readonly ttlMs: number) {}

  add(kids: readonly string[], at = Date.now()): void {
    for (const kid of kids) this.seen.set(kid, at);
    const newest = Math.max(...this.seen.values());
    for (const [kid, lastSeen] of this.seen) if (lastSeen < newest - this.ttlMs) this.seen.delete(kid);
  }

  /** True or false once keys are known; undefined before the first answer. */
  knows(kid: string): boolean | undefined {
    if (this.seen.size === 0) return undefined;
    return this.seen.has(kid);
  }

  get kids(): string[] {
    return [...this.seen.keys()];
  }
}

export interface KeySync {
  /** Resolves after the first successful fetch (or immediately if one already happened). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** Keeps `keys` current: fetch at start (retrying every second), refresh every `refreshMs`, listen for announcements. */
export function startKeySync(bus: Bus, keys: KeySet, logger: Logger, refreshMs: number): KeySync {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const accept = (raw: unknown, source: string) => {
    const parsed = TokenKeysReply.safeParse(raw);
    if (!parsed.success) {
      logger.warn({ source }, 'ignored a malformed key announcement');
      return;
    }
    keys.add(parsed.data.kids);
    markReady();
  };
  const sub: Subscription = bus.onBroadcast(TOKEN_KEYS_TOPIC, (data) => accept(data, 'broadcast'));
  const fetchKeys = async (): Promise<boolean> => {
    try {
      accept(await bus.request('token.keys', {}, { timeoutMs: 2000 }), 'token.keys');
      return true;
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'could not fetch the token key ids, will retry');
      return false;
    }
  };
  const loop = async () => {
    if (stopped) return;
    const ok = await fetchKeys();
    if (stopped) return;
    timer = setTimeout(() => void loop(), ok || keys.kids.length > 0 ? refreshMs : 1000);
    timer.unref();
  };
  void loop();
  return {
    ready,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await sub.stop();
    },
  };
}
