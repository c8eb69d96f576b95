#!/usr/bin/env node
// `npm run bench`: builds if needed, starts the real mesh (every service its own process on real
// nats-server, redis-server and FerretDB, loopback only, via @dispatch/testkit) and measures, in
// one run:
//   A  GET /api/v1/Orders through the edge with an API token (authenticate + rate limit + forward)
//   B  GET /api/public/Orders through the edge on the forward-only route (EDGE_PUBLIC_PREFIX)
//   C  GET /api/v1/Orders on the upstream directly (with the principal headers the edge would set)
//   token.validate over NATS vs a raw NATS request-reply echo (a separate process);
//   a rate-limit decision (the service's RedisLimiter, one Lua EVALSHA) vs a raw Redis PING,
//   and ratelimit.consume over NATS; login (scrypt) and API-token creation through the edge;
//   a soak at 80 % of A's peak throughput; peak RSS (VmHWM) of every service process.
// Prints one table and the ratios, writes bench-results/latest.json (git-ignored).
//
//   npm run bench                                   # defaults below
//   npm run bench -- --duration 10 --concurrency 32 --soak 60 --profile
//
// Options: --duration <s> per HTTP scenario (default 10), --warmup <s> (default 3),
// --concurrency <n> closed-loop workers (default 32), --soak <s> (default 60, 0 = skip),
// --n <count> sequential samples of each micro measurement (default 2000), --logins <n> (default 20),
// every service logs at info (as in production; the testkit waits for the info-level "ready" line), --profile (edge runs with
// node --cpu-prof; the .cpuprofile lands in bench-results/profiles/), --out <file>.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect as natsConnect } from 'nats';
import { createClient } from 'redis';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { summarize, timeSequential } from './load.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const durationMs = Number(opt('duration', 10)) * 1000;
const warmupMs = Number(opt('warmup', 3)) * 1000;
const concurrency = Number(opt('concurrency', 32));
const soakMs = Number(opt('soak', 60)) * 1000;
const microN = Number(opt('n', 2000));
const logins = Number(opt('logins', 20));
const logLevel = 'info';
const profile = args.includes('--profile');
// --edge-node-options "<flags>": NODE_OPTIONS of the edge (e.g. "--max-old-space-size=96").
const edgeNodeOptions = opt('edge-node-options', '');
// --only A (or A,B): just those HTTP scenarios, nothing else (e.g. to profile one path).
const only = opt('only', '').split(',').filter(Boolean);
const outFile = resolve(root, opt('out', 'bench-results/latest.json'));
const profileDir = join(root, 'bench-results/profiles');

/** Runs closedLoop/openLoop of load.mjs in a worker thread (see load-worker.mjs). */
const inWorker = (kind, params) =>
  new Promise((ok, fail) => {
    const worker = new Worker(new URL('./load-worker.mjs', import.meta.url), { workerData: { kind, params } });
    worker.once('message', ok);
    worker.once('error', fail);
  });
const closedLoop = (params) => inWorker('closed', params);
const openLoop = (params) => inWorker('open', params);

const log = (...m) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...m);

// Build first (turbo: a no-op when nothing changed); the mesh runs each service's dist/.
if (!args.includes('--no-build')) {
  log('building (turbo, cached when unchanged)…');
  execFileSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: root, stdio: 'inherit' });
}
if (!process.env.FERRETDB_BIN) {
  try {
    const exports = execFileSync('bash', [join(root, 'scripts/install-test-deps.sh')], { cwd: root, encoding: 'utf8' });
    const m = /FERRETDB_BIN=("?)([^"\n]+)\1/.exec(exports);
    if (m) process.env.FERRETDB_BIN = m[2];
  } catch {
    /* the testkit finds or builds FerretDB itself */
  }
}
const { Mesh, SmtpSink, startInfra, tokenFromMail, uniqueNamespace } = await import('@dispatch/testkit');
const { connectNatsBus } = await import('@dispatch/bus');
const { RedisLimiter } = await import('@dispatch/ratelimit');
const { createLogger } = await import('@dispatch/runtime');

const namespace = uniqueNamespace('bench');
const password = 'correct horse battery staple';
const email = `bench.${Date.now()}@example.com`;
const cleanups = [];
const cleanup = async () => {
  for (const fn of cleanups.reverse()) await fn().catch((err) => log('cleanup:', err.message));
};
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

const post = async (base, path, body, token) => {
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(new URL(path, base), { method: 'POST', headers, body: JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
};

const results = { startedAt: new Date().toISOString() };
try {
  log('starting infrastructure and the mesh…');
  const smtp = await SmtpSink.start();
  cleanups.push(() => smtp.stop());
  const infra = await startInfra();
  cleanups.push(() => infra.stop());
  if (profile) mkdirSync(profileDir, { recursive: true });
  const mesh = await Mesh.start({
    infra,
    namespace,
    smtpUrl: smtp.url,
    logLevel,
    // The upstream trusts the edge's principal headers only, so A, B and C cost the upstream the same.
    upstreamVerifiesTokens: false,
    env: {
      EDGE_PUBLIC_PREFIX: '/api/public/',
      // The benchmark measures the cost of a decision, not refusals: the limit is never reached.
      RATE_LIMIT_DEFAULT_LIMIT: '1000000000',
    },
    ...(profile ? { nodeArgs: { edge: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } } : {}),
    ...(edgeNodeOptions ? { serviceEnv: { edge: { NODE_OPTIONS: edgeNodeOptions } } } : {}),
  });
  cleanups.push(() => mesh.stop());
  const edge = mesh.edgeUrl;

  // One owner and one API token (the usual integrator set-up).
  await post(edge, '/api/user/register', { email, password, confirmPassword: password, firstName: 'Bench', lastName: 'Mark', acceptedTerms: true });
  await post(edge, '/api/user/verify', { token: tokenFromMail(await smtp.waitFor(email)) });
  const session = (await post(edge, '/api/user/login', { email, password })).data.token;
  const created = (await post(edge, '/api/v1/tokens', { description: 'bench' }, session)).data;
  const apiToken = created.token;
  const principal = { 'x-dispatch-business-id': created.tokenInfo.businessId ?? 'biz_bench', 'x-dispatch-token-id': created.tokenInfo.id };

  // Every path answers 200 before anything is timed.
  for (const [name, url, headers] of [
    ['A', `${edge}/api/v1/Orders`, { authorization: `Bearer ${apiToken}` }],
    ['B', `${edge}/api/public/Orders`, {}],
    ['C', `${mesh.upstreamUrl}/api/v1/Orders`, principal],
  ]) {
    const res = await fetch(url, { headers });
    if (res.status !== 200) throw new Error(`scenario ${name}: ${url} answered ${res.status}: ${await res.text()}`);
  }

  const http = {};
  // CPU seconds the edge (or upstream) process used while a scenario was measured: per request,
  // this is what bounds throughput on a shared machine, and far less noisy than req/s.
  const cpuMsOf = (pid) => {
    if (pid === undefined) return 0;
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in 1/100 s
  };
  const cpuMs = (service) => cpuMsOf(mesh.find(service, 0).child?.pid);
  /** Every service process of the mesh (edge, upstream, token, ratelimit, identity, notification). */
  const allCpuMs = () => mesh.processes.reduce((sum, p) => sum + cpuMsOf(p.child?.pid), 0);
  const scenario = async (name, url, headers) => {
    if (only.length && !only.includes(name)) return;
    log(`HTTP ${name}: ${concurrency} workers, ${warmupMs / 1000} s warm-up + ${durationMs / 1000} s…`);
    await closedLoop({ url, headers, concurrency, warmupMs: 0, durationMs: warmupMs });
    const warm = { edge: cpuMs('edge'), orders: cpuMs('orders'), all: allCpuMs() };
    http[name] = await closedLoop({ url, headers, concurrency, warmupMs: 0, durationMs });
    const after = { edge: cpuMs('edge'), orders: cpuMs('orders'), all: allCpuMs() };
    const n = http[name].total;
    http[name].edgeCpuMsPerRequest = (after.edge - warm.edge) / n;
    http[name].upstreamCpuMsPerRequest = (after.orders - warm.orders) / n;
    http[name].servicesCpuMsPerRequest = (after.all - warm.all) / n;
  };
  await scenario('A', `${edge}/api/v1/Orders`, { authorization: `Bearer ${apiToken}` });
  await scenario('B', `${edge}/api/public/Orders`, {});
  await scenario('C', `${mesh.upstreamUrl}/api/v1/Orders`, principal);
  results.http = http;
  if (only.length) {
    const metrics = await (await fetch(`${mesh.opsUrl('edge', 0)}/metrics`)).text();
    const heap = metrics.split('\n').filter((l) => /^(nodejs_heap_size|nodejs_heap_space_size_used_bytes|nodejs_external|process_resident)/.test(l));
    console.log(JSON.stringify({ http, edgePeakRssMb: (mesh.peakRssKb('edge', 0) ?? 0) / 1024, heap }, null, 2));
    process.exitCode = 0;
  }

  if (!only.length) {
  // token.validate over NATS (the edge's own bus client) vs a raw NATS echo in its own process.
  log(`micro: ${microN} sequential token.validate / NATS echo / limiter / Redis PING / ratelimit.consume…`);
  const bus = await connectNatsBus({ servers: infra.natsUrl, namespace, logger: createLogger({ service: 'bench', level: 'warn' }), name: 'bench' });
  cleanups.push(() => bus.drain());
  const echoSubject = `${namespace}.bench.echo`;
  const echo = spawn(process.execPath, [join(root, 'scripts/bench/echo-responder.mjs'), infra.natsUrl, echoSubject], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(async () => {
    echo.kill('SIGTERM');
  });
  await new Promise((ok, fail) => {
    echo.stdout.once('data', () => ok());
    echo.once('exit', (code) => fail(new Error(`echo responder exited with ${code}`)));
  });
  const nc = await natsConnect({ servers: infra.natsUrl });
  cleanups.push(() => nc.close());
  const validatePayload = { token: apiToken, clientIp: '127.0.0.1', route: 'GET /api/v1/Orders' };
  const echoPayload = new TextEncoder().encode(JSON.stringify(validatePayload));
  const micro = {};
  // Each pair is measured interleaved (one call of each, in turn), so a change of the machine's
  // background load hits both sides of a ratio alike.
  const pair = async (fnA, fnB) => {
    const a = [];
    const b = [];
    for (let i = 0; i < Math.min(200, microN); i++) {
      await fnA();
      await fnB();
    }
    for (let i = 0; i < microN; i++) {
      let t = performance.now();
      await fnA();
      a.push(performance.now() - t);
      t = performance.now();
      await fnB();
      b.push(performance.now() - t);
    }
    return [summarize(a), summarize(b)];
  };
  [micro.validate, micro.natsEcho] = await pair(
    async () => {
      const reply = await bus.request('token.validate', validatePayload, { timeoutMs: 5000 });
      if (!reply.valid) throw new Error('token.validate said invalid');
    },
    () => nc.request(echoSubject, echoPayload, { timeout: 5000 }),
  );

  // A rate-limit decision: the ratelimit service's own limiter (one EVALSHA of its Lua script) vs a raw PING.
  const redis = createClient({ url: infra.redisUrl });
  await redis.connect();
  cleanups.push(() => redis.close());
  const limiter = new RedisLimiter(redis, { prefix: `${namespace}:bench` });
  [micro.limitDecision, micro.redisPing] = await pair(
    () => limiter.consume({ key: 'tok:bench', limit: 1_000_000_000, windowSeconds: 3600 }),
    () => redis.ping(),
  );
  micro.limitOverNats = await timeSequential(
    () => bus.request('ratelimit.consume', { key: 'tok:bench-nats', limit: 1_000_000_000, windowSeconds: 3600 }, { timeoutMs: 5000 }),
    microN,
  );

  // Login (scrypt N=16384, r=8, p=1) and API-token creation, end to end through the edge.
  log(`login ×${logins}, token creation ×${logins}…`);
  micro.login = await timeSequential(() => post(edge, '/api/user/login', { email, password }), logins, 2);
  micro.tokenCreate = await timeSequential((i) => post(edge, '/api/v1/tokens', { description: `bench ${i}` }, session), logins, 2);
  results.micro = micro;

  // Soak: one minute at 80 % of A's measured peak, open loop.
  if (soakMs > 0) {
    const rps = Math.max(1, Math.floor(0.8 * http.A.rps));
    log(`soak: A at ${rps} req/s (80 % of peak) for ${soakMs / 1000} s…`);
    results.soak = await openLoop({ url: `${edge}/api/v1/Orders`, headers: { authorization: `Bearer ${apiToken}` }, rps, durationMs: soakMs });
  }

  // Peak RSS (VmHWM) of every service process, read while they still run.
  results.peakRssMb = Object.fromEntries(
    mesh.processes.map((p) => [`${p.service}-${p.index}`, Math.round(((mesh.peakRssKb(p.service, p.index) ?? NaN) / 1024) * 10) / 10]),
  );

  results.ratios = {
    throughputAoverB: http.A.rps / http.B.rps,
    throughputBoverC: http.B.rps / http.C.rps,
    edgeCpuPerRequestAoverB: http.A.edgeCpuMsPerRequest / http.B.edgeCpuMsPerRequest,
    servicesCpuPerRequestAoverB: http.A.servicesCpuMsPerRequest / http.B.servicesCpuMsPerRequest,
    validateOverEcho: micro.validate.median / micro.natsEcho.median,
    limitOverRedis: micro.limitDecision.median / micro.redisPing.median,
    limitOverNatsOverEcho: micro.limitOverNats.median / micro.natsEcho.median,
  };
  results.targets = {
    'throughput(A) >= 0.6 x throughput(B)': results.ratios.throughputAoverB >= 0.6,
    'validate median <= 1.5 x NATS echo median': results.ratios.validateOverEcho <= 1.5,
    'limit decision median <= 1.5 x Redis round trip median': results.ratios.limitOverRedis <= 1.5,
    'edge peak RSS <= 200 MB': results.peakRssMb['edge-0'] <= 200,
    ...(results.soak ? { 'soak: zero errors and timeouts': results.soak.errors === 0 && results.soak.timeouts === 0 && results.soak.non200 === 0 } : {}),
  };
  results.machine = { loadavgAtEnd: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '), cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memGb: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform };
  results.options = { durationS: durationMs / 1000, warmupS: warmupMs / 1000, concurrency, soakS: soakMs / 1000, microN, logins, logLevel, profile, edgeNodeOptions };
  results.finishedAt = new Date().toISOString();
  printTable(results);
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
  log(`results written to ${outFile}`);
  }
} finally {
  await cleanup();
  if (profile) log(`edge CPU profile(s) in ${profileDir} (open in Chrome DevTools → Performance)`);
}

function printTable(r) {
  const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const rows = [];
  const add = (what, median, p99, extra = '') => rows.push([what, median, p99, extra]);
  const { A, B, C } = r.http;
  const httpExtra = (s) => `${f(s.rps, 0)} req/s${s.errors + s.timeouts ? `, ${s.errors} errors, ${s.timeouts} timeouts` : ''}${Object.keys(s.statuses).some((k) => k !== '200') ? ` ${JSON.stringify(s.statuses)}` : ''}`;
  const cpu = (s, who) =>
    `, ${who} CPU ${f(who === 'edge' ? s.edgeCpuMsPerRequest : s.upstreamCpuMsPerRequest, 3)} ms/req` +
    (who === 'edge' ? `, all services ${f(s.servicesCpuMsPerRequest, 3)}` : '');
  add('A edge: auth + limit + forward', f(A.latency.median), f(A.latency.p99), httpExtra(A) + cpu(A, 'edge'));
  add('B edge: forward only', f(B.latency.median), f(B.latency.p99), httpExtra(B) + cpu(B, 'edge'));
  add('C upstream directly', f(C.latency.median), f(C.latency.p99), httpExtra(C) + cpu(C, 'upstream'));
  const m = r.micro;
  add('token.validate over NATS', f(m.validate.median, 3), f(m.validate.p99, 3));
  add('raw NATS request-reply echo', f(m.natsEcho.median, 3), f(m.natsEcho.p99, 3));
  add('rate-limit decision (Lua EVALSHA)', f(m.limitDecision.median, 3), f(m.limitDecision.p99, 3));
  add('raw Redis round trip (PING)', f(m.redisPing.median, 3), f(m.redisPing.p99, 3));
  add('ratelimit.consume over NATS', f(m.limitOverNats.median, 3), f(m.limitOverNats.p99, 3));
  add('login (scrypt) via edge', f(m.login.median, 1), f(m.login.p99, 1));
  add('API-token creation via edge', f(m.tokenCreate.median, 1), f(m.tokenCreate.p99, 1));
  if (r.soak) {
    const s = r.soak;
    add(`soak A @ ${s.targetRps} req/s`, f(s.latency.median), f(s.latency.p99), `${s.sent} sent, ${s.errors} errors, ${s.timeouts} timeouts, ${s.non200} non-200`);
  }
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => String(row[i]).length), ['what', 'median ms', 'p99 ms', ''][i].length));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  const out = [line(['what', 'median ms', 'p99 ms', 'throughput / notes']), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
  out.push('', `peak RSS (MB): ${Object.entries(r.peakRssMb).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const ratios = r.ratios;
  out.push(
    `ratios: A/B throughput ${f(ratios.throughputAoverB)} (target >= 0.6; CPU per request A/B: edge ${f(ratios.edgeCpuPerRequestAoverB)}, all services ${f(ratios.servicesCpuPerRequestAoverB)}), B/C ${f(ratios.throughputBoverC)}, ` +
      `validate/echo ${f(ratios.validateOverEcho)} (<= 1.5), limit/redis ${f(ratios.limitOverRedis)} (<= 1.5), consume-over-NATS/echo ${f(ratios.limitOverNatsOverEcho)}`,
  );
  out.push(`targets: ${Object.entries(r.targets).map(([k, ok]) => `${ok ? 'MET' : 'MISSED'} ${k}`).join('; ')}`);
  out.push(`machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memGb} GB, Node ${r.machine.node}; load generator on the same machine; load average at the end ${r.machine.loadavgAtEnd}`);
  console.log(out.join('\n'));
}
