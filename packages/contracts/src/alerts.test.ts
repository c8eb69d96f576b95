import { describe, expect, it } from 'vitest';
import { AlertSettings, AlertSettingsBody, AlertsQuery, WebhookBody } from './messages/alerts.js';
import { buildOpenApiDocument } from './openapi.js';

const valid: AlertSettings = {
  enabled: true,
  invalidUseMinAttempts: 1,
  rateSpikeFactor: 10,
  rateSpikeMinCalls: 100,
  baselineMinutes: 60,
  ipSpreadFactor: 3,
  ipSpreadMinDistinct: 10,
  ipWindowMinutes: 10,
  unauthorizedBurstMin: 50,
  incidentWindowMinutes: 60,
};

describe('alert contracts', () => {
  it('settings: parses valid thresholds, rejects out-of-range, fractional counts and unknown fields', () => {
    expect(AlertSettings.parse(valid)).toEqual(valid);
    for (const bad of [
      { rateSpikeFactor: 1.4 },
      { rateSpikeFactor: 1001 },
      { baselineMinutes: 0 },
      { baselineMinutes: 1441 },
      { ipWindowMinutes: 61 },
      { invalidUseMinAttempts: 1.5 },
      { unauthorizedBurstMin: 0 },
      { enabled: 'yes' },
      { surprise: 1 },
    ]) {
      expect(AlertSettings.safeParse({ ...valid, ...bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('settings body: any subset; empty is fine; unknown fields are not', () => {
    expect(AlertSettingsBody.parse({})).toEqual({});
    expect(AlertSettingsBody.parse({ rateSpikeFactor: 4.5 })).toEqual({ rateSpikeFactor: 4.5 });
    expect(AlertSettingsBody.safeParse({ rateSpike: 4 }).success).toBe(false);
  });

  it('webhook url: http(s) without credentials', () => {
    expect(WebhookBody.parse({ url: 'https://hooks.example.com/x?y=1' })).toEqual({ url: 'https://hooks.example.com/x?y=1' });
    expect(WebhookBody.parse({ url: 'http://127.0.0.1:9000/h' }).url).toBe('http://127.0.0.1:9000/h');
    for (const url of ['ftp://x.example.com', 'https://u:p@x.example.com', 'not a url', `https://x.example.com/${'a'.repeat(2000)}`]) {
      expect(WebhookBody.safeParse({ url }).success, url).toBe(false);
    }
    expect(WebhookBody.safeParse({ url: 'https://x.example.com', secret: 's' }).success).toBe(false);
  });

  it('alerts query: limit 1–100, default 50', () => {
    expect(AlertsQuery.parse({})).toEqual({ limit: 50 });
    expect(AlertsQuery.parse({ limit: '7' })).toEqual({ limit: 7 });
    expect(AlertsQuery.safeParse({ limit: '0' }).success).toBe(false);
    expect(AlertsQuery.safeParse({ limit: '101' }).success).toBe(false);
  });

  it('the OpenAPI document has the alert routes', () => {
    const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/v1/alerts/settings'] ?? {}).sort()).toEqual(['get', 'put']);
    expect(Object.keys(doc.paths['/api/v1/alerts/webhook'] ?? {}).sort()).toEqual(['delete', 'get', 'put']);
    expect(Object.keys(doc.paths['/api/v1/alerts'] ?? {})).toEqual(['get']);
  });
});
