// A relay server in its own process for the endpoint benchmarks; prints {url} when ready.
import { RelayServer } from '@iroh-ts/relay/server';

const relay = await RelayServer.start({ httpBindAddr: { host: '127.0.0.1', port: 0 } });
console.log(JSON.stringify({ url: relay.url }));
process.on('SIGTERM', () => void relay.stop().then(() => process.exit(0)));
