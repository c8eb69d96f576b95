// Load generation and statistics for the benchmark: keep-alive HTTP over node:http (no extra
// dependency), closed-loop (N concurrent workers, as fast as the server answers) and open-loop
// (a fixed request rate, for the soak run). Loopback only.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/** Median, p99 etc. of a list of milliseconds. */
export function summarize(samples) {
  const sorted = Float64Array.from(samples).sort();
  const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
  return { n: sorted.length, median: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.length ? sorted[sorted.length - 1] : NaN };
}

/** One GET; resolves with { status, ms } or { error, ms } (never rejects). */
function get(agent, url, headers, timeoutMs) {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(url, { agent, headers, method: 'GET', timeout: timeoutMs }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      res.on('error', (err) => resolve({ error: err.message, ms: performance.now() - started }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ error: err.message === 'timeout' ? 'timeout' : err.message, ms: performance.now() - started }));
    req.end();
  });
}

const tally = (results) => {
  const statuses = {};
  let errors = 0;
  let timeouts = 0;
  for (const r of results) {
    if (r.error === 'timeout') timeouts++;
    else if (r.error) errors++;
    else statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  }
  return { statuses, errors, timeouts };
};

/**
 * Closed loop: `concurrency` workers on keep-alive connections send GET `url` back to back for
 * `warmupMs` (discarded) and then `durationMs` (measured).
 */
export async function closedLoop({ url, headers = {}, concurrency, warmupMs, durationMs, timeoutMs = 10_000 }) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const results = [];
  let phase = 'warmup';
  const worker = async () => {
    while (phase !== 'done') {
      const r = await get(agent, url, headers, timeoutMs);
      if (phase === 'measure') results.push(r);
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  await new Promise((r) => setTimeout(r, warmupMs));
  phase = 'measure';
  const started = performance.now();
  await new Promise((r) => setTimeout(r, durationMs));
  phase = 'done';
  const elapsedMs = performance.now() - started;
  await Promise.all(workers);
  agent.destroy();
  const counts = tally(results);
  const ok = results.filter((r) => r.status === 200);
  return { rps: ok.length / (elapsedMs / 1000), latency: summarize(ok.map((r) => r.ms)), ...counts, total: results.length };
}

/**
 * Open loop: `rps` requests per second for `durationMs`, each started on schedule whatever the
 * previous ones did (so a stall shows as latency and timeouts, not as a lower send rate).
 */
export async function openLoop({ url, headers = {}, rps, durationMs, timeoutMs = 5_000, maxSockets = 256 }) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const pending = [];
  const started = performance.now();
  const total = Math.floor((rps * durationMs) / 1000);
  let sent = 0;
  while (sent < total) {
    const due = Math.floor(((performance.now() - started) * rps) / 1000);
    while (sent < Math.min(due, total)) {
      pending.push(get(agent, url, headers, timeoutMs));
      sent++;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  const results = await Promise.all(pending);
  agent.destroy();
  const counts = tally(results);
  const ok = results.filter((r) => r.status === 200);
  const non200 = results.length - ok.length - counts.errors - counts.timeouts;
  return { targetRps: rps, sent: results.length, latency: summarize(ok.map((r) => r.ms)), ...counts, non200 };
}

/** Times `fn` `n` times in sequence (after `warmup` untimed calls); returns the summary in ms. */
export async function timeSequential(fn, n, warmup = Math.min(20, n)) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
  }
  return summarize(times);
}
