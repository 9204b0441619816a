/**
 * Test support for the server apps: a local ACME CA (Debian's pebble) on loopback.
 *
 * @packageDocumentation
 */
export { freePort, type Pebble, pebbleSkipReason, startPebble } from './pebble.js';
