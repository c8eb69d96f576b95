import { describe, expect, it } from 'vitest';
import {
  DEFAULT_NAMESPACE,
  assertNamespace,
  eventStreamName,
  eventSubject,
  eventTypes,
  eventWildcard,
  queueGroup,
  requestSubject,
  requests,
  serviceNames,
  type RequestKey,
} from './index.js';

const keys = Object.keys(requests) as RequestKey[];

/** NATS subject matching: `*` one token, `>` one or more trailing tokens. */
function matches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

describe('request subjects', () => {
  it('prefixes the namespace', () => {
    expect(requestSubject('dispatch', 'token.validate')).toBe('dispatch.token.v1.validate');
    expect(requestSubject('t_run-1', 'identity.checkCredentials')).toBe('t_run-1.identity.v1.credentials.check');
  });

  it('every requests[] entry has a unique subject', () => {
    const subjects = keys.map((k) => requests[k].subject);
    expect(new Set(subjects).size).toBe(subjects.length);
    const full = keys.map((k) => requestSubject('ns', k));
    expect(new Set(full).size).toBe(full.length);
  });

  it.each(keys)('%s is <service>.v1.<verb>, owned by the service its key names', (key) => {
    const spec = requests[key];
    expect(serviceNames).toContain(spec.service);
    expect(key.split('.')[0]).toBe(spec.service);
    expect(spec.subject).toMatch(new RegExp(`^${spec.service}\\.v1\\.[A-Za-z]+(\\.[A-Za-z]+)*$`));
    expect(spec.subject).not.toMatch(/[*> ]/);
  });

  it('no request subject collides with the event subjects', () => {
    for (const key of keys) expect(matches(eventWildcard('ns'), requestSubject('ns', key))).toBe(false);
  });

  it('every service that serves requests answers ping', () => {
    const services = new Set(keys.map((k) => requests[k].service));
    for (const service of services) expect(keys).toContain(`${service}.ping`);
  });

  it('one queue group per service', () => {
    const groups = serviceNames.map(queueGroup);
    expect(new Set(groups).size).toBe(serviceNames.length);
    expect(queueGroup('token')).toBe('token-svc');
  });
});

describe('assertNamespace', () => {
  it.each([DEFAULT_NAMESPACE, 'dispatch', 'T_1-x', 'a', 'x'.repeat(64)])('accepts %j', (ns) => {
    expect(assertNamespace(ns)).toBe(ns);
  });

  it.each(['', 'a.b', 'a b', ' a', '>', '*', 'a>', 'a*', 'a.>', 'ns\n', 'ümlaut', 'a/b', 'x'.repeat(65)])('rejects %j', (ns) => {
    expect(() => assertNamespace(ns)).toThrow(/Invalid namespace/);
  });
});

describe('event subjects', () => {
  it('builds <ns>.evt.<type>', () => {
    expect(eventSubject('dispatch', 'user.registered')).toBe('dispatch.evt.user.registered');
    expect(eventWildcard('dispatch')).toBe('dispatch.evt.>');
  });

  it.each(eventTypes)('%s falls under its namespace wildcard only', (type) => {
    expect(matches(eventWildcard('ns1'), eventSubject('ns1', type))).toBe(true);
    expect(matches(eventWildcard('ns2'), eventSubject('ns1', type))).toBe(false);
  });

  it('event subjects are unique', () => {
    const subjects = eventTypes.map((t) => eventSubject('ns', t));
    expect(new Set(subjects).size).toBe(subjects.length);
  });

  it('stream names are per namespace and valid JetStream names', () => {
    expect(eventStreamName('dispatch')).toBe('DISPATCH_EVENTS_dispatch');
    expect(eventStreamName('a')).not.toBe(eventStreamName('b'));
    expect(eventStreamName('t_1-x')).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});
