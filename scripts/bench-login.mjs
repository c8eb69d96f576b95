#!/usr/bin/env node
// Login latency with the default scrypt parameters (N=16384, r=8, p=1): registers and verifies
// one account, then times N sequential POST /api/user/login calls end to end (HTTP → edge →
// throttle checks → identity scrypt verify → token session) and prints the numbers.
//
//   npm run build && node scripts/bench-login.mjs            # the embedded default (one process)
//   node scripts/bench-login.mjs --mesh                      # the real mesh (NATS, Redis, FerretDB)
//   node scripts/bench-login.mjs --n 200
//
// A measurement, not a test: nothing here passes or fails.
import { performance } from 'node:perf_hooks';
import { EmbeddedEnv, startEmbedded } from '@dispatch/embedded';
import { Mesh, SmtpSink, startInfra, tokenFromMail, uniqueNamespace } from '@dispatch/testkit';

const args = process.argv.slice(2);
const useMesh = args.includes('--mesh');
const nIndex = args.indexOf('--n');
const n = nIndex >= 0 ? Number(args[nIndex + 1]) : 50;

const password = 'correct horse battery staple';
const email = `bench.${Date.now()}@example.com`;

const post = async (base, path, body) => {
  const res = await fetch(new URL(path, base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
};

const smtp = await SmtpSink.start();
let stop;
let base;
if (useMesh) {
  const infra = await startInfra();
  let mesh;
  try {
    mesh = await Mesh.start({ infra, namespace: uniqueNamespace('bench'), smtpUrl: smtp.url });
  } catch (err) {
    await infra.stop();
    await smtp.stop();
    throw err;
  }
  base = mesh.edgeUrl;
  stop = async () => {
    await mesh.stop();
    await infra.stop();
  };
} else {
  const app = await startEmbedded(EmbeddedEnv.parse({ EDGE_PORT: '0', SMTP_URL: smtp.url, DISPATCH_NAMESPACE: uniqueNamespace('bench'), LOG_LEVEL: 'warn' }));
  base = app.edgeUrl;
  stop = () => app.stop();
}

try {
  await post(base, '/api/user/register', { email, password, confirmPassword: password, firstName: 'Bench', lastName: 'Mark', acceptedTerms: true });
  await post(base, '/api/user/verify', { token: tokenFromMail(await smtp.waitFor(email)) });
  for (let i = 0; i < 3; i++) await post(base, '/api/user/login', { email, password }); // warm-up
  const times = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await post(base, '/api/user/login', { email, password });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  const fmt = (ms) => `${ms.toFixed(1)} ms`;
  console.log(`login latency, ${useMesh ? 'mesh' : 'embedded'}, scrypt N=16384 r=8 p=1, ${n} sequential logins:`);
  console.log(`  median ${fmt(at(0.5))}   p90 ${fmt(at(0.9))}   min ${fmt(times[0])}   max ${fmt(times[times.length - 1])}`);
} finally {
  await stop();
  await smtp.stop();
}
