/** Node-only pieces of `@iroh-ts/quic`: the node:dgram transport. */
export { NodeUdpTransport, type UdpTransport } from './udp.js';
