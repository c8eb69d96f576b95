// A raw NATS request-reply echo in its own process (like a service): replies with the request's
// bytes. The benchmark's baseline for `token.validate` over NATS. Prints "ready" once subscribed.
import { connect } from 'nats';

const [servers, subject] = process.argv.slice(2);
const nc = await connect({ servers });
const sub = nc.subscribe(subject);
await nc.flush();
process.stdout.write('ready\n');
process.once('SIGTERM', () => void nc.drain().then(() => process.exit(0)));
for await (const msg of sub) msg.respond(msg.data);
