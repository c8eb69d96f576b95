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
  constructor(readonly baseUrl: string) {}

  async call(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    let payload: string | undefined = options.raw;
    if (payload === undefined && body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
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
