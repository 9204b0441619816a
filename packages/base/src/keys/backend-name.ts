import { backend } from '#ed25519-backend';

/** The Ed25519 implementation in use on this platform: `'node:crypto'` or `'@noble/curves'`. */
export const ed25519BackendName: string = backend.name;
