// Runs one load pattern of load.mjs in a worker thread, so the benchmark's main thread stays free
// to drain the services' stdout pipes (a service whose log pipe is full stalls: pino writes
// synchronously and sleeps 100 ms on EAGAIN — an artefact of the harness, not of the service).
import { parentPort, workerData } from 'node:worker_threads';
import { closedLoop, openLoop } from './load.mjs';

const run = workerData.kind === 'open' ? openLoop : closedLoop;
parentPort.postMessage(await run(workerData.params));
