import { request } from 'node:http';

export interface ApiResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test reads arbitrary JSON
  body: any;
  text: string;
}

export interface CallOptions {
  token?: string;
  headers?: Record<string, string>;
  /** Sent as-is instead of JSON.stringify(body). */
  raw?: string;
}

/** A tiny client for the edge's public API, as an integrator would call it. */
export class Api {
  /** `from`: the local address to connect from (e.g. `127.0.0.7`), so one test can play several client IPs. */
  constructor(
    readonly baseUrl: string,
    readonly client: { from?: string } = {},
  ) {}

  async call(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    let payload: string | undefined = options.raw;
    if (payload === undefined && body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
    if (this.client.from !== undefined) return sendFrom(this.client.from, method, new URL(path, this.baseUrl), headers, payload);
    const res = await fetch(new URL(path, this.baseUrl), { method, headers, body: payload });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  get = (path: string, options?: CallOptions) => this.call('GET', path, undefined, options);
  post = (path: string, body?: unknown, options?: CallOptions) => this.call('POST', path, body, options);
  delete = (path: string, options?: CallOptions) => this.call('DELETE', path, undefined, options);
}

export const unauthorizedEnvelope = {
  success: false,
  error: { code: 'UNAUTHORIZED', message: 'Invalid or expired authentication token' },
};

/** One request over node:http from a chosen local address (fetch cannot bind one without undici). */
function sendFrom(from: string, method: string, url: URL, headers: Record<string, string>, payload: string | undefined): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, localAddress: from, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const out = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) out.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        let body: unknown = undefined;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: out, body, text });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}
