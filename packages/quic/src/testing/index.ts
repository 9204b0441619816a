/** Test harnesses of `@iroh-ts/quic`: the in-memory {@link Pair} on a virtual clock. */
export { DEFAULT_LINK, type LinkConfig, Pair, prng, seededRandom } from './pair.js';
