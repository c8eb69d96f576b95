import type { KvEntry, KvStore } from './kv-store.js';

/** In-process KvStore (embedded mode): lives as long as the process. */
export class MemoryKvStore implements KvStore {
  private readonly entries = new Map<string, KvEntry>();
  private revision = 0;

  async create(key: string, value: string): Promise<boolean> {
    if (this.entries.has(key)) return false;
    this.entries.set(key, { value, revision: ++this.revision });
    return true;
  }

  async get(key: string): Promise<KvEntry | undefined> {
    const e = this.entries.get(key);
    return e ? { ...e } : undefined;
  }

  async update(key: string, value: string, revision: number): Promise<boolean> {
    const e = this.entries.get(key);
    if (!e || e.revision !== revision) return false;
    this.entries.set(key, { value, revision: ++this.revision });
    return true;
  }

  async put(key: string, value: string): Promise<void> {
    this.entries.set(key, { value, revision: ++this.revision });
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async keys(prefix: string): Promise<string[]> {
    return [...this.entries.keys()].filter((k) => k.startsWith(`${prefix}.`));
  }
}
